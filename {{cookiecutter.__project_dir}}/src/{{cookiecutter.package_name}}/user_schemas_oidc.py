"""Request and response bodies about users, whom the identity provider's tokens name."""

from datetime import datetime

from pydantic import MISSING
from pydantic import BaseModel
from pydantic import ConfigDict

from .schemas import Flag
from .schemas import Name


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
