"""Serving: uvicorn with the settings' workers, address and trusted proxies."""

{% if cookiecutter.driver == "async" and cookiecutter.database != "sqlite" %}
import asyncio
{% endif %}
import logging
import os
import tempfile

import uvicorn
{% if cookiecutter.database != "sqlite" %}
from sqlalchemy.exc import SQLAlchemyError
{% endif %}

{% if cookiecutter.database != "sqlite" %}
from .db import connection_limit
{% endif %}
from .logs import configure_logging
from .settings import Settings

logger = logging.getLogger(__name__)


def serve(settings: Settings) -> None:
    """Serve the app until SIGTERM or SIGINT, then let the requests in flight finish."""
    configure_logging(settings.log_level)
    check_the_pool_arithmetic(settings)
    if settings.metrics_enabled and settings.web_concurrency > 1:
        # Each worker process writes its samples here; /metrics adds them up.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="metrics-")
    uvicorn.run(
        "{{ cookiecutter.package_name }}.main:app",
        host=settings.host,
        port=settings.port,
        workers=settings.web_concurrency,
        # Only the proxies named are trusted with a client's address and scheme.
        proxy_headers=bool(settings.forwarded_allow_ips),
        forwarded_allow_ips=settings.forwarded_allow_ips or None,
        # The app logs each request itself, in JSON (logs.py), with its id.
        log_config=None,
        access_log=False,
    )


def check_the_pool_arithmetic(settings: Settings) -> None:
    """Log the connections the service may open, once; warn if the server admits fewer."""
    per_process = settings.db_pool_size + settings.db_max_overflow
    total = per_process * settings.web_concurrency
    logger.info(
        "up to %d database connections: %d per worker process, %d workers",
        total,
        per_process,
        settings.web_concurrency,
    )
{% if cookiecutter.database == "postgresql" %}
    if settings.db_external_pooler == "pgbouncer":
        # The service's connections go to PgBouncer, whose own pool bounds the server's.
        return
{% endif %}
{% if cookiecutter.database != "sqlite" %}
    try:
{% if cookiecutter.driver == "async" %}
        limit = asyncio.run(connection_limit(settings))
{% else %}
        limit = connection_limit(settings)
{% endif %}
    except (SQLAlchemyError, OSError) as error:
        logger.warning("could not read the server's connection limit: %s", type(error).__name__)
        return
    if total > limit:
        logger.warning(
            "the service may open %d database connections, the server admits %d: lower "
            "DB_POOL_SIZE, DB_MAX_OVERFLOW or WEB_CONCURRENCY, or put a pooler in between",
            total,
            limit,
        )
{% endif %}
