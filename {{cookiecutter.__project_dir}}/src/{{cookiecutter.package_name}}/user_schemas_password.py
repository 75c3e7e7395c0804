"""Request and response bodies about users, who sign in with an e-mail address and a password."""

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Annotated
from typing import Literal

from pydantic import MISSING
from pydantic import AfterValidator
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import SecretStr
from pydantic_core import PydanticCustomError

from .emails import Email
from .schemas import Flag
from .schemas import Name
from .schemas import NewItem

MIN_PASSWORD, MAX_PASSWORD = 12, 128
# Fewer different characters than this, and a password is refused as too repetitive.
MIN_DISTINCT_CHARACTERS = 5
# Pydantic's own messages for a secret speak of "items": these say characters, as for any string.
PASSWORD_TOO_SHORT = (
    "string_too_short",
    "String should have at least {min_length} characters",
    {"min_length": MIN_PASSWORD},
)
PASSWORD_TOO_LONG = (
    "string_too_long",
    "String should have at most {max_length} characters",
    {"max_length": MAX_PASSWORD},
)


# Next to this module: hatchling puts every file of the package in the wheel.
COMMON_PASSWORDS = Path(__file__).with_name("common_passwords.txt")
PASSWORD_TOO_REPETITIVE = ("password_too_repetitive", "Password is too repetitive")
PASSWORD_TOO_COMMON = ("password_too_common", "Password is too common")


@cache
def common_passwords() -> frozenset[str]:
    """Passwords too common to accept, lower-cased (their source is named in the file)."""
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def _check_password(password: SecretStr) -> SecretStr:
    value = password.get_secret_value()
    if len(value) < MIN_PASSWORD:
        raise PydanticCustomError(*PASSWORD_TOO_SHORT)
    if len(value) > MAX_PASSWORD:
        raise PydanticCustomError(*PASSWORD_TOO_LONG)
    if len(set(value)) < MIN_DISTINCT_CHARACTERS:
        raise PydanticCustomError(*PASSWORD_TOO_REPETITIVE)
    if value.lower() in common_passwords():
        raise PydanticCustomError(*PASSWORD_TOO_COMMON)
    return password


# A secret string: kept out of reprs and logs, and documented as write-only.
Password = Annotated[
    SecretStr,
    AfterValidator(_check_password),
    Field(json_schema_extra={"minLength": MIN_PASSWORD, "maxLength": MAX_PASSWORD}),
]


class UserCreate(BaseModel):
    """A new user, and any first items; the password is stored only as an argon2 hash."""

    email: Email
    full_name: Name
    password: Password
    items: list[NewItem] = Field(default_factory=list, max_length=100)


class UserUpdate(BaseModel):
    """Fields to change; a field left out keeps its value."""

    email: Email | MISSING = MISSING
    full_name: Name | MISSING = MISSING
    password: Password | MISSING = MISSING
    current_password: SecretStr | MISSING = MISSING
    """Required to change one's own password."""
    is_active: Flag | MISSING = MISSING
    """Changed by admins only."""
    is_superuser: Flag | MISSING = MISSING
    """Changed by admins only."""


class UserRead(BaseModel):
    """A user as the API shows it: never the password or its hash."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    full_name: str
    is_active: bool
    is_superuser: bool
    created_at: datetime


class Token(BaseModel):
    """An access token, as OAuth2 hands it out: send it as `Authorization: Bearer <token>`."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (the kind of token, not a secret)
    expires_in: int
    """Seconds until the token expires."""
