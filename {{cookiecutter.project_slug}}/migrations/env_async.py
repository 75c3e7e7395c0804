"""Alembic environment: migrate the database the service's settings point at."""

import asyncio
from logging.config import fileConfig
from typing import Any
from typing import Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from {{ cookiecutter.package_name }} import models  # noqa: F401 (registers the tables)
from {{ cookiecutter.package_name }}.column_types import UTCDateTime
from {{ cookiecutter.package_name }}.db import Base
from {{ cookiecutter.package_name }}.settings import get_settings

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

DATABASE_URL = get_settings().database_url


def _render_item(kind: str, obj: Any, _context: AutogenContext) -> str | Literal[False]:
    # Revisions spell the service's own column types in plain SQLAlchemy, so
    # that they do not import the package (whose code moves on after them).
    if kind == "type" and isinstance(obj, UTCDateTime):
{% if cookiecutter.database == "mysql" %}
        _context.imports.add("from sqlalchemy.dialects import mysql")
{% endif %}
        return "{{ cookiecutter.__timestamp_type }}"
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
    context.configure(url=DATABASE_URL, literal_binds=True, **OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


def _run_migrations(connection: Connection) -> None:
    context.configure(connection=connection, **OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_online() -> None:
    """Run the migrations on a connection of its own, outside the service's pool."""
    engine = create_async_engine(DATABASE_URL, poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_run_migrations)
    await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())
