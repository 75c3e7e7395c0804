"""Request and response bodies of the API."""

from datetime import datetime
from typing import Annotated
from typing import Literal

from pydantic import MISSING
from pydantic import AfterValidator
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import EmailStr
from pydantic import Field
from pydantic import SecretStr
from pydantic import Strict
from pydantic import StringConstraints
from pydantic_core import PydanticCustomError

from .enums import ItemStatus

# Primary keys are 32-bit integers on every database: anything larger can never match.
MAX_ID = 2**31 - 1

# Strict: a JSON number or boolean is taken as it is, never "5" for 5 or 0 for false.
Id = Annotated[int, Strict(), Field(ge=1, le=MAX_ID)]
Flag = Annotated[bool, Strict()]
# Addresses are compared case-insensitively, so they are stored lower-cased.
Email = Annotated[EmailStr, AfterValidator(str.lower)]
# PostgreSQL cannot store NUL characters; refuse them on every database alike.
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\x00]*$"),
]
Description = Annotated[str, StringConstraints(max_length=10_000, pattern=r"^[^\x00]*$")]
MIN_PASSWORD, MAX_PASSWORD = 8, 128
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


def _check_password_length(password: SecretStr) -> SecretStr:
    length = len(password.get_secret_value())
    if length < MIN_PASSWORD:
        raise PydanticCustomError(*PASSWORD_TOO_SHORT)
    if length > MAX_PASSWORD:
        raise PydanticCustomError(*PASSWORD_TOO_LONG)
    return password


# A secret string: kept out of reprs and logs, and documented as write-only.
Password = Annotated[
    SecretStr,
    AfterValidator(_check_password_length),
    Field(json_schema_extra={"minLength": MIN_PASSWORD, "maxLength": MAX_PASSWORD}),
]


class NewItem(BaseModel):
    """An item to create for a user given elsewhere."""

    title: Name
    description: Description | None = None
    status: ItemStatus = ItemStatus.PRIVATE


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
    is_active: Flag | MISSING = MISSING


class UserRead(BaseModel):
    """A user as the API shows it: never the password or its hash."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    full_name: str
    is_active: bool
    created_at: datetime


class ItemCreate(NewItem):
    """A new item for an existing user."""

    owner_id: Id


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


class Health(BaseModel):
    """The answer of a health check."""

    status: Literal["ok"]
