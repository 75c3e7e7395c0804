"""Fixtures: the test database migrated once, a rolled-back transaction per test, an HTTP client.

Who calls the API (accounts, tokens) is in accounts.py.
"""
{% from "driver.jinja" import async, await, Client, Connection, Engine, Iterator, contextmanager, sessionmaker, imports, async_imports with context %}
{{ async_imports("Iterator") }}
from collections.abc import Callable
from collections.abc import Iterator
{{- imports("contextmanager") }}
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from fastapi import FastAPI
{{- imports("ASGITransport", "Client") }}
from sqlalchemy import delete
{{- imports("Connection", "Engine", "sessionmaker") }}

from {{ cookiecutter.package_name }}.base import Base
from {{ cookiecutter.package_name }}.db import connect
from {{ cookiecutter.package_name }}.main import create_app
from {{ cookiecutter.package_name }}.settings import Settings

from database import UNREACHABLE_DATABASE_URL
from database import database_url_for_tests

# The fixtures of the accounts that call the API, and the settings they need.
pytest_plugins = ["accounts"]

ALEMBIC_INI = Path(__file__).parents[1] / "alembic.ini"


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory, auth_settings: dict[str, Any]) -> Settings:
    """The service's settings for the tests: the test database, and those of authentication."""
    return Settings(
        _env_file=None,
        environment="development",
        database_url=database_url_for_tests(tmp_path_factory.mktemp("database")),
        **auth_settings,
    )


@pytest.fixture(scope="session")
def alembic_config(settings: Settings) -> Config:
    """Alembic's configuration, pointed at the test database."""
    config = Config(ALEMBIC_INI)
    config.attributes["database_url"] = settings.database_url
    return config


@pytest.fixture(scope="session", autouse=True)
def _migrated_database(alembic_config: Config) -> Iterator[None]:
    # The schema comes from the migrations, exactly as in production.
    command.upgrade(alembic_config, "head")
    yield
    command.downgrade(alembic_config, "base")


@pytest.fixture(scope="session")
{{ async }}def engine(settings: Settings) -> {{ Iterator }}[{{ Engine }}]:
    """An engine on the test database, for the tests' own transactions."""
    database = connect(settings)
    yield database.engine
    {{ await }}database.engine.dispose()


@pytest.fixture
{{ async }}def connection(engine: {{ Engine }}) -> {{ Iterator }}[{{ Connection }}]:
    """A connection in a transaction that is rolled back after the test."""
    {{ async }}with engine.connect() as connection:
        transaction = {{ await }}connection.begin()
        yield connection
        {{ await }}transaction.rollback()


@pytest.fixture
def app_with(settings: Settings, connection: {{ Connection }}) -> Callable[..., FastAPI]:
    """Build the app, with any settings changed; its transactions are savepoints of the test's."""
    # Like the app's own sessions, but on the test's connection: a request's transaction is
    # a savepoint, released on success and rolled back on error, and the test's rolls back all.
    in_savepoints = {{ sessionmaker }}(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )

    def build(**changes: Any) -> FastAPI:
        app = create_app(settings.model_copy(update=changes))
        app.state.database = replace(
            app.state.database,
            sessions=in_savepoints,
            # Reads see the test's rows, on its connection, which stays open after them.
            read_connection=lambda: nullcontext(connection),
            # A write of one statement, in a savepoint: one the database refuses leaves the
            # test's transaction usable, as it leaves the app's connections.
            write_connection=lambda: _savepoint(connection),
        )
        return app

    return build


@{{ contextmanager }}
{{ async }}def _savepoint(connection: {{ Connection }}) -> {{ Iterator }}[{{ Connection }}]:
    {{ async }}with connection.begin_nested():
        yield connection


@pytest.fixture
def client_with(app_with: Callable[..., FastAPI]) -> Callable[..., {{ Client }}]:
    """A client of the app built with some settings changed; open it with `{{ async }}with`."""
    return lambda **changes: _client_of(app_with(**changes))


@pytest.fixture
{{ async }}def client(client_with: Callable[..., {{ Client }}]) -> {{ Iterator }}[{{ Client }}]:
    """An HTTP client for the app, whose requests run in savepoints of the test's transaction."""
    {{ async }}with client_with() as client:
        yield client


@pytest.fixture
{{ async }}def committing_app_with(
    settings: Settings,
    engine: {{ Engine }},
) -> {{ Iterator }}[Callable[..., FastAPI]]:
    """Build the app with some settings changed, on a pool of its own: its transactions commit.

    For the tests of requests at once, which a single test transaction cannot hold. What the
    apps' requests wrote is deleted after the test, every row of every table.
    """
    apps: list[FastAPI] = []

    def build(**changes: Any) -> FastAPI:
        apps.append(create_app(settings.model_copy(update=changes)))
        return apps[-1]

    yield build
    for app in apps:
        {{ await }}app.state.database.engine.dispose()
    {{ async }}with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            {{ await }}connection.execute(delete(table))


@pytest.fixture
{{ async }}def unreachable_client(settings: Settings) -> {{ Iterator }}[{{ Client }}]:
    """An HTTP client for an app whose database cannot be reached."""
    app = create_app(settings.model_copy(update={"database_url": UNREACHABLE_DATABASE_URL}))
    {{ async }}with _client_of(app) as client:
        yield client


@pytest.fixture
def client_of() -> Callable[[FastAPI], {{ Client }}]:
    """Makes a client of an app a test built itself; open it with `{{ async }}with`."""
    return _client_of


def _client_of(app: FastAPI) -> {{ Client }}:
{% if cookiecutter.driver == "async" %}
    return AsyncClient(transport=ASGITransport(app=app), base_url="http://test")
{% else %}
    return TestClient(app)
{% endif %}
