{% from "driver.jinja" import async, await with context %}
"""Health checks for load balancers and orchestrators."""

from fastapi import APIRouter
from sqlalchemy import text

from ...schemas import Health
from ..deps import SessionDep

router = APIRouter(prefix="/health", tags=["health"])


@router.get("")
async def health() -> Health:
    """Report that the service is up, without touching the database."""
    return Health(status="ok")


@router.get("/db", responses={503: {"description": "The database is unreachable."}})
{{ async }}def health_db(session: SessionDep) -> Health:
    """Report that the database answers a query."""
    {{ await }}session.execute(text("SELECT 1"))
    return Health(status="ok")
