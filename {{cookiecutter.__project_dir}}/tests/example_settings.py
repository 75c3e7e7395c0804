"""Settings as the settings' tests give them: what each environment needs besides the database."""

from typing import Any

from {{ cookiecutter.package_name }}.settings import Settings

from database import DATABASE_URL

# The Host that the test client sends, which production must be told to answer.
TEST_CLIENT_HOST = "testserver"

{% if cookiecutter.auth == "password" %}
# What every environment needs besides the database.
NEEDED: dict[str, Any] = {"secret_key": "4vRk0c2m0pZ8u1n7Qe3sJh6Xy9Tb5LwD"}
# What production needs besides that.
FOR_PRODUCTION: dict[str, Any] = {"trusted_hosts": [TEST_CLIENT_HOST]}
# Settings of authentication held to a lowest value: (setting, default, lowest).
AUTH_BOUNDS = [
    ("access_token_minutes", 15, 1),
    ("login_max_failures", 5, 1),
    ("login_lockout_seconds", 60, 1),
    ("login_lockout_max_seconds", 900, 1),
    ("client_logins_per_minute", 30, 1),
    ("client_signups_per_hour", 20, 1),
    ("password_hash_time_cost", 3, 1),
    ("password_hash_memory_kib", 65536, 1024),
]
# Settings of authentication that stop the service: (variable, value, what it is told).
AUTH_STOPPERS = [("SECRET_KEY", "too-short-a-secret", "SECRET_KEY must be a random value")]
{% elif cookiecutter.auth == "oidc" %}
NEEDED: dict[str, Any] = {}
FOR_PRODUCTION: dict[str, Any] = {
    "trusted_hosts": [TEST_CLIENT_HOST],
    "oidc_issuer": "https://login.example.com",
    "oidc_audience": "orders",
}
AUTH_BOUNDS: list[tuple[str, int, int]] = []
AUTH_STOPPERS: list[tuple[str, str, str]] = []
{% else %}
NEEDED: dict[str, Any] = {}
FOR_PRODUCTION: dict[str, Any] = {"trusted_hosts": [TEST_CLIENT_HOST]}
AUTH_BOUNDS: list[tuple[str, int, int]] = []
AUTH_STOPPERS: list[tuple[str, str, str]] = []
{% endif %}


def make_settings(**values: Any) -> Settings:
    """Settings from these values, else what development needs, ignoring any `.env` file."""
    defaults = {"database_url": DATABASE_URL, "environment": "development", **NEEDED}
    return Settings(_env_file=None, **{**defaults, **values})
