"""Settings' defaults, the bounds each one is held to, and the fallbacks between them."""

import pytest
from pydantic import ValidationError

from {{ cookiecutter.package_name }}.settings import URL_SCHEME
from {{ cookiecutter.package_name }}.settings import Settings

from database import DATABASE_BOUNDS
from database import DATABASE_URL
from database import URL_WITH_PASSWORD
from example_settings import AUTH_BOUNDS
from example_settings import FOR_PRODUCTION
from example_settings import NEEDED
from example_settings import make_settings


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
        *DATABASE_BOUNDS,
        ("web_concurrency", 1, 1),
        ("port", 8000, 1),
        *AUTH_BOUNDS,
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


def test_production_starts_with_what_it_needs() -> None:
    production = make_settings(environment="production", **FOR_PRODUCTION)

    assert production.environment == "production"
