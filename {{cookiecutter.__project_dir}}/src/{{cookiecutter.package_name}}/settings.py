"""Settings, read from environment variables and the `.env` file when the app is built."""

from typing import Literal
from typing import Self

from pydantic import Field
{{- "\nfrom pydantic import SecretStr" if cookiecutter.auth == "password" else "" }}
from pydantic import ValidationError
from pydantic import field_validator
from pydantic import model_validator
from pydantic_settings import BaseSettings
from pydantic_settings import SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
{% if cookiecutter.auth == "password" %}

from .cpus import usable_cpus

MIN_SECRET_KEY_LENGTH = 32
# A random key of 32 characters or more from any usual alphabet has many more different
# characters than this; a phrase repeated, or one character, has fewer.
MIN_SECRET_KEY_CHARACTERS = 16
{% endif %}

# The SQLAlchemy dialect and driver the code is written for.
URL_SCHEME = "{{ cookiecutter.__url_scheme }}"


class DatabaseSettings(BaseSettings):
    """What the service and its migrations need to reach the database.

    Every field is read from the environment variable of the same name, upper-cased.
    """

    model_config = SettingsConfigDict(
        env_file=".env",
        extra="ignore",
        use_attribute_docstrings=True,
        # Validation errors must not echo values: the URL carries a password.
        hide_input_in_errors=True,
    )

    environment: Literal["development", "production"] = "production"
    """`production` refuses to start with a weak secret or an unprotected database."""

    database_url: str
    """SQLAlchemy URL of the database; a URL without a driver gets this service's driver."""

    migration_database_url: str | None = None
    """URL the migrations use instead, when they need rights the service has not (the owner's)."""

    @field_validator("migration_database_url", mode="before")
    @classmethod
    def _empty_means_unset(cls, value: object) -> object:
        # Empty, as a deployment's template leaves it: the migrations use DATABASE_URL.
        return value or None

    @field_validator("database_url", "migration_database_url")
    @classmethod
    def _use_the_service_driver(cls, value: str | None) -> str | None:
        return None if value is None else with_service_driver(value)

    @property
    def migration_url(self) -> str:
        """The URL the migrations connect with."""
        return self.migration_database_url or self.database_url

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Self:
        problems = self.production_problems() if self.environment == "production" else []
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def production_problems(self) -> list[str]:
        """What production refuses in these settings, one sentence each."""
{% if cookiecutter.database == "sqlite" %}
        return []
{% else %}
        urls = {
            "DATABASE_URL": self.database_url,
            "MIGRATION_DATABASE_URL": self.migration_database_url,
        }
        return [
            f"{name} must carry a password in production"
            for name, url in urls.items()
            if url is not None and not make_url(url).password
        ]
{% endif %}


class Settings(DatabaseSettings):
    """The service's settings: the database's, and everything else it is configured by."""

    db_pool_size: int = Field(default=10, ge=1)
    """Connections the pool keeps open."""

    db_max_overflow: int = Field(default=0, ge=0)
    """Connections the pool may open above `db_pool_size` under load, and close after.

    Zero by default: a worker process uses one CPU, which 10 connections keep busy; opening
    and closing more under load only makes some requests slower.
    """

    db_pool_timeout: float = Field(default=5.0, gt=0)
    """Seconds a request waits for a free connection before it fails with 503."""

    db_pool_recycle: int = Field(default=1800, gt=0)
    """Seconds after which a pooled connection is replaced."""

    db_pool_pre_ping: bool = False
    """Test each pooled connection before use: a round trip more per request.

    Off, a connection the server dropped fails one request with 503; the pool then
    replaces all of its connections, and the following requests succeed.
    """

{% if cookiecutter.database == "sqlite" %}
    # Longer than the pool timeout: a write that holds the lock can stall for seconds while
    # the disk is busy (a backup, a checkpoint), and the writers behind it should wait it out.
    db_busy_timeout: float = Field(default=15.0, gt=0)
    """Seconds a write waits for another connection's write to finish before it fails."""
{% else %}
    db_connect_timeout: int = Field(default=5, ge=1)
    """Seconds to wait for a new database connection before giving up."""
{% endif %}

{% if cookiecutter.database == "postgresql" %}
    db_external_pooler: Literal["none", "pgbouncer"] = "none"
    """`pgbouncer` when DATABASE_URL leads to PgBouncer in transaction mode: nothing is prepared."""

