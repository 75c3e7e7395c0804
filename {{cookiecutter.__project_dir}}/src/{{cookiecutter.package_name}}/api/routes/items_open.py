"""Items: create, list, read, update and delete; open to every caller."""
{% from "driver.jinja" import async, await with context %}

from typing import Annotated

from fastapi import APIRouter
from fastapi import Depends
from fastapi import HTTPException
from fastapi import status

from ... import crud
from ... import item_reads
from ...models import Item
from ...schemas import ItemCreate
from ...schemas import ItemRead
from ...schemas import ItemUpdate
from .. import API_PREFIX
from ..deps import Limit
from ..deps import Offset
from ..deps import PathId
from ..errors import TITLE_TAKEN
from ..errors import UNAVAILABLE
from ..errors import UNREADABLE_BODY
from ..errors import Responses
from ..sessions import ConnectionDep
from ..sessions import SessionDep

router = APIRouter(prefix=f"{API_PREFIX}/items", tags=["items"], responses=UNAVAILABLE)

NOT_FOUND: Responses = {404: {"description": "No item has this id."}}


{{ async }}def _item_or_404(item_id: PathId, session: SessionDep) -> Item:
    item = {{ await }}crud.get_item(session, item_id=item_id)
    if item is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"Item {item_id} not found.")
    return item


ItemDep = Annotated[Item, Depends(_item_or_404)]


@router.post("", status_code=status.HTTP_201_CREATED, responses=TITLE_TAKEN | UNREADABLE_BODY)
{{ async }}def create_item(data: ItemCreate, session: SessionDep) -> ItemRead:
    """Create an item for an existing user."""
    item = {{ await }}crud.create_item(session, data=data)
    return ItemRead.model_validate(item)


@router.get("")
{{ async }}def list_items(
    connection: ConnectionDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[ItemRead]:
    """List items, oldest first."""
    return {{ await }}crud.list_items(connection, limit=limit, offset=offset)


@router.get("/{item_id}", responses=NOT_FOUND)
{{ async }}def read_item(item_id: PathId, connection: ConnectionDep) -> ItemRead:
    """Read one item."""
    item = {{ await }}item_reads.read_item(connection, item_id=item_id)
    if item is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"Item {item_id} not found.")
    return item


@router.patch("/{item_id}", responses=NOT_FOUND | TITLE_TAKEN | UNREADABLE_BODY)
{{ async }}def update_item(item: ItemDep, data: ItemUpdate, session: SessionDep) -> ItemRead:
    """Change some of an item's fields."""
    {{ await }}crud.update_item(session, item=item, data=data)
    return ItemRead.model_validate(item)


@router.delete("/{item_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
{{ async }}def delete_item(item: ItemDep, session: SessionDep) -> None:
    """Delete an item."""
    {{ await }}crud.delete_item(session, item=item)
