{% from "driver.jinja" import async, await, Connection, Engine, Session, create_engine, sessionmaker with context %}
"""The engine and session factory of one process, made from the settings when the app is built."""

from collections.abc import AsyncIterator
from collections.abc import Callable
{% if cookiecutter.driver == "sync" %}
from collections.abc import Iterator
{% endif %}
from contextlib import AbstractAsyncContextManager
{% if cookiecutter.driver == "sync" %}
from contextlib import AbstractContextManager
{% endif %}
from contextlib import asynccontextmanager
{% if cookiecutter.driver == "sync" %}
from contextlib import contextmanager
{% endif %}
from dataclasses import dataclass
from typing import Any

import anyio
{% if cookiecutter.driver == "sync" %}
import anyio.from_thread
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
{% if cookiecutter.driver == "sync" %}
from sqlalchemy.engine import Connection
from sqlalchemy.engine import Engine
{% endif %}
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
{% if cookiecutter.driver == "async" %}
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine
{% else %}
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker
{% endif %}

from . import metrics
from .settings import Settings
{% if cookiecutter.database == "sqlite" %}
from .sqlite import configure_sqlite
{% endif %}
{% if cookiecutter.include_tracing %}
from .tracing import waiting_for_a_connection
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
    """The engine and its pool, what reads and writes go through, and the queue for connections."""

    engine: {{ Engine }}
    # Writes: ORM sessions, each in a transaction.
    sessions: {{ sessionmaker }}[{{ Session }}]
    # Reads of one statement: a connection of the same pool{% if cookiecutter.database == "postgresql" %}, in autocommit mode when it is safe{% endif %}.
    read_connection: Callable[[], {{ "AbstractAsyncContextManager" if cookiecutter.driver == "async" else "AbstractContextManager" }}[{{ Connection }}]]
    # Connections the pool may have open at once: its size and its overflow.
    capacity: int
    # Seconds a request waits for a connection before it is answered 503.
    timeout: float
    # One turn per connection the pool may open, handed out first come, first served. The
    # pool's own queue lets a newcomer take a connection that a waiting request was woken
    # for: under load some requests would wait many times longer than the rest.
    turns: anyio.Semaphore
{% if cookiecutter.database == "sqlite" %}
    # SQLite lets one transaction write at a time; the others poll for its lock, sleeping
    # longer each time. The transactions of this process take turns here instead, in order.
    # A semaphore rather than a lock: a worker thread's turn is taken and given back by two
    # tasks of the event loop (see `transaction`), and a lock belongs to the task that took it.
    writer: anyio.Semaphore
{% endif %}

    def saturated(self) -> bool:
        """Whether every connection the pool may open is in use: a new request would wait."""
        return self.turns.value == 0

    def turn(self) -> AbstractAsyncContextManager[None]:
        """Wait for a turn at one of the pool's connections: PoolTimeoutError after `timeout` s."""
        if self.saturated():
            metrics.POOL_WAITS.inc()
        return self._take(self.turns)
{% if cookiecutter.database == "sqlite" %}

    @asynccontextmanager
    async def write_turn(self) -> AsyncIterator[None]:
        """Wait for a connection, then for the turn to write: PoolTimeoutError after `timeout` s."""
        async with self.turn(), self._take(self.writer):
            yield
{% endif %}

{% if cookiecutter.driver == "async" %}
    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session in a transaction, in the queue for a connection, as a request's is."""
        async with self.{{ "write_turn" if cookiecutter.database == "sqlite" else "turn" }}(), self.sessions.begin() as session:
            yield session
{% else %}
    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in a transaction, in the queue for a connection, as a request's is.

        For a worker thread of the event loop: it waits on the loop, where the queue is.
        """
        turn = self.{{ "write_turn" if cookiecutter.database == "sqlite" else "turn" }}()
        anyio.from_thread.run(turn.__aenter__)
        try:
            with self.sessions.begin() as session:
                yield session
        finally:
            anyio.from_thread.run(turn.__aexit__, None, None, None)
{% endif %}

    @asynccontextmanager
    async def _take(self, queue: anyio.Semaphore) -> AsyncIterator[None]:
        # At once when it is free (no deadline to set up); otherwise in order, until `timeout`.
        try:
            queue.acquire_nowait()
        except anyio.WouldBlock:
            try:
{% if cookiecutter.include_tracing %}
                with waiting_for_a_connection(), anyio.fail_after(self.timeout):
{% else %}
                with anyio.fail_after(self.timeout):
{% endif %}
                    await queue.acquire()
            except TimeoutError:
                message = "no database connection was free within DB_POOL_TIMEOUT"
                raise PoolTimeoutError(message) from None
        try:
            yield
        finally:
            queue.release()


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
        # Bound values hold e-mail addresses and password hashes: no log line or traceback
        # shows them, DB_ECHO's included.
        hide_parameters=True,
    )
{% if cookiecutter.database == "sqlite" %}
    configure_sqlite({{ "engine.sync_engine" if cookiecutter.driver == "async" else "engine" }})
{% endif %}
    # Objects stay readable after commit: the response is built from them without a new query.
    sessions = {{ sessionmaker }}(engine, expire_on_commit=False)
{% if cookiecutter.database == "postgresql" %}
    # A read of one statement needs no transaction. In autocommit mode it costs one round trip
    # instead of three (BEGIN, the query, COMMIT). Not behind PgBouncer in transaction mode,
    # where a statement must be prepared and run within one transaction.
    reads = engine
    if settings.db_external_pooler != "pgbouncer":
        reads = engine.execution_options(isolation_level="AUTOCOMMIT")
{% elif cookiecutter.database == "mysql" %}
    # Reads stay in transactions: switching MySQL's autocommit on and off costs a round trip
    # each way, as much as the COMMIT it would save.
    reads = engine
{% else %}
    # Reads stay in transactions: SQLite works in-process, a BEGIN and a COMMIT cost no
    # round trip.
    reads = engine
{% endif %}
    capacity = settings.db_pool_size + settings.db_max_overflow
    return Database(
        engine=engine,
        sessions=sessions,
        read_connection=reads.connect,
        capacity=capacity,
        timeout=settings.db_pool_timeout,
        turns=anyio.Semaphore(capacity),
{% if cookiecutter.database == "sqlite" %}
        writer=anyio.Semaphore(1),
{% endif %}
    )


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
