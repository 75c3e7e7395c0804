"""The database server's side of the pool arithmetic: how many connections it admits."""
{% from "driver.jinja" import async, await, create_engine, imports with context %}

from sqlalchemy import NullPool
{{- imports("create_engine") }}

from .dialect import CONNECTION_LIMIT
from .dialect import connect_arguments
from .settings import Settings


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
