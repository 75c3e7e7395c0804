{% from "driver.jinja" import async, await with context %}
"""Users: create, list, read, update and delete; open to every caller."""

from typing import Annotated

from fastapi import APIRouter
from fastapi import Depends
from fastapi import HTTPException
from fastapi import status

from ... import accounts
from ... import crud
from ...models import User
from ...user_schemas import UserCreate
from ...user_schemas import UserRead
from ...user_schemas import UserUpdate
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

router = APIRouter(prefix=f"{API_PREFIX}/users", tags=["users"], responses=UNAVAILABLE)

NOT_FOUND: Responses = {404: {"description": "No user has this id."}}
EMAIL_TAKEN: Responses = {409: {"description": "Another user has this e-mail address."}}


{{ async }}def _user_or_404(user_id: PathId, session: SessionDep) -> User:
    user = {{ await }}crud.get_user(session, user_id=user_id)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"User {user_id} not found.")
    return user


UserDep = Annotated[User, Depends(_user_or_404)]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=EMAIL_TAKEN | TITLE_TAKEN | UNREADABLE_BODY,
)
{{ async }}def create_user(data: UserCreate, session: SessionDep) -> UserRead:
    """Create a user, with any first items, in one transaction."""
    user = {{ await }}accounts.create_user(session, data=data)
    return UserRead.model_validate(user)


@router.get("")
{{ async }}def list_users(
    connection: ConnectionDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[UserRead]:
    """List users, oldest first."""
    return {{ await }}accounts.list_users(connection, limit=limit, offset=offset)


@router.get("/{user_id}", responses=NOT_FOUND)
{{ async }}def read_user(user_id: PathId, connection: ConnectionDep) -> UserRead:
    """Read one user."""
    user = {{ await }}accounts.read_user(connection, user_id=user_id)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"User {user_id} not found.")
    return user


@router.patch("/{user_id}", responses=NOT_FOUND | EMAIL_TAKEN | UNREADABLE_BODY)
{{ async }}def update_user(user: UserDep, data: UserUpdate, session: SessionDep) -> UserRead:
    """Change some of a user's fields."""
    {{ await }}accounts.update_user(session, user=user, data=data)
    return UserRead.model_validate(user)


@router.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
{{ async }}def delete_user(user: UserDep, session: SessionDep) -> None:
    """Delete a user and the user's items."""
    {{ await }}crud.delete_user(session, user=user)
