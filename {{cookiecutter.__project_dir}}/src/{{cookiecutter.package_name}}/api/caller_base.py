"""What both ways of knowing the caller share: the Caller, and the 401 that asks for a token."""

from dataclasses import dataclass

from fastapi import HTTPException
from fastapi import status


@dataclass(frozen=True)
class Caller:
    """Who sends a request: the user's id here, and whether they are an admin now."""

    user_id: int
    is_admin: bool


def not_authenticated(*, detail: str, invalid_token: bool = False) -> HTTPException:
    """A 401 that tells the client to send a bearer token (RFC 6750), never why one failed."""
    challenge = 'Bearer error="invalid_token"' if invalid_token else "Bearer"
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": challenge}
    )
