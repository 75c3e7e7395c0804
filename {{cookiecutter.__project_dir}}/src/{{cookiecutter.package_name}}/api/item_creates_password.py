"""Creating an item: as a rule in one statement, which inserts it only if the caller may."""
{% from "driver.jinja" import async, await with context %}

from fastapi import HTTPException
from fastapi import Request
from fastapi import status

from .. import crud
from ..db import Database
from ..item_inserts import insert_item_if_allowed
from ..schemas import ItemCreate
from ..schemas import ItemRead
from ..tokens import Bearer
from ..transactions import turn
from .caller import ValidBearerDep
from .caller import caller_of
from .caller_base import not_authenticated

ACCOUNT_GONE = "The token's account no longer exists."


{{ async }}def create_item(data: ItemCreate, bearer: ValidBearerDep, request: Request) -> ItemRead:
    """Create an item of one's own; an admin may create one for any user."""
    database: Database = request.app.state.database
    owner_id = data.owner_id or bearer.user_id
    try:
        # One turn for both tries: the second takes a connection once the first has given
        # its one back, so the request holds one of the pool's connections at most.
        {{ async }}with turn(database):
            # The insert checks the caller's account itself: one statement, which is a
            # transaction by itself, where a session would read the account first.
            {{ async }}with database.write_connection() as connection:
                item = {{ await }}insert_item_if_allowed(
                    connection,
                    data=data,
                    owner_id=owner_id,
                    caller_id=bearer.user_id,
                    token_version=bearer.token_version,
                )
            if item is None:
                item = {{ await }}_checked_create(database, data, owner_id, bearer, request)
    except crud.UnknownOwnerError:
        if owner_id != bearer.user_id:
            raise
        # The account was deleted after the token was issued.
        raise not_authenticated(detail=ACCOUNT_GONE, invalid_token=True) from None
    return item


{{ async }}def _checked_create(
    database: Database, data: ItemCreate, owner_id: int, bearer: Bearer, request: Request
) -> ItemRead:
    # The statement inserted nothing: the caller's account, read in a transaction as other
    # writes read it, tells why (401, 403), or lets the item in if it changed meanwhile.
    {{ async }}with database.sessions.begin() as session:
        caller = {{ await }}caller_of(bearer, request, session)
        if owner_id != caller.user_id and not caller.is_admin:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, detail="Only an admin may create items for other users."
            )
        return {{ await }}crud.create_item(session, data=data, owner_id=owner_id)
