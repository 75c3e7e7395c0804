"""Access tokens: short-lived JWTs, signed with the service's secret key (HS256)."""

from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

import jwt

from .settings import Settings

ALGORITHM = "HS256"
# Claims a token must carry; one without them is refused like a forged one.
REQUIRED_CLAIMS = ["exp", "iat", "sub"]


@dataclass(frozen=True)
class Caller:
    """Who sends a request, as the token says: the user's id, and whether they are an admin."""

    user_id: int
    is_admin: bool


class InvalidTokenError(Exception):
    """The token is expired, forged, tampered with, or not a token of this service."""


def issue(caller: Caller, settings: Settings, *, now: datetime) -> tuple[str, int]:
    """Sign a token for the caller; return it and its lifetime in seconds."""
    lifetime = timedelta(minutes=settings.access_token_minutes)
    claims = {
        "sub": str(caller.user_id),
        "admin": caller.is_admin,
        "iat": now,
        "exp": now + lifetime,
    }
    token = jwt.encode(claims, settings.secret_key.get_secret_value(), algorithm=ALGORITHM)
    return token, int(lifetime.total_seconds())


def read(token: str, settings: Settings) -> Caller:
    """Check the token's signature and expiry, and say who it was issued to."""
    try:
        # One algorithm only: "none", and a public key passed off as an HMAC secret, are refused.
        claims = jwt.decode(
            token,
            settings.secret_key.get_secret_value(),
            algorithms=[ALGORITHM],
            options={"require": REQUIRED_CLAIMS},
        )
        return Caller(user_id=int(claims["sub"]), is_admin=claims.get("admin") is True)
    except (jwt.InvalidTokenError, ValueError) as error:
        raise InvalidTokenError from error
