"""Alembic environment: migrate the database the settings point at, on a connection of its own."""
{% from "driver.jinja" import async, await, create_engine, async_imports, sync_imports, run with context %}
{{ async_imports("asyncio") }}
from logging.config import fileConfig
from typing import Any
from typing import Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from pydantic import ValidationError
{{- sync_imports("create_engine") }}
from sqlalchemy import pool
from sqlalchemy.engine import Connection
{{- async_imports("create_engine") }}
from sqlalchemy.types import TypeDecorator

# Importing the models registers their tables on the metadata.
from {{ cookiecutter.package_name }} import models  # noqa: F401
from {{ cookiecutter.package_name }}.base import Base
from {{ cookiecutter.package_name }}.dialect import one_migrator_at_a_time
from {{ cookiecutter.package_name }}.settings import DatabaseSettings
from {{ cookiecutter.package_name }}.settings import invalid_settings

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
    with one_migrator_at_a_time(connection):
        context.configure(connection=connection, **OPTIONS)
        with context.begin_transaction():
            context.run_migrations()


{{ async }}def run_migrations_online() -> None:
    """Run the migrations on a connection of their own, outside any pool."""
    engine = {{ create_engine }}(database_url(), poolclass=pool.NullPool)
    {{ async }}with engine.connect() as connection:
{% if cookiecutter.driver == "async" %}
        await connection.run_sync(_run_migrations)
{% else %}
        _run_migrations(connection)
{% endif %}
    {{ await }}engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    {{ run("run_migrations_online()") }}
