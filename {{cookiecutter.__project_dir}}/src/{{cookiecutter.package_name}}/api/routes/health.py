"""Health checks for load balancers and orchestrators."""
{% from "driver.jinja" import async, await with context %}

from fastapi import APIRouter
from fastapi import HTTPException
from fastapi import Request
from fastapi import status
from sqlalchemy import text

from ...schemas import Health
from ..sessions import ConnectionDep

router = APIRouter(prefix="/health", tags=["health"])


@router.get("")
async def health() -> Health:
    """Report that the service is up, without touching the database."""
    return Health(status="ok")


@router.get(
    "/db",
    responses={503: {"description": "The database is unreachable, or the service is stopping."}},
)
{{ async }}def health_db(request: Request, connection: ConnectionDep) -> Health:
    """Report that the database answers a query and that the service takes requests."""
    if request.app.state.draining:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "The service is stopping.")
    {{ await }}connection.execute(text("SELECT 1"))
    return Health(status="ok")
