"""Request and response bodies about users, who are records of the API: no one signs in."""

from datetime import datetime

from pydantic import MISSING
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

from .emails import Email
from .schemas import Flag
from .schemas import Name
from .schemas import NewItem


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
