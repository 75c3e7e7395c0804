"""Request and response bodies of the API."""

{% if cookiecutter.auth != "oidc" %}
import unicodedata
{% endif %}
from datetime import datetime
{% if cookiecutter.auth == "password" %}
from functools import cache
from pathlib import Path
{% endif %}
from typing import Annotated
from typing import Literal

from pydantic import MISSING
{% if cookiecutter.auth != "oidc" %}
from pydantic import AfterValidator
{% endif %}
from pydantic import BaseModel
{% if cookiecutter.auth != "oidc" %}
from pydantic import BeforeValidator
{% endif %}
from pydantic import ConfigDict
{% if cookiecutter.auth != "oidc" %}
from pydantic import EmailStr
{% endif %}
from pydantic import Field
{% if cookiecutter.auth == "password" %}
from pydantic import SecretStr
{% endif %}
from pydantic import Strict
from pydantic import StringConstraints
{% if cookiecutter.auth == "password" %}
from pydantic_core import PydanticCustomError
{% endif %}

from .enums import ItemStatus

# Primary keys are 32-bit integers on every database: anything larger can never match.
MAX_ID = 2**31 - 1

# Strict: a JSON number or boolean is taken as it is, never "5" for 5 or 0 for false.
Id = Annotated[int, Strict(), Field(ge=1, le=MAX_ID)]
Flag = Annotated[bool, Strict()]
# PostgreSQL cannot store NUL characters; refuse them on every database alike.
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\x00]*$"),
]
Description = Annotated[str, StringConstraints(max_length=10_000, pattern=r"^[^\x00]*$")]
{% if cookiecutter.auth != "oidc" %}


def normalized_email(address: str) -> str:
    """An address as it is stored and compared: in NFKC form, lower-cased.

    NFKC makes one of the characters that look alike or mean the same: a full-width "c"
    (U+FF43) is a "c".
    """
    return unicodedata.normalize("NFKC", address).lower()


def _normalized_if_text(value: object) -> object:
    return normalized_email(value) if isinstance(value, str) else value


# Stored normalized, so that two spellings of one address are one account.
Email = Annotated[EmailStr, BeforeValidator(_normalized_if_text), AfterValidator(str.lower)]
{% endif %}
{% if cookiecutter.auth == "password" %}

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
{% endif %}


class NewItem(BaseModel):
    """An item to create, for an owner given elsewhere."""

    title: Name
    description: Description | None = None
    status: ItemStatus = ItemStatus.PRIVATE


class ItemCreate(NewItem):
    """A new item."""

{% if cookiecutter.auth == "none" %}
    owner_id: Id
{% else %}
    owner_id: Id | None = None
    """The owner: the caller, unless an admin names another user."""
{% endif %}


class ItemUpdate(BaseModel):
    """Fields to change; a field left out keeps its value, a null description clears it."""

    title: Name | MISSING = MISSING
    description: Description | MISSING | None = MISSING
    status: ItemStatus | MISSING = MISSING


class ItemRead(BaseModel):
    """An item as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    description: str | None
    status: ItemStatus
    owner_id: int
    created_at: datetime
{% if cookiecutter.auth == "password" %}


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
{% elif cookiecutter.auth == "oidc" %}


class UserUpdate(BaseModel):
    """Fields to change; a field left out keeps its value."""

    full_name: Name | MISSING = MISSING
    is_active: Flag | MISSING = MISSING
    """Changed by admins only."""


class UserRead(BaseModel):
    """A user as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    subject: str
    email: str | None
    full_name: str
    is_active: bool
    created_at: datetime
{% else %}


class UserCreate(BaseModel):
    """A new user, and any first items."""

    email: Email
    full_name: Name
    items: list[NewItem] = Field(default_factory=list, max_length=100)


class UserUpdate(BaseModel):
    """Fields to change; a field left out keeps its value."""

    email: Email | MISSING = MISSING
    full_name: Name | MISSING = MISSING
    is_active: Flag | MISSING = MISSING


class UserRead(BaseModel):
    """A user as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    full_name: str
    is_active: bool
    created_at: datetime
{% endif %}


class Health(BaseModel):
    """The answer of a health check."""

    status: Literal["ok"]
