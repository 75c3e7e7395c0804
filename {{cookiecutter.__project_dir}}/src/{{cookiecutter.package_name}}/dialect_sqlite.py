"""What SQLite does its own way: connecting and its connections' set-up, reads, errors, locks."""
{% from "driver.jinja" import AbstractContextManager, Connection, Engine, imports, async_imports with context %}

import errno
import re
import sqlite3
from collections.abc import Callable
from collections.abc import Iterator
{{- imports("AbstractContextManager") }}
from contextlib import contextmanager
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
{{- async_imports("Connection", "Engine") }}
from sqlalchemy.sql.schema import ColumnCollectionConstraint

from .base import Base
from .settings import Settings

# The type of the timestamps' columns (SQLite keeps them as text, without their time zone).
TIMESTAMP = DateTime(timezone=True)
# SQLite names the columns of a unique constraint, not the constraint:
# "UNIQUE constraint failed: items.owner_id, items.title".
UNIQUE_COLUMNS = re.compile(r"UNIQUE constraint failed: (\w+)\.(\w+(?:, \w+\.\w+)*)")
# Nor the foreign key; the table written to is in the statement.
WRITTEN_TABLE = re.compile(r"^\s*(?:INSERT INTO|UPDATE)\s+\"?(\w+)", re.IGNORECASE)
# An execution option of the engine that statements which are a transaction by themselves go
# through: the reads of one statement (see `read_engine`), and the writes of one.
ONE_STATEMENT_READS = "one_statement_reads"


def connect_arguments(settings: Settings) -> dict[str, Any]:
    """What the driver is given for every new connection."""
    return {"timeout": settings.db_busy_timeout}


def configure_sqlite(engine: Engine) -> None:
    """Set up every connection the engine opens, and let SQLAlchemy begin the transactions."""
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _begin)


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy emit BEGIN itself (see `_begin`), so that reads and
    # savepoints take part in the transaction too.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    # Readers and one writer work side by side; a writer waits for the other.
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _begin(connection: Connection) -> None:
    # Not for the statements that are a transaction by themselves (see `read_engine`): outside
    # a transaction, SQLite runs each statement in one of its own.
    if not connection.get_execution_options().get(ONE_STATEMENT_READS):
        connection.exec_driver_sql("BEGIN")


def read_engine(engine: {{ Engine }}, settings: Settings) -> {{ Engine }}:
    """The engine that reads of one statement go through: without a BEGIN of their own.

    Outside a transaction, SQLite runs a statement in one of its own, which reads one
    snapshot. A BEGIN costs no round trip, but it is one more statement through the driver:
    with aiosqlite, three hops to the connection's thread and back.
    """
    return engine.execution_options(**{ONE_STATEMENT_READS: True})


def one_statement_writes(
    engine: {{ Engine }}, settings: Settings
) -> Callable[[], {{ AbstractContextManager }}[{{ Connection }}]]:
    """Where a write of one statement goes: a connection on which it commits by itself.

    The reads' (see `read_engine`): outside a transaction, SQLite runs the statement in one of
    its own, committed as the statement ends. There is no COMMIT to send, which with aiosqlite
    would be one more hop to the connection's thread and back.
    """
    return read_engine(engine, settings).connect


def violated_constraint(error: IntegrityError) -> str | None:
    """The name of the constraint that refused the write, or None if it cannot be told."""
    code = getattr(error.orig, "sqlite_errorcode", None)
    if code == sqlite3.SQLITE_CONSTRAINT_UNIQUE:
        match = UNIQUE_COLUMNS.search(str(error.orig))
        if match is None:
            return None
        columns = [column.split(".")[-1] for column in match.group(2).split(", ")]
        return _constraint_named_by_columns(match.group(1), columns)
    if code == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
        match = WRITTEN_TABLE.match(error.statement or "")
        table = Base.metadata.tables.get(match.group(1)) if match else None
        # Told apart only when the table has a single foreign key.
        keys = [key.name for key in table.foreign_key_constraints] if table is not None else []
        return str(keys[0]) if len(keys) == 1 else None
    return None


def _constraint_named_by_columns(table_name: str, columns: list[str]) -> str | None:
    table = Base.metadata.tables.get(table_name)
    if table is None:
        return None
    for constraint in table.constraints:
        if not isinstance(constraint, ColumnCollectionConstraint):
            continue
        if [column.name for column in constraint.columns] == columns and constraint.name:
            return str(constraint.name)
    return None


def error_code(error: BaseException) -> str | None:
    """The driver's code for an error, never its message (which may hold data or a password).

    SQLite's name for it (SQLITE_BUSY), or the operating system's (ECONNREFUSED).
    """
    cause = getattr(error, "orig", None) or error
    name = getattr(cause, "sqlite_errorname", None)
    if name:
        return str(name)
    if isinstance(cause, OSError) and cause.errno:
        return errno.errorcode.get(cause.errno)
    return None


@contextmanager
def one_migrator_at_a_time(connection: Connection) -> Iterator[None]:
    """Let migrators started together (replicas, a retried job) take turns."""
    # SQLite lets one connection write at a time already.
    yield
