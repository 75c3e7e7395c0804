{% from "driver.jinja" import async, await with context %}
"""Users, as the identity provider's tokens first showed them: one's own account; admins see all."""

from typing import Annotated

from fastapi import APIRouter
from fastapi import Depends
from fastapi import HTTPException
from fastapi import Request
from fastapi import status
from pydantic import MISSING

from ... import accounts
from ... import crud
from ...events import security_event
from ...models import User
from ...user_schemas import UserRead
from ...user_schemas import UserUpdate
from .. import API_PREFIX
from ..caller import AdminDep
from ..caller import CallerDep
from ..caller_base import FORBIDDEN
from ..caller_base import NOT_AUTHENTICATED
from ..caller_base import client_address
from ..deps import Limit
from ..deps import Offset
from ..errors import UNAVAILABLE
from ..errors import UNREADABLE_BODY
from ..errors import Responses
from ..sessions import SessionDep
from ..user_in_reach import UserDep

router = APIRouter(
    prefix=f"{API_PREFIX}/users", tags=["users"], responses=UNAVAILABLE | NOT_AUTHENTICATED
)

NOT_FOUND: Responses = {404: {"description": "No user has this id."}}


{{ async }}def _me(caller: CallerDep, session: SessionDep) -> User:
    user = {{ await }}crud.get_user(session, user_id=caller.user_id)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No such user.")
    return user


MeDep = Annotated[User, Depends(_me)]


@router.get("", responses=FORBIDDEN)
{{ async }}def list_users(
    _admin: AdminDep, session: SessionDep, limit: Limit = 50, offset: Offset = 0
) -> list[UserRead]:
    """List the users seen so far, oldest first (admins only)."""
    users = {{ await }}accounts.list_users(session, limit=limit, offset=offset)
    return [UserRead.model_validate(user) for user in users]


@router.get("/me")
{{ async }}def read_me(me: MeDep) -> UserRead:
    """Read one's own account."""
    return UserRead.model_validate(me)


@router.patch("/me", responses=UNREADABLE_BODY | FORBIDDEN)
{{ async }}def update_me(
    me: MeDep,
    data: UserUpdate,
    caller: CallerDep,
    session: SessionDep,
) -> UserRead:
    """Change one's own name."""
    _refuse_admin_fields(data, caller.is_admin)
    {{ await }}accounts.update_user(session, user=me, data=data)
    return UserRead.model_validate(me)


@router.delete("/me", status_code=status.HTTP_204_NO_CONTENT)
{{ async }}def delete_me(me: MeDep, session: SessionDep, request: Request) -> None:
    """Delete one's own account and items."""
    {{ await }}crud.delete_user(session, user=me)
    security_event("user_deleted", user_id=me.id, client=client_address(request), by=me.id)


@router.get("/{user_id}", responses=NOT_FOUND | FORBIDDEN)
{{ async }}def read_user(user: UserDep) -> UserRead:
    """Read a user: oneself, or anyone as an admin."""
    return UserRead.model_validate(user)


@router.patch("/{user_id}", responses=NOT_FOUND | UNREADABLE_BODY | FORBIDDEN)
{{ async }}def update_user(
    user: UserDep,
    data: UserUpdate,
    caller: CallerDep,
    session: SessionDep,
    request: Request,
) -> UserRead:
    """Change a user's name, or (as an admin) deactivate or reactivate them."""
    _refuse_admin_fields(data, caller.is_admin)
    {{ await }}accounts.update_user(session, user=user, data=data)
    if data.is_active is not MISSING:
        client = client_address(request)
        security_event(
            "is_active_changed",
            user_id=user.id,
            client=client,
            by=caller.user_id,
            is_active=data.is_active,
        )
    return UserRead.model_validate(user)


@router.delete(
    "/{user_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND | FORBIDDEN
)
{{ async }}def delete_user(
    user: UserDep,
    caller: CallerDep,
    session: SessionDep,
    request: Request,
) -> None:
    """Forget a user and delete the user's items; a next token of theirs records them anew."""
    {{ await }}crud.delete_user(session, user=user)
    client = client_address(request)
    security_event("user_deleted", user_id=user.id, client=client, by=caller.user_id)


def _refuse_admin_fields(data: UserUpdate, is_admin: bool) -> None:
    if data.is_active is not MISSING and not is_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="Only an admin may change is_active.")
