"""Access tokens: short-lived JWTs, signed with the service's secret key (HS256)."""

import time
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

import jwt

from .schemas import MAX_ID
from .settings import Settings

ALGORITHM = "HS256"
# Claims a token must carry; one without them is refused like a forged one.
REQUIRED_CLAIMS = ["exp", "iat", "sub", "ver"]


@dataclass(frozen=True)
class Bearer:
    """Whom a token was issued to, and at which of the account's token versions.

    Nothing else: what the account may do is read from its row on every request.
    """

    user_id: int
    token_version: int


class InvalidTokenError(Exception):
    """The token is expired, forged, tampered with, or not a token of this service."""


def issue(bearer: Bearer, settings: Settings, *, now: datetime) -> tuple[str, int]:
    """Sign a token for the account; return it and its lifetime in seconds."""
    lifetime = timedelta(minutes=settings.access_token_minutes)
    claims = {
        "sub": str(bearer.user_id),
        "ver": bearer.token_version,
        "iat": now,
        "exp": now + lifetime,
    }
    token = jwt.encode(claims, settings.secret_key.get_secret_value(), algorithm=ALGORITHM)
    return token, int(lifetime.total_seconds())


def read(token: str, settings: Settings) -> tuple[Bearer, int]:
    """Check the token's signature and expiry; say who it was issued to, and when it expires."""
    try:
        # One algorithm only: "none", and a public key passed off as an HMAC secret, are refused.
        claims = jwt.decode(
            token,
            settings.secret_key.get_secret_value(),
            algorithms=[ALGORITHM],
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.InvalidTokenError as error:
        raise InvalidTokenError from error
    subject, version = claims["sub"], claims["ver"]
    # Signed with this service's key, yet naming no account there can be: refused unread.
    if not (_is_number(subject) and 1 <= int(subject) <= MAX_ID and _is_number(version)):
        raise InvalidTokenError
    return Bearer(user_id=int(subject), token_version=int(version)), int(claims["exp"])


def _is_number(value: object) -> bool:
    # Digits 0-9 only: int() would also take "1_000", " 7" and other scripts' digits.
    text = value if isinstance(value, str) else str(value) if type(value) is int else ""
    return text.isascii() and text.isdigit()


class TokenReader:
    """Reads access tokens, and remembers the valid ones until they expire.

    A client sends the same token with every request until it expires, and checking its
    signature (PyJWT is pure Python) costs more than the rest of a simple read. A token
    remembered is still refused once expired; a forged one is never remembered.
    """

    def __init__(self, settings: Settings, *, remembered: int = 4096) -> None:
        self._settings = settings
        self._remembered = remembered
        self._valid: dict[str, tuple[Bearer, int]] = {}

    def read(self, token: str) -> Bearer:
        """Whom a valid token names; raise InvalidTokenError for any other."""
        known = self._valid.get(token)
        if known is not None and time.time() < known[1]:
            return known[0]
        bearer, expires = read(token, self._settings)
        if len(self._valid) >= self._remembered:
            # The oldest goes first: a dict keeps the order of insertion.
            del self._valid[next(iter(self._valid))]
        self._valid[token] = (bearer, expires)
        return bearer
