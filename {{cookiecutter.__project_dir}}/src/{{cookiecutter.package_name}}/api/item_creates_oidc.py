"""Creating an item: the caller, recorded first if new, then the item, in one transaction."""
{% from "driver.jinja" import async, await with context %}

from fastapi import HTTPException
from fastapi import status

from .. import crud
from ..schemas import ItemCreate
from ..schemas import ItemRead
from .caller import CallerDep
from .caller_base import not_authenticated
from .sessions import SessionDep

ACCOUNT_GONE = "The token's account no longer exists."


{{ async }}def create_item(data: ItemCreate, caller: CallerDep, session: SessionDep) -> ItemRead:
    """Create an item of one's own; an admin may create one for any user."""
    owner_id = data.owner_id or caller.user_id
    if owner_id != caller.user_id and not caller.is_admin:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, detail="Only an admin may create items for other users."
        )
    try:
        item = {{ await }}crud.create_item(session, data=data, owner_id=owner_id)
    except crud.UnknownOwnerError:
        if owner_id != caller.user_id:
            raise
        # The account was deleted after the token was issued.
        raise not_authenticated(detail=ACCOUNT_GONE, invalid_token=True) from None
    return item
