"""Reads and writes of items, and of users by id; the users' other ones are in accounts.py."""
{% from "driver.jinja" import async, await, Connection, Session, imports, async_imports, sync_imports with context %}

from collections.abc import Sequence
from typing import ClassVar
from typing import NoReturn

from sqlalchemy import bindparam
{% if cookiecutter.database != "mysql" %}
from sqlalchemy import insert
{% endif %}
from sqlalchemy import select
{{- sync_imports("Connection") if cookiecutter.auth == "none" else "" }}
from sqlalchemy.exc import IntegrityError
{{- async_imports("Connection") if cookiecutter.auth == "none" else "" }}
{{- imports("Session") }}

from .dialect import violated_constraint
from .models import Item
from .models import User
from .schemas import ItemCreate
from .schemas import ItemRead
from .schemas import ItemUpdate

# What the database refuses, by the names its constraints get from the naming convention (base.py).
ITEM_TITLE_UNIQUE = "uq_items_owner_id_title"
ITEM_OWNER_EXISTS = "fk_items_owner_id_users"

# The API reads items, its busiest path, as rows of the columns it shows, on a connection
# outside any transaction: they validate straight into ItemRead. Loading ORM objects into a
# session costs several times the query itself; writes, which need them, use the ORM. The
# statements are built once, with parameters: building one costs more than running it.
ITEM_COLUMNS = (Item.id, Item.title, Item.description, Item.status, Item.owner_id, Item.created_at)
LIST_ITEMS = (
    select(*ITEM_COLUMNS).order_by(Item.id).limit(bindparam("limit")).offset(bindparam("offset"))
)
# ItemRead's fields, in the order of ITEM_COLUMNS: a row is validated as a dict of them, which
# Pydantic does about three times faster than reading the same values as a Row's attributes.
ITEM_FIELDS = tuple(column.key for column in ITEM_COLUMNS)


class UnknownOwnerError(Exception):
    """The user meant to own an item does not exist."""


class TakenError(Exception):
    """A value that must be unique is another row's already: `detail` says which, in words."""

    detail: ClassVar[str]


class TitleTakenError(TakenError):
    """The owner already has an item with this title."""

    detail = "The owner already has an item with this title."


def item_read(row: Sequence[object]) -> ItemRead:
    """A row of ITEM_COLUMNS, as the API shows it."""
    return ItemRead.model_validate(dict(zip(ITEM_FIELDS, row, strict=True)))


{{ async }}def get_user(session: {{ Session }}, *, user_id: int) -> User | None:
    """Return the user with this id, or None."""
    return {{ await }}session.get(User, user_id)


{{ async }}def delete_user(session: {{ Session }}, *, user: User) -> None:
    """Delete a user; the database deletes the user's items with it."""
    {{ await }}session.delete(user)
    {{ await }}session.flush()


{{ async }}def get_item(session: {{ Session }}, *, item_id: int) -> Item | None:
    """Return the item with this id, to change it, or None."""
    return {{ await }}session.get(Item, item_id)
{% if cookiecutter.auth == "none" %}


{{ async }}def list_items(connection: {{ Connection }}, *, limit: int, offset: int) -> list[ItemRead]:
    """Return a page of items as the API shows them, oldest first."""
    rows = {{ await }}connection.execute(LIST_ITEMS, {"limit": limit, "offset": offset})
    return [item_read(row) for row in rows]


{{ async }}def create_item(session: {{ Session }}, *, data: ItemCreate) -> ItemRead:
    """Add an item; raise UnknownOwnerError or TitleTakenError when the database refuses it."""
    return {{ await }}_insert_item(session, data.model_dump())
{% else %}


{{ async }}def create_item(session: {{ Session }}, *, data: ItemCreate, owner_id: int) -> ItemRead:
    """Add an item; raise UnknownOwnerError or TitleTakenError when the database refuses it."""
    values = {**data.model_dump(exclude={"owner_id"}), "owner_id": owner_id}
    return {{ await }}_insert_item(session, values)
{% endif %}


{% if cookiecutter.database == "mysql" %}
{{ async }}def _insert_item(session: {{ Session }}, values: dict[str, object]) -> ItemRead:
    # The unit of work inserts it: MySQL has no INSERT ... RETURNING (MariaDB has).
    item = Item(**values)
    session.add(item)
    {{ await }}flush_items(session, owner_id=item.owner_id)
    return ItemRead.model_validate(item)
{% else %}
# Built once, as the reads are: building it and its cache key cost about 70 microseconds a create.
INSERT_ITEM = insert(Item).returning(*ITEM_COLUMNS)


{{ async }}def _insert_item(session: {{ Session }}, values: dict[str, object]) -> ItemRead:
    # One INSERT ... RETURNING on the transaction's connection, its row validated straight into
    # ItemRead as a read's is: nothing needs the new row as an object of the session.
    connection = {{ await }}session.connection()
    try:
        row = ({{ await }}connection.execute(INSERT_ITEM, values)).one()
    except IntegrityError as error:
        refused_item(error, owner_id=values["owner_id"])
    return item_read(row)
{% endif %}


{{ async }}def update_item(session: {{ Session }}, *, item: Item, data: ItemUpdate) -> None:
    """Apply the fields given; raise TitleTakenError if the owner has an item of the new title."""
    owner_id = item.owner_id
    for field, value in data.model_dump().items():
        setattr(item, field, value)
    {{ await }}flush_items(session, owner_id=owner_id)


{{ async }}def delete_item(session: {{ Session }}, *, item: Item) -> None:
    """Delete an item."""
    {{ await }}session.delete(item)
    {{ await }}session.flush()


# The constraints decide, not look-ups beforehand: two requests racing for one
# title cannot both pass them, and a valid write costs one round trip.
{{ async }}def flush_items(session: {{ Session }}, *, owner_id: int) -> None:
    """Write the items added or changed; raise TitleTakenError or UnknownOwnerError if refused."""
    try:
        {{ await }}session.flush()
    except IntegrityError as error:
        refused_item(error, owner_id=owner_id)


def refused_item(error: IntegrityError, *, owner_id: object) -> NoReturn:
    """Raise what the database's refusal of an item means: TitleTakenError or UnknownOwnerError."""
    constraint = violated_constraint(error)
    if constraint == ITEM_TITLE_UNIQUE:
        raise TitleTakenError(owner_id) from error
    if constraint == ITEM_OWNER_EXISTS:
        raise UnknownOwnerError(owner_id) from error
    raise error
