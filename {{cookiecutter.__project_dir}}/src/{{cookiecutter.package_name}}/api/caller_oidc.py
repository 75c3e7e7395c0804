"""Who is calling: the user the identity provider's bearer token names, and what they may do."""
{% from "driver.jinja" import async, await with context %}

import logging
from typing import Annotated

from fastapi import Depends
from fastapi import FastAPI
from fastapi import HTTPException
from fastapi import Request
from fastapi import status
from fastapi.security import HTTPAuthorizationCredentials
from fastapi.security import HTTPBearer

from .. import accounts
from .. import item_reads
from .. import metrics
from ..events import security_event
from ..oidc import Identity
from ..oidc import IdentityProvider
from ..oidc import InvalidTokenError
from ..oidc import ProviderUnavailableError
from ..schemas import ItemRead
from ..settings import Settings
from .caller_base import Caller
from .caller_base import CallerAndItem
from .caller_base import client_address
from .caller_base import not_authenticated
from .deps import Limit
from .deps import Offset
from .deps import PathId
from .errors import RETRY_AFTER
from .sessions import ReadsDep
from .sessions import SessionDep

_bearer = HTTPBearer(auto_error=False, description="An access token from the identity provider.")
# Never why: expired, forged and malformed tokens get the same answer.
REFUSAL = "The token is invalid or has expired."
# The id of a caller the service has not recorded yet, on a route that only reads: no row
# has it (ids start at 1), so such a caller owns nothing, and sees only what is public.
NOT_RECORDED = 0

logger = logging.getLogger(__name__)


def set_up_callers(app: FastAPI, settings: Settings) -> None:
    """Give the app the identity provider whose tokens tell who calls."""
    app.state.identity_provider = IdentityProvider(settings)
    if not app.state.identity_provider.configured:
        logger.warning("OIDC_ISSUER or OIDC_AUDIENCE is not set: every bearer token is refused")


async def identity_provider(request: Request) -> IdentityProvider:
    """The identity provider the app was built with."""
    built: IdentityProvider = request.app.state.identity_provider
    return built


{{ async }}def verified_identity(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    provider: Annotated[IdentityProvider, Depends(identity_provider)],
    request: Request,
) -> Identity:
    """Whom a valid bearer token identifies; else 401 (503 while the provider is unreachable)."""
    if credentials is None:
        raise not_authenticated(detail="Not authenticated.")
    try:
        return {{ await }}provider.verify(credentials.credentials)
    except InvalidTokenError:
        client = client_address(request)
        security_event("token_refused", user_id=None, client=client, level=logging.WARNING)
        raise not_authenticated(detail=REFUSAL, invalid_token=True) from None
    except ProviderUnavailableError:
        metrics.UNAVAILABLE.labels("identity_provider").inc()
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            detail="The identity provider is unavailable; try again shortly.",
            headers={"Retry-After": RETRY_AFTER},
        ) from None


# The token is verified first, its keys fetched if need be, before the request takes a
# connection (on SQLite, the turn to write): a slow provider holds up no other request. The
# account is then read on the connection the route works with, never on one of its own: a
# request holds one of the pool's connections at most.
IdentityDep = Annotated[Identity, Depends(verified_identity)]


{{ async }}def current_caller(
    identity: IdentityDep,
    session: SessionDep,
    request: Request,
) -> Caller:
    """The caller a valid bearer token names, recorded as a user when first seen; else 401."""
    user = {{ await }}accounts.get_or_create_user(
        session, subject=identity.subject, email=identity.email, full_name=identity.name
    )
    if not user.is_active:
        raise _deactivated(user.id, request)
    return Caller(user_id=user.id, is_admin=identity.is_admin)


{{ async }}def visible_page(
    identity: IdentityDep,
    reads: ReadsDep,
    request: Request,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[ItemRead]:
    """The page of items that the caller a valid bearer token names may see, in one read."""
    {{ async }}with reads() as connection:
        account, page = {{ await }}accounts.read_account_and_page(
            connection,
            subject=identity.subject,
            is_admin=identity.is_admin,
            limit=limit,
            offset=offset,
        )
    # No account if not recorded yet: they own nothing, and see what is public (an admin: all).
    if account is not None and not account.is_active:
        raise _deactivated(account.id, request)
    return page


{{ async }}def reading_caller_and_item(
    item_id: PathId,
    identity: IdentityDep,
    reads: ReadsDep,
    request: Request,
) -> CallerAndItem:
    """The caller a valid bearer token names, and the item the path names, in one read."""
    {{ async }}with reads() as connection:
        account, item = {{ await }}accounts.read_account_and_item(
            connection, subject=identity.subject, item_id=item_id
        )
        if account is None:
            # Not recorded yet: no account to read the item with, so it is read by itself.
            item = {{ await }}item_reads.read_item(connection, item_id=item_id)
            return CallerAndItem(_not_recorded(identity), item)
    if not account.is_active:
        raise _deactivated(account.id, request)
    return CallerAndItem(Caller(user_id=account.id, is_admin=identity.is_admin), item)


def _not_recorded(identity: Identity) -> Caller:
    # Recorded at their first write or look at their own account; they own nothing yet.
    return Caller(user_id=NOT_RECORDED, is_admin=identity.is_admin)


def _deactivated(user_id: int, request: Request) -> HTTPException:
    client = client_address(request)
    security_event("deactivated_account_refused", user_id=user_id, client=client)
    return HTTPException(status.HTTP_403_FORBIDDEN, detail="This account is deactivated.")


async def admin_caller(caller: Annotated[Caller, Depends(current_caller)]) -> Caller:
    """The caller, if an admin; 403 otherwise."""
    if not caller.is_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="Only an admin may do this.")
    return caller


CallerDep = Annotated[Caller, Depends(current_caller)]
# The caller's page of items, read with their account.
VisiblePageDep = Annotated[list[ItemRead], Depends(visible_page)]
CallerAndItemDep = Annotated[CallerAndItem, Depends(reading_caller_and_item)]
AdminDep = Annotated[Caller, Depends(admin_caller)]
