{% from "driver.jinja" import async, await, Session with context %}
"""Reads and writes of users and items: the only module that queries the database."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
{% if cookiecutter.driver == "async" %}
from sqlalchemy.ext.asyncio import AsyncSession
{% else %}
from sqlalchemy.orm import Session
{% endif %}

from .integrity import violated_constraint
from .models import Item
from .models import User
from .schemas import ItemCreate
from .schemas import ItemUpdate
from .schemas import UserCreate
from .schemas import UserUpdate

# What the database refuses, by the names its constraints get from the naming convention (base.py).
USER_EMAIL_UNIQUE = "uq_users_email"
ITEM_TITLE_UNIQUE = "uq_items_owner_id_title"
ITEM_OWNER_EXISTS = "fk_items_owner_id_users"


class EmailTakenError(Exception):
    """Another user already has this e-mail address."""


class UnknownOwnerError(Exception):
    """The user meant to own an item does not exist."""


class TitleTakenError(Exception):
    """The owner already has an item with this title."""


{{ async }}def get_user(session: {{ Session }}, *, user_id: int) -> User | None:
    """Return the user with this id, or None."""
    return {{ await }}session.get(User, user_id)


{{ async }}def list_users(session: {{ Session }}, *, limit: int, offset: int) -> Sequence[User]:
    """Return a page of users, oldest first."""
    users = {{ await }}session.scalars(select(User).order_by(User.id).limit(limit).offset(offset))
    return users.all()


{{ async }}def create_user(session: {{ Session }}, *, data: UserCreate, hashed_password: str) -> User:
    """Add a user and the user's first items, all or nothing.

    Raises EmailTakenError if the address is in use, TitleTakenError if two items share a title.
    """
    user = User(email=data.email, full_name=data.full_name, hashed_password=hashed_password)
    session.add(user)
    {{ await }}_flush_user(session, user)
    # The items need the user's new id, so they are a second statement; if it
    # fails, the request's transaction takes the user back with it.
    session.add_all(Item(**item.model_dump(), owner_id=user.id) for item in data.items)
    {{ await }}_flush_items(session, owner_id=user.id)
    return user


{{ async }}def update_user(
    session: {{ Session }}, *, user: User, data: UserUpdate, hashed_password: str | None = None
) -> None:
    """Apply the fields given, and the new password's hash if there is one.

    Raises EmailTakenError if the new address is in use.
    """
    for field, value in data.model_dump(exclude={"password"}).items():
        setattr(user, field, value)
    if hashed_password is not None:
        user.hashed_password = hashed_password
    {{ await }}_flush_user(session, user)


{{ async }}def delete_user(session: {{ Session }}, *, user: User) -> None:
    """Delete a user; the database deletes the user's items with it."""
    {{ await }}session.delete(user)
    {{ await }}session.flush()


{{ async }}def get_item(session: {{ Session }}, *, item_id: int) -> Item | None:
    """Return the item with this id, or None."""
    return {{ await }}session.get(Item, item_id)


{{ async }}def list_items(session: {{ Session }}, *, limit: int, offset: int) -> Sequence[Item]:
    """Return a page of items, oldest first."""
    items = {{ await }}session.scalars(select(Item).order_by(Item.id).limit(limit).offset(offset))
    return items.all()


{{ async }}def create_item(session: {{ Session }}, *, data: ItemCreate) -> Item:
    """Add an item; raise UnknownOwnerError or TitleTakenError when the database refuses it."""
    item = Item(**data.model_dump())
    session.add(item)
    {{ await }}_flush_items(session, owner_id=data.owner_id)
    return item


{{ async }}def update_item(session: {{ Session }}, *, item: Item, data: ItemUpdate) -> None:
    """Apply the fields given; raise TitleTakenError if the owner has an item of the new title."""
    owner_id = item.owner_id
    for field, value in data.model_dump().items():
        setattr(item, field, value)
    {{ await }}_flush_items(session, owner_id=owner_id)


{{ async }}def delete_item(session: {{ Session }}, *, item: Item) -> None:
    """Delete an item."""
    {{ await }}session.delete(item)
    {{ await }}session.flush()


# The constraints decide, not look-ups beforehand: two requests racing for one
# e-mail address or title cannot both pass them, and a valid write costs one round trip.
{{ async }}def _flush_user(session: {{ Session }}, user: User) -> None:
    try:
        {{ await }}session.flush()
    except IntegrityError as error:
        if violated_constraint(error) == USER_EMAIL_UNIQUE:
            raise EmailTakenError from error
        raise


{{ async }}def _flush_items(session: {{ Session }}, *, owner_id: int) -> None:
    try:
        {{ await }}session.flush()
    except IntegrityError as error:
        constraint = violated_constraint(error)
        if constraint == ITEM_TITLE_UNIQUE:
            raise TitleTakenError(owner_id) from error
        if constraint == ITEM_OWNER_EXISTS:
            raise UnknownOwnerError(owner_id) from error
        raise