{% endif %}
    db_echo: bool = False
    """Log every SQL statement (for debugging)."""

    host: str = "127.0.0.1"
    """Address the `serve` command listens on; the image sets 0.0.0.0."""

    port: int = Field(default=8000, ge=1, le=65535)
    """Port the `serve` command listens on."""

    web_concurrency: int = Field(default=1, ge=1)
    """Worker processes the `serve` command starts; each has a pool of its own."""

    shutdown_drain_seconds: float = Field(default=0, ge=0, le=300)
    """On SIGTERM, how long `serve` goes on serving while /health/db answers 503, before it stops.

    Set it above the time your load balancer takes to stop sending to a replica that fails
    its health check; the requests in flight then finish in any case.
    """

    forwarded_allow_ips: str = ""
    """Proxies trusted for X-Forwarded-For and -Proto: comma-separated addresses or networks.

    Empty, no proxy is trusted, and a client cannot pass for another address or scheme.
    """

    metrics_enabled: bool = True
    """Serve Prometheus metrics at /metrics."""

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    """Lowest level of the log records the service writes (one JSON object per line)."""

    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    """Largest request body accepted, in bytes; a larger one is answered with 413."""

    cors_origins: list[str] = []
    """Origins whose browser pages may call the API, as JSON: `["https://app.example.com"]`.

    Empty (the default), no cross-origin call is allowed. `["*"]` allows every origin.
    """

    cors_allow_credentials: bool = False
    """Let those pages send cookies and HTTP authentication along (the API needs neither)."""

    trusted_hosts: list[str] = ["*"]
    """Host names the service answers to, as JSON (`["api.example.com", "*.example.com"]`);
    a request naming another gets 400. `["*"]` (the default) answers any."""

    docs_enabled: bool = Field(
        default_factory=lambda settings: settings["environment"] == "development"
    )
    """Serve the API's description and its pages: /openapi.json, /docs and /redoc.

    By default in development only.
    """

    @model_validator(mode="after")
    def _refuse_credentials_for_every_origin(self) -> Self:
        if self.cors_allow_credentials and "*" in self.cors_origins:
            message = "CORS_ORIGINS may not hold * while CORS_ALLOW_CREDENTIALS is true"
            raise ValueError(message)
        return self
{% if cookiecutter.auth == "password" %}

    secret_key: SecretStr
    """Key that signs the access tokens: at least 32 random characters, unique per environment."""

    access_token_minutes: int = Field(default=15, ge=1, le=1440)
    """Minutes an access token is valid, a day at most; there is no refresh: one logs in again.

    A token ends sooner when its account is deleted, deactivated, demoted or given a new password.
    """

    signup_open: bool = True
    """Let anyone create an account; when false, only admins create users."""

    login_max_failures: int = Field(default=5, ge=1)
    """Failed logins in a row with one address (with an account or not) that lock it."""

    login_lockout_seconds: int = Field(default=60, ge=1)
    """How long the first lockout of an address lasts; each one after it in a row, twice as long."""

    login_lockout_max_seconds: int = Field(default=900, ge=1)
    """The longest a lockout lasts, however many came before it."""

    client_logins_per_minute: int = Field(default=30, ge=1)
    """Login attempts a client address may make in a minute, with any e-mail addresses."""

    client_signups_per_hour: int = Field(default=20, ge=1)
    """Sign-ups a client address may make in an hour."""

    password_hash_time_cost: int = Field(default=3, ge=1)
    """argon2 passes over its memory for each password hash."""

    password_hash_memory_kib: int = Field(default=65536, ge=1024)
    """argon2 memory for each password hash, in KiB; every hash in progress holds that much."""

    password_hash_concurrency: int = Field(default_factory=usable_cpus, ge=1)
    """Password hashes computed at once (default: one per CPU this process may use)."""

    @field_validator("secret_key")
    @classmethod
    def _refuse_a_weak_secret(cls, value: SecretStr) -> SecretStr:
        # Also refuses the placeholder that .env.example ships with, repeated or not.
        secret = value.get_secret_value()
        if len(secret) < MIN_SECRET_KEY_LENGTH or len(set(secret)) < MIN_SECRET_KEY_CHARACTERS:
            message = f"must be a random value of at least {MIN_SECRET_KEY_LENGTH} characters"
            raise ValueError(message)
        return value
{% elif cookiecutter.auth == "oidc" %}

    oidc_issuer: str = ""
    """The identity provider's issuer URL; its discovery document is under /.well-known/."""

    oidc_audience: str = ""
    """The audience (`aud`) the provider puts in the tokens it issues for this service."""

    oidc_roles_claim: str = "roles"
    """The claim that lists the caller's roles; a dotted path reaches into an object."""

    oidc_admin_role: str = "admin"
    """The role that makes a caller an admin."""

    oidc_max_token_lifetime_seconds: int = Field(default=86400, ge=60)
    """The longest lifetime (`exp` - `iat`) of a token the service accepts."""

    oidc_authorized_parties: list[str] = []
    """Client ids of the provider's clients this service serves, as JSON; when set, a token
    that names another in `azp` is refused. Empty (the default), `azp` is not checked."""

    def production_problems(self) -> list[str]:
        """What production refuses in these settings, one sentence each."""
        problems = super().production_problems()
        if not self.oidc_issuer.startswith("https://"):
            problems.append("OIDC_ISSUER must be the provider's https:// URL in production")
        if not self.oidc_audience:
            problems.append("OIDC_AUDIENCE must be set in production")
        return problems
{% endif %}


def with_service_driver(url: str) -> str:
    """Return the URL with this service's driver; refuse a URL for another driver."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        message = f"is not a database URL; expected {URL_SCHEME}://..."
        raise ValueError(message) from None
    if parsed.drivername == URL_SCHEME.partition("+")[0]:
        parsed = parsed.set(drivername=URL_SCHEME)
    if parsed.drivername != URL_SCHEME:
        message = (
            f"uses the driver {parsed.drivername!r}, but this service is written "
            f"for {URL_SCHEME!r}: start the URL with {URL_SCHEME}://"
        )
        raise ValueError(message)
    return parsed.render_as_string(hide_password=False)


def get_settings() -> Settings:
    """Read the service's settings; stop the process if any is invalid."""
    try:
        return Settings()
    except ValidationError as error:
        raise invalid_settings(error) from None


def invalid_settings(error: ValidationError) -> SystemExit:
    """The exit of a process with bad settings: one line naming each, instead of a traceback."""
    return SystemExit(f"Invalid settings: {describe(error)}")


def describe(error: ValidationError) -> str:
    """Say what is wrong with each setting, by its environment variable's name, on one line.

    Never the value: it may be a password or a key.
    """
    problems = []
    for problem in error.errors():
        cause = problem.get("ctx", {}).get("error")
        message = str(cause) if cause is not None else problem["msg"]
        name = "_".join(str(part) for part in problem["loc"]).upper()
        problems.append(f"{name} {message}" if name else message)
    return "; ".join(problems)
