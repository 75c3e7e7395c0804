"""An item inserted in one statement if the token's account may create it: how most creates go."""
{% from "driver.jinja" import async, await, Connection, async_imports, sync_imports with context %}

from sqlalchemy import bindparam
from sqlalchemy import insert
from sqlalchemy import or_
from sqlalchemy import select
{{- sync_imports("Connection") }}
from sqlalchemy.exc import IntegrityError
{{- async_imports("Connection") }}

from .column_types import utc_now
from .crud import refused_item
from .models import Item
from .models import User
from .schemas import ItemCreate
from .schemas import ItemRead

# The columns a request gives the new item, and its time of creation: parameters of the
# SELECT, typed as the columns.
GIVEN = tuple(
    Item.__table__.c[name] for name in ("title", "description", "status", "owner_id", "created_at")
)
# The token's account is active, the token of its current version, and the account an admin or
# the new item's owner: then its row gives the item its one row; otherwise nothing is inserted.
# Built once, as the reads are.
INSERT_ITEM_IF_ALLOWED = insert(Item).from_select(
    [column.key for column in GIVEN],
    select(*(bindparam(column.key, type_=column.type) for column in GIVEN)).where(
        User.id == bindparam("caller_id"),
        User.is_active,
        User.token_version == bindparam("token_version"),
        or_(User.is_superuser, User.id == bindparam("owner_id")),
    ),
)


{{ async }}def insert_item_if_allowed(
    connection: {{ Connection }},
    *,
    data: ItemCreate,
    owner_id: int,
    caller_id: int,
    token_version: int,
) -> ItemRead | None:
    """Insert the item if the token of this account and version may; None if it may not.

    Raises UnknownOwnerError or TitleTakenError when the database refuses the item.
    """
    # MySQL has no INSERT ... RETURNING: the new row is what was sent, with the id it was given.
    item = {**data.model_dump(), "owner_id": owner_id, "created_at": utc_now()}
    values = {**item, "caller_id": caller_id, "token_version": token_version}
    try:
        result = {{ await }}connection.execute(INSERT_ITEM_IF_ALLOWED, values)
    except IntegrityError as error:
        refused_item(error, owner_id=owner_id)
    if result.rowcount == 0:
        return None
    return ItemRead.model_validate({**item, "id": result.lastrowid})
