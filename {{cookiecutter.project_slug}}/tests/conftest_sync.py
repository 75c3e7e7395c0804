"""Fixtures: a migrated test database, a rolled-back transaction per test, an HTTP client."""

import os
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
{% if cookiecutter.database == "sqlite" %}
from tempfile import TemporaryDirectory
{% endif %}
from typing import Any

{% if cookiecutter.database == "sqlite" %}
_scratch = TemporaryDirectory(prefix="{{ cookiecutter.package_name }}-tests-")
DEFAULT_TEST_DATABASE_URL = f"{{ cookiecutter.__url_scheme }}:///{_scratch.name}/test.db"
# A database file in a directory that does not exist cannot be opened.
UNREACHABLE_DATABASE_URL = "{{ cookiecutter.__url_scheme }}:////nonexistent/test.db"
{% else %}
DEFAULT_TEST_DATABASE_URL = "{{ cookiecutter.__default_database_url }}_test"
# Nothing listens on port 1 of the loopback interface.
UNREACHABLE_DATABASE_URL = "{{ cookiecutter.__url_scheme }}://user:password@127.0.0.1:1/unreachable"
{% endif %}
# The package reads its settings on import: point them at the test database first,
# and make password hashing cheap (still argon2): the tests create many users.
os.environ["DATABASE_URL"] = os.environ.get("TEST_DATABASE_URL", DEFAULT_TEST_DATABASE_URL)
os.environ["PASSWORD_HASH_MEMORY_KIB"] = "1024"
os.environ["PASSWORD_HASH_TIME_COST"] = "1"

import pytest
from alembic import command
from alembic.config import Config
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from {{ cookiecutter.package_name }}.db import engine
from {{ cookiecutter.package_name }}.db import get_session
from {{ cookiecutter.package_name }}.main import create_app

ALEMBIC_INI = Path(__file__).parents[1] / "alembic.ini"


@pytest.fixture(scope="session")
def alembic_config() -> Config:
    """Alembic's configuration, pointed at the test database by DATABASE_URL."""
    return Config(ALEMBIC_INI)


@pytest.fixture(scope="session", autouse=True)
def _migrated_database(alembic_config: Config) -> Iterator[None]:
    # The schema comes from the migrations, exactly as in production.
    command.upgrade(alembic_config, "head")
    yield
    command.downgrade(alembic_config, "base")


@pytest.fixture
def connection() -> Iterator[Connection]:
    """A connection in a transaction that is rolled back after the test."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture
def client(connection: Connection) -> TestClient:
    """An HTTP client for the app, whose requests run in savepoints of the test's transaction."""

    def session_in_savepoint() -> Iterator[Session]:
        # Like the app's own session: one per request, committed (here: the
        # savepoint released) on success, rolled back on error.
        with (
            Session(
                bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
            ) as session,
            session.begin(),
        ):
            yield session

    return TestClient(_app_with(session_in_savepoint))


@pytest.fixture
def unreachable_client() -> Iterator[TestClient]:
    """An HTTP client for the app, whose database cannot be reached."""
    unreachable = create_engine(UNREACHABLE_DATABASE_URL)

    def session_without_database() -> Iterator[Session]:
        with Session(unreachable) as session, session.begin():
            yield session

    yield TestClient(_app_with(session_without_database))
    unreachable.dispose()


def _app_with(session_dependency: Callable[[], Iterator[Session]]) -> FastAPI:
    app = create_app()
    app.dependency_overrides[get_session] = session_dependency
    return app


@pytest.fixture
def user(client: TestClient) -> dict[str, Any]:
    """A user created through the API, as the API returned it."""
    response = client.post(
        "/api/v1/users",
        json={
            "email": "ada@example.com",
            "full_name": "Ada Lovelace",
            "password": "analytical-engine",
        },
    )
    assert response.status_code == 201, response.text
    return dict(response.json())
