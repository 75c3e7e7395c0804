"""Alembic environment: migrate the database the settings point at, on a connection of its own."""

{% if cookiecutter.driver == "async" %}
import asyncio
{% endif %}
from collections.abc import Iterator
from contextlib import contextmanager
from logging.config import fileConfig
from typing import Any
from typing import Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from pydantic import ValidationError
{% if cookiecutter.driver == "sync" %}
from sqlalchemy import create_engine
{% endif %}
from sqlalchemy import pool
{% if cookiecutter.database != "sqlite" %}
from sqlalchemy import text
{% endif %}
from sqlalchemy.engine import Connection
{% if cookiecutter.driver == "async" %}
from sqlalchemy.ext.asyncio import create_async_engine
{% endif %}
from sqlalchemy.types import TypeDecorator

# Importing the models registers their tables on the metadata.
from {{ cookiecutter.package_name }} import models  # noqa: F401
from {{ cookiecutter.package_name }}.base import Base
from {{ cookiecutter.package_name }}.settings import DatabaseSettings
from {{ cookiecutter.package_name }}.settings import invalid_settings

{% if cookiecutter.database == "postgresql" %}
# An advisory lock's key, the same for every migrator of this database.
MIGRATION_LOCK = 4_611_686_018_427_387_905
{% elif cookiecutter.database == "mysql" %}
# A named lock, with the database's name appended: the same for every migrator of this database.
MIGRATION_LOCK = "alembic-migrations"
{% endif %}
{% if cookiecutter.database != "sqlite" %}

{% endif %}
config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def database_url() -> str:
    """The database to migrate: the tests' one, else MIGRATION_DATABASE_URL, else DATABASE_URL."""
    given = config.attributes.get("database_url")
    if given:
        return str(given)
    try:
        return DatabaseSettings().migration_url
    except ValidationError as error:
        raise invalid_settings(error) from None


def _render_item(kind: str, obj: Any, autogen: AutogenContext) -> str | Literal[False]:
    # Revisions spell the service's own column types as the SQLAlchemy type they store, so
    # that they never import the package (whose code moves on after them).
    if kind == "type" and isinstance(obj, TypeDecorator):
        stored = obj.impl_instance
        module = type(stored).__module__
        if module.startswith("sqlalchemy.dialects."):
            dialect = module.split(".")[2]
            autogen.imports.add(f"from sqlalchemy.dialects import {dialect}")
            return f"{dialect}.{stored!r}"
        return f"sa.{stored!r}"
    return False


# Options shared by offline (SQL script) and online runs.
OPTIONS: dict[str, Any] = {
    "target_metadata": Base.metadata,
    "compare_type": True,
    "render_item": _render_item,
{% if cookiecutter.database == "sqlite" %}
    # SQLite alters a table by copying it: autogenerate writes batch operations.
    "render_as_batch": True,
{% endif %}
}


def run_migrations_offline() -> None:
    """Write the migrations as SQL instead of running them (`alembic upgrade --sql`)."""
    context.configure(url=database_url(), literal_binds=True, **OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


def _run_migrations(connection: Connection) -> None:
    with _one_migrator_at_a_time(connection):
        context.configure(connection=connection, **OPTIONS)
        with context.begin_transaction():
            context.run_migrations()


@contextmanager
def _one_migrator_at_a_time(connection: Connection) -> Iterator[None]:
    # Migrators started together (replicas, a retried job) take turns: the first migrates,
    # the next finds the schema at head and does nothing. The lock is the session's, not the
    # transaction's, and ends with the connection if the migrator dies.
{% if cookiecutter.database == "postgresql" %}
    connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
    connection.commit()
    try:
        yield
    finally:
        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
        connection.commit()
{% elif cookiecutter.database == "mysql" %}
    name = {"name": f"{MIGRATION_LOCK}.{connection.engine.url.database}"}
    taken = connection.execute(text("SELECT GET_LOCK(:name, :seconds)"), {**name, "seconds": 600})
    if taken.scalar() != 1:
        message = "another migration held the lock for ten minutes"
        raise RuntimeError(message)
    connection.commit()
    try:
        yield
    finally:
        connection.execute(text("SELECT RELEASE_LOCK(:name)"), name)
        connection.commit()
{% else %}
    # SQLite lets one connection write at a time already.
    yield
{% endif %}
{% if cookiecutter.driver == "async" %}


async def run_migrations_online() -> None:
    """Run the migrations on a connection of their own, outside any pool."""
    engine = create_async_engine(database_url(), poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_run_migrations)
    await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())
{% else %}


def run_migrations_online() -> None:
    """Run the migrations on a connection of their own, outside any pool."""
    engine = create_engine(database_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        _run_migrations(connection)
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
{% endif %}
