"""Tell the database's integrity errors apart: a taken unique value, or a missing referenced row."""

{% if cookiecutter.database == "sqlite" %}
import sqlite3

from sqlalchemy.exc import IntegrityError


def is_unique_violation(error: IntegrityError) -> bool:
    """Whether a unique constraint refused the write."""
    return getattr(error.orig, "sqlite_errorcode", None) == sqlite3.SQLITE_CONSTRAINT_UNIQUE


def is_foreign_key_violation(error: IntegrityError) -> bool:
    """Whether the write referred to a row that does not exist."""
    return getattr(error.orig, "sqlite_errorcode", None) == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
{% elif cookiecutter.database == "postgresql" %}
from sqlalchemy.exc import IntegrityError

# SQLSTATE codes, the same for every PostgreSQL driver.
UNIQUE_VIOLATION = "23505"
FOREIGN_KEY_VIOLATION = "23503"


def is_unique_violation(error: IntegrityError) -> bool:
    """Whether a unique constraint refused the write."""
    return getattr(error.orig, "sqlstate", None) == UNIQUE_VIOLATION


def is_foreign_key_violation(error: IntegrityError) -> bool:
    """Whether the write referred to a row that does not exist."""
    return getattr(error.orig, "sqlstate", None) == FOREIGN_KEY_VIOLATION
{% else %}
from sqlalchemy.exc import IntegrityError

# MySQL and MariaDB report both as SQLSTATE 23000; their error numbers tell them apart.
ER_DUP_ENTRY = 1062
ER_NO_REFERENCED_ROW_2 = 1452


def _error_number(error: IntegrityError) -> object:
    args = getattr(error.orig, "args", ())
    return args[0] if args else None


def is_unique_violation(error: IntegrityError) -> bool:
    """Whether a unique constraint refused the write."""
    return _error_number(error) == ER_DUP_ENTRY


def is_foreign_key_violation(error: IntegrityError) -> bool:
    """Whether the write referred to a row that does not exist."""
    return _error_number(error) == ER_NO_REFERENCED_ROW_2
{% endif %}
