"""Who is calling: the user a bearer token names, and what they may do."""

from typing import Annotated

from fastapi import Depends
from fastapi import HTTPException
from fastapi import Request
from fastapi import status
from fastapi.security import OAuth2PasswordBearer

from ..tokens import Caller
from ..tokens import InvalidTokenError
from ..tokens import TokenReader
from . import API_PREFIX

# Where tokens are issued: the OpenAPI page's Authorize button logs in there.
TOKEN_URL = f"{API_PREFIX}/auth/token"
_bearer = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)
# Never why: expired, forged and malformed tokens get the same answer.
REFUSAL = "The token is invalid or has expired."


def not_authenticated(*, detail: str, invalid_token: bool = False) -> HTTPException:
    """A 401 that tells the client to send a bearer token (RFC 6750), never why one failed."""
    challenge = 'Bearer error="invalid_token"' if invalid_token else "Bearer"
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": challenge}
    )


def _read(token: str, request: Request) -> Caller:
    reader: TokenReader = request.app.state.tokens
    try:
        return reader.read(token)
    except InvalidTokenError:
        raise not_authenticated(detail=REFUSAL, invalid_token=True) from None


# These read the token themselves rather than depend on each other: each dependency costs
# FastAPI some work on every request.
async def optional_caller(
    token: Annotated[str | None, Depends(_bearer)], request: Request
) -> Caller | None:
    """The caller a valid bearer token names, or None without a token; 401 for a bad token."""
    return None if token is None else _read(token, request)


async def current_caller(
    token: Annotated[str | None, Depends(_bearer)], request: Request
) -> Caller:
    """The caller a valid bearer token names; 401 without one."""
    if token is None:
        raise not_authenticated(detail="Not authenticated.")
    return _read(token, request)


async def admin_caller(caller: Annotated[Caller, Depends(current_caller)]) -> Caller:
    """The caller, if an admin; 403 otherwise."""
    if not caller.is_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="Only an admin may do this.")
    return caller


OptionalCallerDep = Annotated[Caller | None, Depends(optional_caller)]
CallerDep = Annotated[Caller, Depends(current_caller)]
AdminDep = Annotated[Caller, Depends(admin_caller)]
