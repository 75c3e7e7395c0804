"""Settings: the database URL must suit the service's driver, production must be set up safely."""

import os
from typing import Any

import pytest
from pydantic import ValidationError

from {{ cookiecutter.package_name }}.settings import Settings
from {{ cookiecutter.package_name }}.settings import get_settings

{% if cookiecutter.database == "sqlite" %}
URL_WITHOUT_DRIVER = "sqlite:///./app.db"
URL_WITH_DRIVER = "{{ cookiecutter.__url_scheme }}:///./app.db"
URL_WITH_OTHER_DRIVER = "sqlite+pysqlcipher:///./app.db"
{% elif cookiecutter.database == "postgresql" %}
URL_WITHOUT_DRIVER = "postgresql://app:secret@db.internal:5432/app"
URL_WITH_DRIVER = "{{ cookiecutter.__url_scheme }}://app:secret@db.internal:5432/app"
URL_WITH_OTHER_DRIVER = "postgresql+psycopg2://app:secret@db.internal:5432/app"
{% else %}
URL_WITHOUT_DRIVER = "mysql://app:secret@db.internal:3306/app"
URL_WITH_DRIVER = "{{ cookiecutter.__url_scheme }}://app:secret@db.internal:3306/app"
URL_WITH_OTHER_DRIVER = "mysql+mysqldb://app:secret@db.internal:3306/app"
{% endif %}
GOOD_SECRET = "4vRk0c2m0pZ8u1n7Qe3sJh6Xy9Tb5LwD"


def make_settings(**values: Any) -> Settings:
    """Settings from these values, else a valid URL in development, ignoring any `.env` file."""
    return Settings(
        _env_file=None, **{"database_url": URL_WITH_DRIVER, "environment": "development", **values}
    )


def test_url_without_driver_gets_the_services_driver() -> None:
    assert make_settings(database_url=URL_WITHOUT_DRIVER).database_url == URL_WITH_DRIVER


def test_url_with_another_driver_is_refused_naming_both() -> None:
    with pytest.raises(ValidationError) as error:
        make_settings(database_url=URL_WITH_OTHER_DRIVER)

    message = str(error.value)
    assert "database_url" in message
    assert "{{ cookiecutter.__url_scheme }}" in message
    # The URL (and the password in it) is not repeated in the error.
    assert URL_WITH_OTHER_DRIVER not in message


def test_invalid_settings_stop_the_service_with_one_line_naming_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", URL_WITH_DRIVER)
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("SECRET_KEY", "too-short")
    monkeypatch.setenv("DB_POOL_SIZE", "none")

    with pytest.raises(SystemExit) as exited:
        get_settings()

    message = str(exited.value.code)
    assert message.startswith("Invalid settings: DB_POOL_SIZE ")
    assert "\n" not in message
    # Model checks run only once the fields are valid.
    monkeypatch.setenv("DB_POOL_SIZE", "10")
    with pytest.raises(SystemExit, match="SECRET_KEY must be a random value"):
        get_settings()


def test_production_is_the_default_and_development_is_asked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ENVIRONMENT", raising=False)

    unsaid = Settings(_env_file=None, database_url=URL_WITH_DRIVER, secret_key=GOOD_SECRET)
    assert unsaid.environment == "production"
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(_env_file=None, database_url=URL_WITH_DRIVER)


def test_password_hashes_run_one_per_cpu_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PASSWORD_HASH_CONCURRENCY", raising=False)
    assert make_settings().password_hash_concurrency == os.cpu_count()
    assert make_settings(password_hash_concurrency=1).password_hash_concurrency == 1
    with pytest.raises(ValidationError, match="password_hash_concurrency"):
        make_settings(password_hash_concurrency=0)


def test_development_needs_no_secret() -> None:
    assert make_settings(environment="development", secret_key="").environment == "development"


@pytest.mark.parametrize("secret", ["", "change-me", "too-short"])
def test_production_refuses_a_missing_or_weak_secret(secret: str) -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        make_settings(environment="production", secret_key=secret)


def test_production_starts_with_a_strong_secret() -> None:
    production = make_settings(environment="production", secret_key=GOOD_SECRET)

    assert production.secret_key.get_secret_value() == GOOD_SECRET
{% if cookiecutter.database != "sqlite" %}


def test_production_refuses_a_database_url_without_password() -> None:
    with pytest.raises(ValidationError, match="DATABASE_URL"):
        make_settings(
            environment="production",
            secret_key=GOOD_SECRET,
            database_url="{{ cookiecutter.__url_scheme }}://app@db.internal/app",
        )
{% endif %}
