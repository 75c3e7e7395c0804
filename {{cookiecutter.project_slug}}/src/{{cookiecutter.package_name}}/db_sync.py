"""The ORM base class, the database engine, and a session per request."""

from collections.abc import Iterator
{% if cookiecutter.database == "sqlite" %}
from typing import Any
{% endif %}

from sqlalchemy import MetaData
from sqlalchemy import create_engine
{% if cookiecutter.database == "sqlite" %}
from sqlalchemy import event
from sqlalchemy.engine import Connection
{% endif %}
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from .settings import get_settings

# Constraint names that Alembic can rely on to alter or drop them later.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every ORM model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


settings = get_settings()
engine = create_engine(
    settings.database_url,
    pool_size=settings.db_pool_size,
    max_overflow=settings.db_max_overflow,
    pool_timeout=settings.db_pool_timeout,
    pool_recycle=settings.db_pool_recycle,
    pool_pre_ping=settings.db_pool_pre_ping,
{% if cookiecutter.database == "sqlite" %}
    connect_args={"timeout": settings.db_busy_timeout},
{% elif cookiecutter.database == "postgresql" %}
    connect_args={"connect_timeout": settings.db_connect_timeout},
{% else %}
    # utf8mb4 stores all of Unicode; MySQL's "utf8" stops at three bytes a character.
    connect_args={"charset": "utf8mb4", "connect_timeout": settings.db_connect_timeout},
{% endif %}
    echo=settings.db_echo,
)
# Objects stay readable after commit: the response is built from them without a new query.
SessionFactory = sessionmaker(engine, expire_on_commit=False)
# Sessions that may be open at once: one per pooled connection, so none waits for the pool.
MAX_SESSIONS = settings.db_pool_size + settings.db_max_overflow
{% if cookiecutter.database == "sqlite" %}


# SQLAlchemy opens file databases with check_same_thread=False: a pooled
# connection serves requests from any of the worker threads, one at a time.
@event.listens_for(engine, "connect")
def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy emit BEGIN itself (see `_begin`), so that reads and
    # savepoints take part in the transaction too.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    # Readers and one writer work side by side; a writer waits for the other.
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


@event.listens_for(engine, "begin")
def _begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")
{% endif %}


def get_session() -> Iterator[Session]:
    """Yield a session in a transaction: committed if the request succeeds, else rolled back."""
    with SessionFactory.begin() as session:
        yield session
