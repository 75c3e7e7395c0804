"""What PostgreSQL does its own way: connecting (through PgBouncer too), reads, errors, locks."""
{% from "driver.jinja" import AbstractContextManager, Connection, Engine, imports, async_imports, sync_imports with context %}

import errno
from collections.abc import Callable
from collections.abc import Iterator
{{- imports("AbstractContextManager") }}
from contextlib import contextmanager
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy import text
from sqlalchemy.engine import Connection
{{- sync_imports("Engine") }}
from sqlalchemy.exc import IntegrityError
{{- async_imports("Connection", "Engine") }}

from .settings import Settings

# The type of the timestamps' columns: timestamp with time zone.
TIMESTAMP = DateTime(timezone=True)
# max_connections, less the connections kept for superusers (and, from PostgreSQL 16, for roles
# given pg_use_reserved_connections).
CONNECTION_LIMIT = text(
    "SELECT current_setting('max_connections')::int"
    " - current_setting('superuser_reserved_connections')::int"
    " - coalesce(current_setting('reserved_connections', true), '0')::int"
)
# An advisory lock's key, the same for every migrator of this database.
MIGRATION_LOCK = 4_611_686_018_427_387_905


def connect_arguments(settings: Settings) -> dict[str, Any]:
    """What the driver is given for every new connection."""
{% if cookiecutter.driver == "async" %}
    arguments: dict[str, Any] = {"timeout": settings.db_connect_timeout}
    if settings.db_external_pooler == "pgbouncer":
        # PgBouncer in transaction mode hands each transaction to any server connection, so
        # nothing may stay prepared from one to the next: no statement caches, and unnamed
        # statements, which live and die in the transaction SQLAlchemy opens around each.
        arguments |= {
            "statement_cache_size": 0,
            "prepared_statement_cache_size": 0,
            "prepared_statement_name_func": lambda: "",
        }
    return arguments
{% else %}
    arguments: dict[str, Any] = {"connect_timeout": settings.db_connect_timeout}
    if settings.db_external_pooler == "pgbouncer":
        # PgBouncer in transaction mode hands each transaction to any server connection, so
        # nothing may stay prepared from one to the next: psycopg never prepares server-side.
        arguments["prepare_threshold"] = None
    return arguments
{% endif %}


def read_engine(engine: {{ Engine }}, settings: Settings) -> {{ Engine }}:
    """The engine that reads of one statement go through: in autocommit mode when it is safe."""
    # A read of one statement needs no transaction. In autocommit mode it costs one round trip
    # instead of three (BEGIN, the query, COMMIT). Not behind PgBouncer in transaction mode,
    # where a statement must be prepared and run within one transaction.
    reads = engine
    if settings.db_external_pooler != "pgbouncer":
        reads = engine.execution_options(isolation_level="AUTOCOMMIT")
    return reads


def one_statement_writes(
    engine: {{ Engine }}, settings: Settings
) -> Callable[[], {{ AbstractContextManager }}[{{ Connection }}]]:
    """Where a write of one statement goes: a connection on which it commits by itself."""
    # In autocommit mode, as the reads are: one round trip. Behind PgBouncer in transaction
    # mode, in a transaction of its own (BEGIN, the statement, COMMIT), as a read is there.
    if settings.db_external_pooler == "pgbouncer":
        return engine.begin
    return read_engine(engine, settings).connect


def violated_constraint(error: IntegrityError) -> str | None:
    """The name of the constraint that refused the write, or None if it cannot be told."""
{% if cookiecutter.driver == "async" %}
    # SQLAlchemy raises its own error from asyncpg's, and asyncpg's names the constraint.
    name = getattr(error.orig and error.orig.__cause__, "constraint_name", None)
{% else %}
    diagnostics = getattr(error.orig, "diag", None)
    name = getattr(diagnostics, "constraint_name", None)
{% endif %}
    return str(name) if name else None


def error_code(error: BaseException) -> str | None:
    """The driver's code for an error, never its message (which may hold data or a password).

    The SQLSTATE (57P01), or the operating system's name for it (ECONNREFUSED).
    """
    cause = getattr(error, "orig", None) or error
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate:
        return str(sqlstate)
    if isinstance(cause, OSError) and cause.errno:
        return errno.errorcode.get(cause.errno)
    return None


@contextmanager
def one_migrator_at_a_time(connection: Connection) -> Iterator[None]:
    """Let migrators started together (replicas, a retried job) take turns."""
    # The first migrates, the next finds the schema at head and does nothing. The lock is the
    # session's, not the transaction's, and ends with the connection if the migrator dies.
    connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
    connection.commit()
    try:
        yield
    finally:
        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
        connection.commit()
