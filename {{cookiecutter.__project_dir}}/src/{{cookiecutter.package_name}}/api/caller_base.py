"""What both ways of knowing the caller share: the Caller, the 401 and 403 answers, the client."""

from dataclasses import dataclass

from fastapi import HTTPException
from fastapi import Request
from fastapi import status

from ..schemas import ItemRead
from .errors import Responses

# For the routes' `responses=`, in the OpenAPI document.
NOT_AUTHENTICATED: Responses = {401: {"description": "No valid bearer token."}}
FORBIDDEN: Responses = {403: {"description": "The caller may not do this."}}


@dataclass(frozen=True)
class Caller:
    """Who sends a request: the user's id here, and whether they are an admin now."""

    user_id: int
    is_admin: bool


@dataclass(frozen=True)
class CallerAndItem:
    """Who sends a GET of one item, and that item if it exists (whoever may see it)."""

    caller: Caller
    item: ItemRead | None


def not_authenticated(*, detail: str, invalid_token: bool = False) -> HTTPException:
    """A 401 that tells the client to send a bearer token (RFC 6750), never why one failed."""
    challenge = 'Bearer error="invalid_token"' if invalid_token else "Bearer"
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": challenge}
    )


def client_address(request: Request) -> str:
    """The client's address: the proxy's client's, if FORWARDED_ALLOW_IPS trusts the proxy."""
    return request.client.host if request.client else "unknown"
