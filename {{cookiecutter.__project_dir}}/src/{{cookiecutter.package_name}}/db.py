{% from "driver.jinja" import async, await, Engine, Session, create_engine, sessionmaker with context %}
"""The engine and session factory of one process, made from the settings when the app is built."""

from dataclasses import dataclass
from typing import Any

{% if cookiecutter.driver == "sync" %}
import anyio
{% endif %}
{% if cookiecutter.database != "sqlite" %}
from sqlalchemy import NullPool
{% endif %}
{% if cookiecutter.driver == "sync" %}
from sqlalchemy import create_engine
{% endif %}
{% if cookiecutter.database != "sqlite" %}
from sqlalchemy import text
{% endif %}
{% if cookiecutter.driver == "async" %}
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import QueuePool
{% else %}
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker
{% endif %}

from .settings import Settings
{% if cookiecutter.database == "sqlite" %}
from .sqlite import configure_sqlite
{% endif %}
{% if cookiecutter.database == "postgresql" %}

# max_connections, less the connections kept for superusers (and, from PostgreSQL 16, for roles
# given pg_use_reserved_connections).
CONNECTION_LIMIT = (
    "SELECT current_setting('max_connections')::int"
    " - current_setting('superuser_reserved_connections')::int"
    " - coalesce(current_setting('reserved_connections', true), '0')::int"
)
{% elif cookiecutter.database == "mysql" %}

# MySQL keeps one more connection for an administrator, above max_connections.
CONNECTION_LIMIT = "SELECT @@max_connections"
{% endif %}


@dataclass(frozen=True)
class Database:
    """The engine with its pool of connections, and the factory of sessions bound to it."""

    engine: {{ Engine }}
    sessions: {{ sessionmaker }}[{{ Session }}]
    # Connections the pool may have open at once: its size and its overflow.
    capacity: int
{% if cookiecutter.driver == "sync" %}
    # Sessions that may be open at once: one per pooled connection, so that a worker thread
    # holding a session never waits for a connection (which could starve the thread pool).
    session_slots: anyio.Semaphore
{% endif %}

    def saturated(self) -> bool:
        """Whether every connection the pool may open is in use: a new request would wait."""
{% if cookiecutter.driver == "async" %}
        pool = self.engine.pool
        return isinstance(pool, QueuePool) and pool.checkedout() >= self.capacity
{% else %}
        return self.session_slots.value == 0
{% endif %}


def connect(settings: Settings) -> Database:
    """Make the engine and the session factory; connections are opened when first needed."""
    engine = {{ create_engine }}(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        pool_recycle=settings.db_pool_recycle,
        pool_pre_ping=settings.db_pool_pre_ping,
        connect_args=connect_arguments(settings),
        echo=settings.db_echo,
    )
{% if cookiecutter.database == "sqlite" %}
    configure_sqlite({{ "engine.sync_engine" if cookiecutter.driver == "async" else "engine" }})
{% endif %}
    # Objects stay readable after commit: the response is built from them without a new query.
    sessions = {{ sessionmaker }}(engine, expire_on_commit=False)
    capacity = settings.db_pool_size + settings.db_max_overflow
{% if cookiecutter.driver == "async" %}
    return Database(engine, sessions, capacity)
{% else %}
    return Database(engine, sessions, capacity, anyio.Semaphore(capacity))
{% endif %}


def connect_arguments(settings: Settings) -> dict[str, Any]:
    """What the driver is given for every new connection."""
{% if cookiecutter.database == "sqlite" %}
    return {"timeout": settings.db_busy_timeout}
{% elif cookiecutter.__url_scheme == "postgresql+asyncpg" %}
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
{% elif cookiecutter.database == "postgresql" %}
    arguments: dict[str, Any] = {"connect_timeout": settings.db_connect_timeout}
    if settings.db_external_pooler == "pgbouncer":
        # PgBouncer in transaction mode hands each transaction to any server connection, so
        # nothing may stay prepared from one to the next: psycopg never prepares server-side.
        arguments["prepare_threshold"] = None
    return arguments
{% else %}
    # utf8mb4 stores all of Unicode; MySQL's "utf8" stops at three bytes a character.
    return {"charset": "utf8mb4", "connect_timeout": settings.db_connect_timeout}
{% endif %}
{% if cookiecutter.database != "sqlite" %}


{{ async }}def connection_limit(settings: Settings) -> int:
    """How many client connections the server admits, less those it keeps for its superusers."""
    engine = {{ create_engine }}(
        settings.database_url, poolclass=NullPool, connect_args=connect_arguments(settings)
    )
    try:
        {{ async }}with engine.connect() as connection:
            limit = {{ await }}connection.scalar(text(CONNECTION_LIMIT))
    finally:
        {{ await }}engine.dispose()
    return int(limit)
{% endif %}
