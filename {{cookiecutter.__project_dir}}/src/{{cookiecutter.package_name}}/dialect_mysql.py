"""What MySQL does its own way: connecting, reads, errors, locks."""
{% from "driver.jinja" import AbstractContextManager, Connection, Engine, imports, async_imports, sync_imports with context %}

import errno
import re
from collections.abc import Callable
from collections.abc import Iterator
{{- imports("AbstractContextManager") }}
from contextlib import contextmanager
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Connection
{{- sync_imports("Engine") }}
from sqlalchemy.exc import IntegrityError
{{- async_imports("Connection", "Engine") }}

from .settings import Settings

# The type of the timestamps' columns: DATETIME keeps whole seconds unless asked for microseconds.
TIMESTAMP = mysql.DATETIME(fsp=6)
# MySQL keeps one more connection for an administrator, above max_connections.
CONNECTION_LIMIT = text("SELECT @@max_connections")
# Each statement sees what was committed before it, as on PostgreSQL. At MySQL's default,
# REPEATABLE READ, a locking read of a row that is missing locks the gap where it would be:
# requests that then create rows in that gap wait for each other, and are rolled back as
# deadlocked. What the service relies on is held by locks and constraints, not a snapshot.
READ_COMMITTED = "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED"
# A named lock, with the database's name appended: the same for every migrator of this database.
MIGRATION_LOCK = "alembic-migrations"
# MySQL's error numbers, and where its messages name the constraint:
# "Duplicate entry 'a@example.com' for key 'uq_users_email'" (MySQL 8 puts "users." before it),
# "... CONSTRAINT `fk_items_owner_id_users` FOREIGN KEY (`owner_id`) ...".
NAMED_IN_MESSAGE = {
    1062: re.compile(r"for key '(?:\w+\.)?(\w+)'"),
    1452: re.compile(r"CONSTRAINT `(\w+)` FOREIGN KEY"),
}


def connect_arguments(settings: Settings) -> dict[str, Any]:
    """What the driver is given for every new connection."""
    # utf8mb4 stores all of Unicode; MySQL's "utf8" stops at three bytes a character.
    return {
        "charset": "utf8mb4",
        "connect_timeout": settings.db_connect_timeout,
        "init_command": READ_COMMITTED,
    }


def read_engine(engine: {{ Engine }}, settings: Settings) -> {{ Engine }}:
    """The engine that reads of one statement go through.

    They stay in transactions: switching MySQL's autocommit on and off costs a round trip
    each way, as much as the COMMIT it would save.
    """
    return engine


def one_statement_writes(
    engine: {{ Engine }}, settings: Settings
) -> Callable[[], {{ AbstractContextManager }}[{{ Connection }}]]:
    """Where a write of one statement goes: a connection on which it commits by itself.

    In a transaction of its own, as the reads are (the statement, COMMIT).
    """
    return engine.begin


def violated_constraint(error: IntegrityError) -> str | None:
    """The name of the constraint that refused the write, or None if it cannot be told."""
    args: tuple[object, ...] = getattr(error.orig, "args", ())
    if len(args) < 2 or args[0] not in NAMED_IN_MESSAGE:
        return None
    match = NAMED_IN_MESSAGE[args[0]].search(str(args[1]))
    return match.group(1) if match else None


def error_code(error: BaseException) -> str | None:
    """The driver's code for an error, never its message (which may hold data or a password).

    MySQL's error number (2003), or the operating system's name for it (ECONNREFUSED).
    """
    cause = getattr(error, "orig", None) or error
    args: tuple[object, ...] = getattr(cause, "args", ())
    if args and isinstance(args[0], int):
        return str(args[0])
    if isinstance(cause, OSError) and cause.errno:
        return errno.errorcode.get(cause.errno)
    return None


@contextmanager
def one_migrator_at_a_time(connection: Connection) -> Iterator[None]:
    """Let migrators started together (replicas, a retried job) take turns."""
    # The first migrates, the next finds the schema at head and does nothing. The lock is the
    # session's, not the transaction's, and ends with the connection if the migrator dies.
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
