"""Limits on attempts: per client, on sign-ups and logins; per address, on wrong passwords."""
{% from "driver.jinja" import async, await with context %}

import logging
import math
from datetime import datetime
from datetime import timedelta

from fastapi import HTTPException
from fastapi import Request
from fastapi import status

from .. import attempts
from ..column_types import utc_now
from ..events import security_event
from .caller_base import client_address
from .errors import Responses
from .sessions import SessionDep

TOO_MANY: Responses = {429: {"description": "Too many attempts: wait for Retry-After seconds."}}
LOCKED = "Too many failed logins; try again later."
BUSY_CLIENT = "Too many attempts from this client; try again later."


def too_many(detail: str, *, until: datetime, now: datetime) -> HTTPException:
    """A 429 that says, in whole seconds, when to try again."""
    wait = max(math.ceil((until - now).total_seconds()), 1)
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS, detail=detail, headers={"Retry-After": str(wait)}
    )


{{ async }}def within_client_limit(
    session: SessionDep, request: Request, *, action: str, limit: int, window: timedelta
) -> None:
    """Count the client's attempt at `action` in the request's transaction; 429 past `limit`."""
    now = utc_now()
    key = f"{action}:{client_address(request)}"
    until = {{ await }}attempts.limit_rate(session, key=key, now=now, limit=limit, window=window)
    if until is not None:
        client = client_address(request)
        security_event(action, user_id=None, client=client, limited=True, level=logging.WARNING)
        raise too_many(BUSY_CLIENT, until=until, now=now)
