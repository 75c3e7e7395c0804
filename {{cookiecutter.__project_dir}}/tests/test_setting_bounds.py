"""Settings' defaults, the bounds each one is held to, and the fallbacks between them."""

from typing import Any

import pytest
from pydantic import ValidationError

from {{ cookiecutter.package_name }}.settings import URL_SCHEME
from {{ cookiecutter.package_name }}.settings import Settings

{% if cookiecutter.database == "sqlite" %}
DATABASE_URL = f"{URL_SCHEME}:///./app.db"
# Made up: SQLite needs no password, but a URL may carry one, and it must come through whole.
URL_WITH_PASSWORD = "sqlite://app:s3cret-Pa55@localhost/app.db"
{% elif cookiecutter.database == "postgresql" %}
DATABASE_URL = f"{URL_SCHEME}://app:secret@db.internal:5432/app"
URL_WITH_PASSWORD = "postgresql://owner:s3cret-Pa55@db.internal:5432/app"
{% else %}
DATABASE_URL = f"{URL_SCHEME}://app:secret@db.internal:3306/app"
URL_WITH_PASSWORD = "mysql://owner:s3cret-Pa55@db.internal:3306/app"
{% endif %}
{% if cookiecutter.auth == "password" %}
# What every environment needs besides the database.
NEEDED: dict[str, Any] = {"secret_key": "4vRk0c2m0pZ8u1n7Qe3sJh6Xy9Tb5LwD"}
{% else %}
NEEDED: dict[str, Any] = {}
{% endif %}
# What production needs besides that.
FOR_PRODUCTION: dict[str, Any] = {
    "trusted_hosts": ["api.example.com"],
{% if cookiecutter.auth == "oidc" %}
    "oidc_issuer": "https://login.example.com",
    "oidc_audience": "orders",
{% endif %}
}


def make_settings(**values: Any) -> Settings:
    """Settings from these values, else what development needs, ignoring any `.env` file."""
    defaults = {"database_url": DATABASE_URL, "environment": "development", **NEEDED}
    return Settings(_env_file=None, **{**defaults, **values})


def test_a_password_in_a_database_url_comes_through_whole() -> None:
    settings = make_settings(database_url=URL_WITH_PASSWORD)

    assert settings.database_url == URL_WITH_PASSWORD.replace(
        URL_SCHEME.partition("+")[0], URL_SCHEME, 1
    )
    assert "s3cret-Pa55" in settings.database_url


def test_migrations_use_the_database_url_unless_given_their_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    unset = make_settings()
    # As a deployment sets it, empty, when the migrations need no other role.
    monkeypatch.setenv("MIGRATION_DATABASE_URL", "")
    empty = Settings(_env_file=None, database_url=DATABASE_URL, environment="development", **NEEDED)
    own = make_settings(migration_database_url=URL_WITH_PASSWORD)

    assert unset.migration_url == DATABASE_URL
    assert empty.migration_url == DATABASE_URL
    assert own.migration_url == own.migration_database_url
    assert own.migration_url != DATABASE_URL


@pytest.mark.parametrize(
    ("setting", "default", "lowest"),
    [
        ("db_pool_size", 10, 1),
        ("db_max_overflow", 0, 0),
{% if cookiecutter.database != "sqlite" %}
        ("db_connect_timeout", 5, 1),
{% endif %}
        ("web_concurrency", 1, 1),
        ("port", 8000, 1),
{% if cookiecutter.auth == "password" %}
        ("access_token_minutes", 15, 1),
        ("login_max_failures", 5, 1),
        ("login_lockout_seconds", 60, 1),
        ("login_lockout_max_seconds", 900, 1),
        ("client_logins_per_minute", 30, 1),
        ("client_signups_per_hour", 20, 1),
        ("password_hash_time_cost", 3, 1),
        ("password_hash_memory_kib", 65536, 1024),
{% endif %}
    ],
)
def test_a_setting_has_its_documented_default_and_refuses_less_than_its_lowest(
    monkeypatch: pytest.MonkeyPatch, setting: str, default: int, lowest: int
) -> None:
    monkeypatch.delenv(setting.upper(), raising=False)

    assert getattr(make_settings(), setting) == default
    assert getattr(make_settings(**{setting: lowest}), setting) == lowest
    with pytest.raises(ValidationError, match=setting):
        make_settings(**{setting: lowest - 1})
{% if cookiecutter.auth == "password" %}


def test_an_access_token_may_live_a_whole_day() -> None:
    assert make_settings(access_token_minutes=1440).access_token_minutes == 1440
{% endif %}


def test_production_starts_with_what_it_needs_and_without_it_does_not() -> None:
    """ASVS 5 V13 (its objective: a default configuration safe on the Internet): fails closed."""
    production = make_settings(environment="production", **FOR_PRODUCTION)

    assert production.environment == "production"
{% if cookiecutter.database != "sqlite" %}
    without_password = DATABASE_URL.replace("app:secret@", "app@")
    with pytest.raises(ValidationError, match="DATABASE_URL must carry a password"):
        make_settings(environment="production", database_url=without_password, **FOR_PRODUCTION)
{% endif %}
    for setting in FOR_PRODUCTION:
        lacking = {name: value for name, value in FOR_PRODUCTION.items() if name != setting}
        with pytest.raises(ValidationError, match=f"(?i){setting}"):
            make_settings(environment="production", **lacking)


def test_any_host_is_answered_by_default_in_development_and_on_purpose_in_production() -> None:
    assert make_settings().trusted_hosts == ["*"]
    # A choice made in so many words, as when the proxy in front checks the Host already.
    anyone = {**FOR_PRODUCTION, "trusted_hosts": ["*"]}
    assert make_settings(environment="production", **anyone).trusted_hosts == ["*"]
