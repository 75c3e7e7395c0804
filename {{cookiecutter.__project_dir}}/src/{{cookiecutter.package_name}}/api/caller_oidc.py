{% from "driver.jinja" import async, await with context %}
"""Who is calling: the user the identity provider's bearer token names, and what they may do."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from fastapi import HTTPException
from fastapi import Request
from fastapi import status
from fastapi.security import HTTPAuthorizationCredentials
from fastapi.security import HTTPBearer

from .. import crud
from .. import metrics
from ..oidc import IdentityProvider
from ..oidc import InvalidTokenError
from ..oidc import ProviderUnavailableError
from .deps import SessionDep
from .errors import RETRY_AFTER

_bearer = HTTPBearer(auto_error=False, description="An access token from the identity provider.")
# Never why: expired, forged and malformed tokens get the same answer.
REFUSAL = "The token is invalid or has expired."


@dataclass(frozen=True)
class Caller:
    """Who sends a request: the user's id here, and whether the provider makes them an admin."""

    user_id: int
    is_admin: bool


def not_authenticated(*, detail: str, invalid_token: bool = False) -> HTTPException:
    """A 401 that tells the client to send a bearer token (RFC 6750), never why one failed."""
    challenge = 'Bearer error="invalid_token"' if invalid_token else "Bearer"
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": challenge}
    )


async def identity_provider(request: Request) -> IdentityProvider:
    """The identity provider the app was built with."""
    built: IdentityProvider = request.app.state.identity_provider
    return built


{{ async }}def current_caller(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    provider: Annotated[IdentityProvider, Depends(identity_provider)],
    session: SessionDep,
) -> Caller:
    """The caller a valid bearer token names, recorded as a user when first seen; else 401."""
    if credentials is None:
        raise not_authenticated(detail="Not authenticated.")
    try:
        identity = {{ await }}provider.verify(credentials.credentials)
    except InvalidTokenError:
        raise not_authenticated(detail=REFUSAL, invalid_token=True) from None
    except ProviderUnavailableError:
        metrics.UNAVAILABLE.labels("identity_provider").inc()
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            detail="The identity provider is unavailable; try again shortly.",
            headers={"Retry-After": RETRY_AFTER},
        ) from None
    user = {{ await }}crud.get_or_create_user(
        session, subject=identity.subject, email=identity.email, full_name=identity.name
    )
    if not user.is_active:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="This account is deactivated.")
    return Caller(user_id=user.id, is_admin=identity.is_admin)


async def admin_caller(caller: Annotated[Caller, Depends(current_caller)]) -> Caller:
    """The caller, if an admin; 403 otherwise."""
    if not caller.is_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="Only an admin may do this.")
    return caller


CallerDep = Annotated[Caller, Depends(current_caller)]
AdminDep = Annotated[Caller, Depends(admin_caller)]
