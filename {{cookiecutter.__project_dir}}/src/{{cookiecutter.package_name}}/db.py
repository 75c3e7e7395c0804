{% from "driver.jinja" import Engine, Session, create_engine, sessionmaker with context %}
"""The engine and session factory of one process, made from the settings when the app is built."""

from dataclasses import dataclass

{% if cookiecutter.driver == "async" %}
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine
{% else %}
import anyio
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker
{% endif %}

from .settings import Settings
{% if cookiecutter.database == "sqlite" %}
from .sqlite import configure_sqlite
{% endif %}


@dataclass(frozen=True)
class Database:
    """The engine with its pool of connections, and the factory of sessions bound to it."""

    engine: {{ Engine }}
    sessions: {{ sessionmaker }}[{{ Session }}]
{% if cookiecutter.driver == "sync" %}
    # Sessions that may be open at once: one per pooled connection, so that a worker thread
    # holding a session never waits for a connection (which could starve the thread pool).
    session_slots: anyio.Semaphore
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
{% if cookiecutter.database == "sqlite" %}
        connect_args={"timeout": settings.db_busy_timeout},
{% elif cookiecutter.__url_scheme == "postgresql+asyncpg" %}
        connect_args={"timeout": settings.db_connect_timeout},
{% elif cookiecutter.database == "postgresql" %}
        connect_args={"connect_timeout": settings.db_connect_timeout},
{% else %}
        # utf8mb4 stores all of Unicode; MySQL's "utf8" stops at three bytes a character.
        connect_args={"charset": "utf8mb4", "connect_timeout": settings.db_connect_timeout},
{% endif %}
        echo=settings.db_echo,
    )
{% if cookiecutter.database == "sqlite" %}
    configure_sqlite({{ "engine.sync_engine" if cookiecutter.driver == "async" else "engine" }})
{% endif %}
    # Objects stay readable after commit: the response is built from them without a new query.
    sessions = {{ sessionmaker }}(engine, expire_on_commit=False)
{% if cookiecutter.driver == "async" %}
    return Database(engine, sessions)
{% else %}
    slots = anyio.Semaphore(settings.db_pool_size + settings.db_max_overflow)
    return Database(engine, sessions, slots)
{% endif %}
