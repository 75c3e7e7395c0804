"""Items: each belongs to a user, who sees it with the public ones; admins see and change all."""
{% from "driver.jinja" import async, await with context %}

from typing import Annotated

from fastapi import APIRouter
from fastapi import Depends
from fastapi import HTTPException
from fastapi import status

from ... import crud
from ...enums import ItemStatus
from ...models import Item
from ...schemas import ItemRead
from ...schemas import ItemUpdate
from .. import API_PREFIX
from ..caller import CallerAndItemDep
from ..caller import CallerDep
from ..caller import VisiblePageDep
from ..caller_base import FORBIDDEN
from ..caller_base import NOT_AUTHENTICATED
from ..caller_base import Caller
from ..deps import PathId
from ..errors import TITLE_TAKEN
from ..errors import UNAVAILABLE
from ..errors import UNREADABLE_BODY
from ..errors import Responses
from ..item_creates import create_item
from ..sessions import SessionDep

router = APIRouter(
    prefix=f"{API_PREFIX}/items", tags=["items"], responses=UNAVAILABLE | NOT_AUTHENTICATED
)

NOT_FOUND: Responses = {404: {"description": "No item with this id that the caller may see."}}


def _visible(owner_id: int, item_status: ItemStatus, caller: Caller) -> bool:
    # Another user's private item gets the same 404 as none: the API never shows it exists.
    return caller.is_admin or owner_id == caller.user_id or item_status == ItemStatus.PUBLIC


{{ async }}def _visible_item(item_id: PathId, caller: CallerDep, session: SessionDep) -> Item:
    item = {{ await }}crud.get_item(session, item_id=item_id)
    if item is None or not _visible(item.owner_id, item.status, caller):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"Item {item_id} not found.")
    return item


VisibleItemDep = Annotated[Item, Depends(_visible_item)]


async def _own_item(item: VisibleItemDep, caller: CallerDep) -> Item:
    if not (caller.is_admin or item.owner_id == caller.user_id):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, detail="Only the item's owner or an admin may change it."
        )
    return item


OwnItemDep = Annotated[Item, Depends(_own_item)]


# How the caller is checked differs with the kind of account: item_creates.py handles it.
router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=TITLE_TAKEN | UNREADABLE_BODY | FORBIDDEN,
)(create_item)


@router.get("")
async def list_items(page: VisiblePageDep) -> list[ItemRead]:
    """List one's own items and the public ones (an admin: all), oldest first."""
    # Read with the caller's account, in one statement (see caller.py). Nothing to wait for
    # here, so it runs on the event loop whatever the driver: no thread of its own.
    return page


@router.get("/{item_id}", responses=NOT_FOUND)
{{ async }}def read_item(item_id: PathId, read: CallerAndItemDep) -> ItemRead:
    """Read an item of one's own, or a public one."""
    # The caller's account and the item are read in one statement (see caller.py).
    if read.item is None or not _visible(read.item.owner_id, read.item.status, read.caller):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"Item {item_id} not found.")
    return read.item


@router.patch("/{item_id}", responses=NOT_FOUND | TITLE_TAKEN | UNREADABLE_BODY | FORBIDDEN)
{{ async }}def update_item(item: OwnItemDep, data: ItemUpdate, session: SessionDep) -> ItemRead:
    """Change some of the fields of an item of one's own."""
    {{ await }}crud.update_item(session, item=item, data=data)
    return ItemRead.model_validate(item)


@router.delete(
    "/{item_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND | FORBIDDEN
)
{{ async }}def delete_item(item: OwnItemDep, session: SessionDep) -> None:
    """Delete an item of one's own."""
    {{ await }}crud.delete_item(session, item=item)
