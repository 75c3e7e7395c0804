"""The database server's side of the pool arithmetic: how many connections it admits."""
{% from "driver.jinja" import async, await, create_engine, async_imports, sync_imports, run with context %}
{{ async_imports("asyncio") }}
import logging

from sqlalchemy import NullPool
{{- sync_imports("create_engine") }}
from sqlalchemy.exc import SQLAlchemyError
{{- async_imports("create_engine") }}

from .dialect import CONNECTION_LIMIT
from .dialect import connect_arguments
from .settings import Settings

logger = logging.getLogger(__name__)


def warn_if_the_server_admits_fewer(settings: Settings, connections: int) -> None:
    """Warn if the server admits fewer client connections than the service may open."""
{% if cookiecutter.database == "postgresql" %}
    if settings.db_external_pooler == "pgbouncer":
        # The service's connections go to PgBouncer, whose own pool bounds the server's.
        return
{% endif %}
    try:
        limit = {{ run("connection_limit(settings)") }}
    except (SQLAlchemyError, OSError) as error:
        logger.warning("could not read the server's connection limit: %s", type(error).__name__)
        return
    if connections > limit:
        logger.warning(
            "the service may open %d database connections, the server admits %d: lower "
            "DB_POOL_SIZE, DB_MAX_OVERFLOW or WEB_CONCURRENCY, or put a pooler in between",
            connections,
            limit,
        )


{{ async }}def connection_limit(settings: Settings) -> int:
    """How many client connections the server admits, less those it keeps for its superusers."""
    engine = {{ create_engine }}(
        settings.database_url, poolclass=NullPool, connect_args=connect_arguments(settings)
    )
    try:
        {{ async }}with engine.connect() as connection:
            limit = {{ await }}connection.scalar(CONNECTION_LIMIT)
    finally:
        {{ await }}engine.dispose()
    return int(limit)
