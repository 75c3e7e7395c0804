"""The engine and session factory of one process, made from the settings when the app is built."""
{% from "driver.jinja" import await, AbstractContextManager, Connection, Engine, Session, create_engine, sessionmaker, sync_engine, async_imports, sync_imports with context %}

from collections.abc import AsyncIterator
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
{{- sync_imports("AbstractContextManager") }}
from contextlib import asynccontextmanager
from dataclasses import dataclass

import anyio
{{- sync_imports("create_engine", "Connection", "Engine") }}
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
{{- async_imports("Connection", "Engine", "Session", "sessionmaker", "create_engine") }}
{{- sync_imports("Session", "sessionmaker") }}

from . import dialect
from . import metrics
from .settings import Settings
{% if cookiecutter.include_tracing %}
from .tracing import waiting_for_a_connection
{% endif %}


@dataclass(frozen=True)
class Database:
    """The engine and its pool, what reads and writes go through, and the queue for connections."""

    engine: {{ Engine }}
    # Writes: ORM sessions, each in a transaction.
    sessions: {{ sessionmaker }}[{{ Session }}]
    # Reads of one statement: a connection of the same pool (see `dialect.read_engine`).
    read_connection: Callable[[], {{ AbstractContextManager }}[{{ Connection }}]]
    # Writes of one statement, each committed by itself (see `dialect.one_statement_writes`).
    write_connection: Callable[[], {{ AbstractContextManager }}[{{ Connection }}]]
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

    async def close(self) -> None:
        """Close the pooled connections, as the service stops: the app's lifespan awaits it."""
        {{ await }}self.engine.dispose()

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

    @asynccontextmanager
    async def _take(self, queue: anyio.Semaphore) -> AsyncIterator[None]:
        # At once when it is free (no deadline to set up); otherwise in order, until `timeout`.
        try:
            queue.acquire_nowait()
        except anyio.WouldBlock:
            # A bare cancel scope: fail_after wraps the same one in two generators.
            with {{ "waiting_for_a_connection(), " if cookiecutter.include_tracing else "" }}anyio.move_on_after(self.timeout) as waiting:
                await queue.acquire()
            if waiting.cancelled_caught:
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
        connect_args=dialect.connect_arguments(settings),
        echo=settings.db_echo,
        # Bound values hold e-mail addresses and password hashes: no log line or traceback
        # shows them, DB_ECHO's included.
        hide_parameters=True,
    )
{% if cookiecutter.database == "sqlite" %}
    dialect.configure_sqlite({{ sync_engine }})
{% endif %}
    # Objects stay readable after commit: the response is built from them without a new query.
    sessions = {{ sessionmaker }}(engine, expire_on_commit=False)
    capacity = settings.db_pool_size + settings.db_max_overflow
    return Database(
        engine=engine,
        sessions=sessions,
        read_connection=dialect.read_engine(engine, settings).connect,
        write_connection=dialect.one_statement_writes(engine, settings),
        capacity=capacity,
        timeout=settings.db_pool_timeout,
        turns=anyio.Semaphore(capacity),
{% if cookiecutter.database == "sqlite" %}
        writer=anyio.Semaphore(1),
{% endif %}
    )
