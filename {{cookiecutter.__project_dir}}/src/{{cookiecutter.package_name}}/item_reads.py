"""One item read by itself: for a GET that reads no caller's account with it."""
{% from "driver.jinja" import async, await, Connection, imports with context %}

from sqlalchemy import bindparam
from sqlalchemy import select
{{- imports("Connection") }}

from .crud import ITEM_COLUMNS
from .crud import item_read
from .models import Item
from .schemas import ItemRead

# Built once, as crud's statements are. Where the caller has an account, the item is read
# with it instead, in one statement (accounts.read_account_and_item).
READ_ITEM = select(*ITEM_COLUMNS).where(Item.id == bindparam("item_id"))


{{ async }}def read_item(connection: {{ Connection }}, *, item_id: int) -> ItemRead | None:
    """Return the item with this id as the API shows it, or None."""
    row = ({{ await }}connection.execute(READ_ITEM, {"item_id": item_id})).first()
    return None if row is None else item_read(row)
