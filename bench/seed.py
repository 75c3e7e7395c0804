"""Fill a migrated database with the same users and items for every app under test."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import psycopg

USER_COLUMNS = (
    "email", "full_name", "hashed_password", "is_active", "is_superuser", "token_version", "created_at",
)  # fmt: skip
ITEM_COLUMNS = ("title", "description", "status", "owner_id", "created_at")
# The seeded users never log in (the benchmark's admin does, made by the service's own command):
# a fixed string stands in for their password hashes.
PLACEHOLDER_HASH = "$argon2id$v=19$m=65536,t=3,p=4$YmVuY2htYXJr$cGxhY2Vob2xkZXI"
SEEDED_FROM = datetime(2025, 1, 1, tzinfo=UTC)


def user_rows(count: int) -> Iterator[tuple[object, ...]]:
    """Users 1..count, in id order; the database assigns the ids."""
    for n in range(1, count + 1):
        yield (
            f"user{n}@example.com",
            f"User {n}",
            PLACEHOLDER_HASH,
            True,
            False,
            0,
            SEEDED_FROM + timedelta(seconds=n),
        )


def item_rows(count: int) -> Iterator[tuple[object, ...]]:
    """Items 1..count, item n owned by user n, every other one public."""
    for n in range(1, count + 1):
        status = "public" if n % 2 else "private"
        description = f"Seeded item number {n}, for the benchmark."
        yield (f"Item {n}", description, status, n, SEEDED_FROM + timedelta(seconds=n))


def seed_postgresql(conninfo: str, count: int) -> None:
    """Copy count users and count items into a migrated PostgreSQL database."""
    with psycopg.connect(conninfo) as conn:
        copy_rows(conn, "users", USER_COLUMNS, user_rows(count))
        copy_rows(conn, "items", ITEM_COLUMNS, item_rows(count))
    # Fresh statistics now, so that autovacuum does not change the plans in the middle of a run.
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("ANALYZE")


def copy_rows(
    conn: psycopg.Connection[tuple[object, ...]],
    table: str,
    columns: tuple[str, ...],
    rows: Iterator[tuple[object, ...]],
) -> None:
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with conn.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def seed_sqlite(path: Path, count: int) -> None:
    """Insert count users and count items into a migrated SQLite database file."""
    with sqlite3.connect(path) as conn:
        insert_rows(conn, "users", USER_COLUMNS, user_rows(count))
        insert_rows(conn, "items", ITEM_COLUMNS, item_rows(count))
    conn.close()


def insert_rows(
    conn: sqlite3.Connection, table: str, columns: tuple[str, ...], rows: Iterator[tuple[object, ...]]
) -> None:
    statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    conn.executemany(statement, (tuple(sqlite_value(value) for value in row) for row in rows))


def sqlite_value(value: object) -> object:
    # SQLAlchemy stores SQLite timestamps as text in this format, and reads back only this format.
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value
