"""HTTP answers for the failures routes do not handle themselves, and their OpenAPI descriptions."""

import logging
from typing import Any

from fastapi import FastAPI
from fastapi import Request
from fastapi import status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import InterfaceError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm.exc import StaleDataError

from .. import metrics
from ..crud import TakenError
from ..crud import UnknownOwnerError
from ..dialect import error_code

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

# For the routes' `responses=`: what each answer means, in the OpenAPI document.
Responses = dict[int | str, dict[str, Any]]
UNREADABLE_BODY: Responses = {
    400: {"description": "The body is not JSON."},
    413: {"description": "The body is larger than the service accepts."},
}
UNAVAILABLE: Responses = {503: {"description": "The database is unavailable; retry later."}}
TITLE_TAKEN: Responses = {409: {"description": "The owner already has an item with this title."}}


def _detail(
    status_code: int, detail: object, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status_code, headers=headers)


async def _taken(_request: Request, error: TakenError) -> JSONResponse:
    # What is taken (a title, an address), never the value: an answer never echoes what the
    # client sent.
    return _detail(status.HTTP_409_CONFLICT, error.detail)


async def _unknown_owner(_request: Request, error: UnknownOwnerError) -> JSONResponse:
    # Shaped like a validation error: the body names a user that does not exist.
    problem = {
        "type": "unknown_owner",
        "loc": ["body", "owner_id"],
        "msg": f"User {error} does not exist.",
    }
    return _detail(status.HTTP_422_UNPROCESSABLE_CONTENT, [problem])


async def _invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
    # FastAPI's own answer, without echoing the input: it may hold a password.
    problems = [
        {key: value for key, value in problem.items() if key != "input"}
        for problem in error.errors()
    ]
    return _detail(status.HTTP_422_UNPROCESSABLE_CONTENT, jsonable_encoder(problems))


async def _database_unavailable(request: Request, error: Exception) -> JSONResponse:
    # The class and the driver's error code only: a message may carry the connection string.
    logger.warning(
        "database unavailable on %s %s: %s (%s)",
        request.method,
        request.url.path,
        type(error).__name__,
        error_code(error) or "no code",
    )
    cause = "pool_timeout" if isinstance(error, PoolTimeoutError) else "database"
    metrics.UNAVAILABLE.labels(cause).inc()
    return _detail(
        status.HTTP_503_SERVICE_UNAVAILABLE,
        "The database is unavailable; try again shortly.",
        headers={"Retry-After": RETRY_AFTER},
    )


async def _conflict(request: Request, _error: Exception) -> JSONResponse:
    logger.info("integrity error on %s %s", request.method, request.url.path)
    return _detail(status.HTTP_409_CONFLICT, "The request conflicts with data already stored.")


async def _changed_meanwhile(request: Request, _error: Exception) -> JSONResponse:
    # Another request deleted the row between this request's read and its write.
    logger.info("row changed concurrently on %s %s", request.method, request.url.path)
    return _detail(
        status.HTTP_409_CONFLICT, "Another request changed this resource meanwhile; read it again."
    )


def register_exception_handlers(app: FastAPI) -> None:
    """Answer the service's own refusals, 503 while the database is away, 409 on a constraint."""
    app.exception_handler(TakenError)(_taken)
    app.exception_handler(UnknownOwnerError)(_unknown_owner)
    app.exception_handler(RequestValidationError)(_invalid_request)
    for unavailable in DATABASE_UNAVAILABLE:
        app.exception_handler(unavailable)(_database_unavailable)
    app.exception_handler(IntegrityError)(_conflict)
    app.exception_handler(StaleDataError)(_changed_meanwhile)
