"""Settings, read from environment variables and the `.env` file when the app is built."""

import os
from typing import Literal
from typing import Self

from pydantic import Field
from pydantic import SecretStr
from pydantic import ValidationError
from pydantic import field_validator
from pydantic import model_validator
from pydantic_settings import BaseSettings
from pydantic_settings import SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

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

    @field_validator("database_url")
    @classmethod
    def _use_the_service_driver(cls, value: str) -> str:
        return with_service_driver(value)

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
        if make_url(self.database_url).password:
            return []
        return ["DATABASE_URL must carry a password in production"]
{% endif %}


class Settings(DatabaseSettings):
    """The service's settings: the database's, and everything else it is configured by."""

    db_pool_size: int = Field(default=10, ge=1)
    """Connections the pool keeps open."""

    db_max_overflow: int = Field(default=10, ge=0)
    """Connections the pool may open above `db_pool_size` under load."""

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

    db_echo: bool = False
    """Log every SQL statement (for debugging)."""

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    """Lowest level of the log records the service writes (one JSON object per line)."""

    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    """Largest request body accepted, in bytes; a larger one is answered with 413."""

    password_hash_time_cost: int = Field(default=3, ge=1)
    """argon2 passes over its memory for each password hash."""

    password_hash_memory_kib: int = Field(default=65536, ge=1024)
    """argon2 memory for each password hash, in KiB; every hash in progress holds that much."""

    password_hash_concurrency: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    """Password hashes computed at once (default: one per CPU); further sign-ups wait their turn."""

    secret_key: SecretStr = SecretStr("")
    """Key for anything the service signs; a long random value, unique per environment."""

    def production_problems(self) -> list[str]:
        """What production refuses in these settings, one sentence each."""
        problems = super().production_problems()
        # Also refuses the placeholder that .env.example ships with.
        if len(self.secret_key.get_secret_value()) < 32:
            problems.append(
                "SECRET_KEY must be a random value of at least 32 characters in production"
            )
        return problems


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
