"""Access tokens: short-lived JWTs, signed with the service's secret key (HS256)."""

import time
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


def read(token: str, settings: Settings) -> tuple[Caller, int]:
    """Check the token's signature and expiry; say who it was issued to, and when it expires."""
    try:
        # One algorithm only: "none", and a public key passed off as an HMAC secret, are refused.
        claims = jwt.decode(
            token,
            settings.secret_key.get_secret_value(),
            algorithms=[ALGORITHM],
            options={"require": REQUIRED_CLAIMS},
        )
        caller = Caller(user_id=int(claims["sub"]), is_admin=claims.get("admin") is True)
        return caller, int(claims["exp"])
    except (jwt.InvalidTokenError, ValueError) as error:
        raise InvalidTokenError from error


class TokenReader:
    """Reads access tokens, and remembers the valid ones until they expire.

    A client sends the same token with every request until it expires, and checking its
    signature (PyJWT is pure Python) costs more than the rest of a simple read. A token
    remembered is still refused once expired; a forged one is never remembered.
    """

    def __init__(self, settings: Settings, *, remembered: int = 4096) -> None:
        self._settings = settings
        self._remembered = remembered
        self._valid: dict[str, tuple[Caller, int]] = {}

    def read(self, token: str) -> Caller:
        """The caller a valid token names; raise InvalidTokenError for any other."""
        known = self._valid.get(token)
        if known is not None and time.time() < known[1]:
            return known[0]
        caller, expires = read(token, self._settings)
        if len(self._valid) >= self._remembered:
            # The oldest goes first: a dict keeps the order of insertion.
            del self._valid[next(iter(self._valid))]
        self._valid[token] = (caller, expires)
        return caller
