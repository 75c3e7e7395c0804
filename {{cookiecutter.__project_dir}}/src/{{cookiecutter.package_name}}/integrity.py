"""What a driver's error says: which constraint refused a write, and the error's code."""

import errno
{% if cookiecutter.database == "sqlite" %}
import re
import sqlite3

from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.schema import ColumnCollectionConstraint

from .base import Base

# SQLite names the columns of a unique constraint, not the constraint:
# "UNIQUE constraint failed: items.owner_id, items.title".
UNIQUE_COLUMNS = re.compile(r"UNIQUE constraint failed: (\w+)\.(\w+(?:, \w+\.\w+)*)")
# Nor the foreign key; the table written to is in the statement.
WRITTEN_TABLE = re.compile(r"^\s*(?:INSERT INTO|UPDATE)\s+\"?(\w+)", re.IGNORECASE)


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
{% elif cookiecutter.database == "postgresql" %}

from sqlalchemy.exc import IntegrityError


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
{% else %}
import re

from sqlalchemy.exc import IntegrityError

# MySQL's error numbers, and where its messages name the constraint:
# "Duplicate entry 'a@example.com' for key 'uq_users_email'" (MySQL 8 puts "users." before it),
# "... CONSTRAINT `fk_items_owner_id_users` FOREIGN KEY (`owner_id`) ...".
NAMED_IN_MESSAGE = {
    1062: re.compile(r"for key '(?:\w+\.)?(\w+)'"),
    1452: re.compile(r"CONSTRAINT `(\w+)` FOREIGN KEY"),
}


def violated_constraint(error: IntegrityError) -> str | None:
    """The name of the constraint that refused the write, or None if it cannot be told."""
    args: tuple[object, ...] = getattr(error.orig, "args", ())
    if len(args) < 2 or args[0] not in NAMED_IN_MESSAGE:
        return None
    match = NAMED_IN_MESSAGE[args[0]].search(str(args[1]))
    return match.group(1) if match else None
{% endif %}


def error_code(error: BaseException) -> str | None:
    """The driver's code for an error, never its message (which may hold data or a password).

{% if cookiecutter.database == "sqlite" %}
    SQLite's name for it (SQLITE_BUSY), or the operating system's (ECONNREFUSED).
    """
    cause = getattr(error, "orig", None) or error
    name = getattr(cause, "sqlite_errorname", None)
    if name:
        return str(name)
{% elif cookiecutter.database == "postgresql" %}
    The SQLSTATE (57P01), or the operating system's name for it (ECONNREFUSED).
    """
    cause = getattr(error, "orig", None) or error
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate:
        return str(sqlstate)
{% else %}
    MySQL's error number (2003), or the operating system's name for it (ECONNREFUSED).
    """
    cause = getattr(error, "orig", None) or error
    args: tuple[object, ...] = getattr(cause, "args", ())
    if args and isinstance(args[0], int):
        return str(args[0])
{% endif %}
    if isinstance(cause, OSError) and cause.errno:
        return errno.errorcode.get(cause.errno)
    return None
