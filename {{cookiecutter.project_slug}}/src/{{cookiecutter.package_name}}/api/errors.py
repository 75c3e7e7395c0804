"""HTTP answers for database failures that no route handles itself."""

import logging

from fastapi import FastAPI
from fastapi import Request
from fastapi import status
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import InterfaceError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

logger = logging.getLogger(__name__)

# Seconds a client should wait before trying again while the database is away.
RETRY_AFTER = "5"
{% if cookiecutter.__url_scheme == "postgresql+asyncpg" %}
# Errors that mean "no database right now". asyncpg reports a refused or timed-out
# connection as a plain OSError, not as a database error.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeoutError, OSError)
{% else %}
# Errors that mean "no database right now".
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeoutError)
{% endif %}


async def _database_unavailable(request: Request, error: Exception) -> JSONResponse:
    # The class name only: a driver's message may carry the connection string.
    logger.warning(
        "database unavailable on %s %s: %s", request.method, request.url.path, type(error).__name__
    )
    return JSONResponse(
        {"detail": "The database is unavailable; try again shortly."},
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": RETRY_AFTER},
    )


async def _conflict(request: Request, error: Exception) -> JSONResponse:
    logger.info("integrity error on %s %s", request.method, request.url.path)
    return JSONResponse(
        {"detail": "The request conflicts with data already stored."},
        status_code=status.HTTP_409_CONFLICT,
    )


def register_exception_handlers(app: FastAPI) -> None:
    """Answer 503 while the database is unreachable or saturated, and 409 on a constraint."""
    for unavailable in DATABASE_UNAVAILABLE:
        app.add_exception_handler(unavailable, _database_unavailable)
    app.add_exception_handler(IntegrityError, _conflict)
