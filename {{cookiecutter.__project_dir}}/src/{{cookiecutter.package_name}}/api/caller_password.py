"""Who is calling: the account a bearer token names, as it stands now, and what it may do."""
{% from "driver.jinja" import async, await, Session, imports with context %}

from typing import Annotated

from fastapi import Depends
from fastapi import FastAPI
from fastapi import HTTPException
from fastapi import Request
from fastapi import status
from fastapi.security import OAuth2PasswordBearer
{{- imports("Session") }}

from .. import accounts
from .. import crud
from ..events import security_event
from ..models import User
from ..passwords import Passwords
from ..schemas import ItemRead
from ..settings import Settings
from ..tokens import Bearer
from ..tokens import InvalidTokenError
from ..tokens import TokenReader
from . import API_PREFIX
from .caller_base import Caller
from .caller_base import CallerAndItem
from .caller_base import client_address
from .caller_base import not_authenticated
from .deps import Limit
from .deps import Offset
from .deps import PathId
from .sessions import ReadsDep
from .sessions import SessionDep

# Where tokens are issued: the OpenAPI page's Authorize button logs in there.
TOKEN_URL = f"{API_PREFIX}/auth/token"
_bearer = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)
# The bearer token, if the request has one, for a route that reads its caller itself.
BearerDep = Annotated[str | None, Depends(_bearer)]
# Never why: expired, forged and malformed tokens, and those of accounts deleted, deactivated
# or changed since, get the same answer.
REFUSAL = "The token is invalid or has expired."


def set_up_callers(app: FastAPI, settings: Settings) -> None:
    """Give the app what tells who calls: the password hasher, and the reader of its tokens."""
    app.state.passwords = Passwords(settings)
    app.state.tokens = TokenReader(settings)


def _read(token: str | None, request: Request) -> Bearer:
    if token is None:
        raise not_authenticated(detail="Not authenticated.")
    reader: TokenReader = request.app.state.tokens
    try:
        return reader.read(token)
    except InvalidTokenError:
        raise not_authenticated(detail=REFUSAL, invalid_token=True) from None


def _caller(account: User | accounts.Account | None, bearer: Bearer, request: Request) -> Caller:
    # The token holds until its account is deleted, deactivated, or changes its password or
    # loses its rights (each moves token_version on); the rights are the account's, now.
    if account is None or not account.is_active or account.token_version != bearer.token_version:
        raise _outdated(bearer, request)
    return Caller(user_id=account.id, is_admin=account.is_superuser)


def _outdated(bearer: Bearer, request: Request) -> HTTPException:
    client = client_address(request)
    security_event("token_outdated", user_id=bearer.user_id, client=client)
    return not_authenticated(detail=REFUSAL, invalid_token=True)


# The account is read on the connection the route works with, never on one of its own: a
# request holds one of the pool's connections at most. A write reads it as a row of the
# columns checked, on its transaction's connection: loading the User object would cost
# several times more, and most writes never need it.
{{ async }}def current_caller(
    token: Annotated[str | None, Depends(_bearer)], request: Request, session: SessionDep
) -> Caller:
    """The caller a valid bearer token names, read in the request's transaction; 401 without one."""
    return {{ await }}caller_of(_read(token, request), request, session)


{{ async }}def caller_of(bearer: Bearer, request: Request, session: {{ Session }}) -> Caller:
    """The caller a valid token names, read in the session's transaction; 401 if it is outdated."""
    connection = {{ await }}session.connection()
    account = {{ await }}accounts.read_account(connection, user_id=bearer.user_id)
    return _caller(account, bearer, request)


async def valid_bearer(token: BearerDep, request: Request) -> Bearer:
    """Whom a bearer token names, and at which version, if it is valid; 401 without one.

    For a route that checks the account itself: it is not read here.
    """
    return _read(token, request)


{{ async }}def calling_user(
    token: Annotated[str | None, Depends(_bearer)], request: Request, session: SessionDep
) -> User:
    """The user a valid bearer token names, as an object of the request's session; else 401."""
    bearer = _read(token, request)
    user = {{ await }}crud.get_user(session, user_id=bearer.user_id)
    if user is None:
        raise _outdated(bearer, request)
    _caller(user, bearer, request)
    return user


{{ async }}def visible_page(
    token: Annotated[str | None, Depends(_bearer)],
    request: Request,
    reads: ReadsDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[ItemRead]:
    """The page of items that the caller a valid bearer token names may see, in one read."""
    bearer = _read(token, request)
    {{ async }}with reads() as connection:
        account, page = {{ await }}accounts.read_account_and_page(
            connection, user_id=bearer.user_id, limit=limit, offset=offset
        )
    _caller(account, bearer, request)  # 401 unless the token holds: then the page is not shown
    return page


{{ async }}def reading_caller_and_item(
    item_id: PathId,
    token: Annotated[str | None, Depends(_bearer)],
    request: Request,
    reads: ReadsDep,
) -> CallerAndItem:
    """The caller a valid bearer token names, and the item the path names, in one read."""
    bearer = _read(token, request)
    {{ async }}with reads() as connection:
        account, item = {{ await }}accounts.read_account_and_item(
            connection, user_id=bearer.user_id, item_id=item_id
        )
    return CallerAndItem(_caller(account, bearer, request), item)


{{ async }}def optional_caller(
    token: Annotated[str | None, Depends(_bearer)], request: Request, session: SessionDep
) -> Caller | None:
    """The caller a valid bearer token names, or None without a token; 401 for a bad token."""
    return None if token is None else {{ await }}current_caller(token, request, session)


async def admin_caller(caller: Annotated[Caller, Depends(current_caller)]) -> Caller:
    """The caller, if an admin; 403 otherwise."""
    if not caller.is_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="Only an admin may do this.")
    return caller


CallerDep = Annotated[Caller, Depends(current_caller)]
ValidBearerDep = Annotated[Bearer, Depends(valid_bearer)]
# For the routes that change the caller's own account: the object, checked as CallerDep is.
CallingUserDep = Annotated[User, Depends(calling_user)]
# The caller's page of items, read with their account: what they may see is the account's say.
VisiblePageDep = Annotated[list[ItemRead], Depends(visible_page)]
CallerAndItemDep = Annotated[CallerAndItem, Depends(reading_caller_and_item)]
AdminDep = Annotated[Caller, Depends(admin_caller)]
