"""Request and response bodies of items and health checks, and the field types all bodies use."""

from datetime import datetime
from typing import Annotated
from typing import Literal

from pydantic import MISSING
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import Strict
from pydantic import StringConstraints

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


class Health(BaseModel):
    """The answer of a health check."""

    status: Literal["ok"]
