{% set async = "async " if cookiecutter.driver == "async" else "" %}
{% set await = "await " if cookiecutter.driver == "async" else "" %}
{% set Session = "AsyncSession" if cookiecutter.driver == "async" else "Session" %}
"""Reads and writes of users and items: the only module that queries the database."""

from collections.abc import Sequence

from pydantic import MISSING
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
{% if cookiecutter.driver == "async" %}
from sqlalchemy.ext.asyncio import AsyncSession
{% else %}
from sqlalchemy.orm import Session
{% endif %}

from .models import Item
from .models import User
from .schemas import ItemCreate
from .schemas import ItemUpdate
from .schemas import UserCreate
from .schemas import UserUpdate
from .security import hash_password


class EmailTakenError(Exception):
    """Another user already has this e-mail address."""


class UnknownOwnerError(Exception):
    """The user meant to own an item does not exist."""


{{ async }}def get_user(session: {{ Session }}, *, user_id: int) -> User | None:
    """Return the user with this id, or None."""
    return {{ await }}session.get(User, user_id)


{{ async }}def list_users(session: {{ Session }}, *, limit: int, offset: int) -> Sequence[User]:
    """Return a page of users, oldest first."""
    users = {{ await }}session.scalars(select(User).order_by(User.id).limit(limit).offset(offset))
    return users.all()


{{ async }}def create_user(session: {{ Session }}, *, data: UserCreate) -> User:
    """Add a user; raise EmailTakenError if the address is in use."""
    user = User(
        email=data.email,
        full_name=data.full_name,
        hashed_password={{ await }}hash_password(data.password.get_secret_value()),
    )
    session.add(user)
    {{ await }}_flush_user(session, user)
    return user


{{ async }}def update_user(session: {{ Session }}, *, user: User, data: UserUpdate) -> User:
    """Apply the fields given; raise EmailTakenError if the new address is in use."""
    for field, value in data.model_dump(exclude={"password"}).items():
        setattr(user, field, value)
    if data.password is not MISSING:
        user.hashed_password = {{ await }}hash_password(data.password.get_secret_value())
    {{ await }}_flush_user(session, user)
    return user


{{ async }}def delete_user(session: {{ Session }}, *, user: User) -> None:
    """Delete a user; the database deletes the user's items with it."""
    {{ await }}session.delete(user)
    {{ await }}session.flush()


{{ async }}def _flush_user(session: {{ Session }}, user: User) -> None:
    # The unique constraint decides, not a look-up beforehand: two requests
    # racing for one address cannot both pass it.
    email = user.email  # read now: a failed flush expires the object
    try:
        {{ await }}session.flush()
    except IntegrityError as error:
        raise EmailTakenError(email) from error


{{ async }}def get_item(session: {{ Session }}, *, item_id: int) -> Item | None:
    """Return the item with this id, or None."""
    return {{ await }}session.get(Item, item_id)


{{ async }}def list_items(session: {{ Session }}, *, limit: int, offset: int) -> Sequence[Item]:
    """Return a page of items, oldest first."""
    items = {{ await }}session.scalars(select(Item).order_by(Item.id).limit(limit).offset(offset))
    return items.all()


{{ async }}def create_item(session: {{ Session }}, *, data: ItemCreate) -> Item:
    """Add an item; raise UnknownOwnerError if its owner does not exist."""
    item = Item(**data.model_dump())
    session.add(item)
    # The foreign key decides whether the owner exists: one round trip, no race.
    try:
        {{ await }}session.flush()
    except IntegrityError as error:
        raise UnknownOwnerError(data.owner_id) from error
    return item


{{ async }}def update_item(session: {{ Session }}, *, item: Item, data: ItemUpdate) -> Item:
    """Apply the fields given."""
    for field, value in data.model_dump().items():
        setattr(item, field, value)
    {{ await }}session.flush()
    return item


{{ async }}def delete_item(session: {{ Session }}, *, item: Item) -> None:
    """Delete an item."""
    {{ await }}session.delete(item)
    {{ await }}session.flush()
