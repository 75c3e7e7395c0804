"""ASGI middleware: an id, an access-log line and (if enabled) metrics for every request."""

import logging
import re
import time
import uuid

from fastapi import status
from starlette.datastructures import Headers
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp
from starlette.types import Message
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

from .. import metrics
from ..logs import request_id

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
# An id from the client is kept only if it is short and plain: it ends up in every log line.
ACCEPTED_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class RequestContextMiddleware:
    """Give each request an id (the client's X-Request-ID, or a new one), and log it when done."""

    def __init__(self, app: ASGIApp, *, count: bool = True) -> None:
        self.app = app
        # Counts each request in the metrics, by its route's template, if they are enabled.
        self.counter = metrics.RequestCounter() if count else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get(REQUEST_ID_HEADER, "")
        rid = given if ACCEPTED_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        # Stays 500 if the app fails before it answers.
        status_code = status.HTTP_500_INTERNAL_SERVER_ERROR
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = message["status"]
                MutableHeaders(scope=message).append(REQUEST_ID_HEADER, rid)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            duration = time.perf_counter() - started
            logger.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status_code,
                    "duration_ms": round(duration * 1000, 2),
                },
            )
            if self.counter is not None:
                # The route's template (/api/v1/items/{item_id}), never the path: one series each.
                route = getattr(scope.get("route"), "path", "unmatched")
                self.counter.count(route, scope["method"], status_code, duration)
            request_id.reset(token)
