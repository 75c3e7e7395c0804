{% set async = "async " if cookiecutter.driver == "async" else "" %}
{% set await = "await " if cookiecutter.driver == "async" else "" %}
"""Users: create, list, read, update and delete."""

from typing import Annotated
from typing import Any

from fastapi import APIRouter
from fastapi import Depends
from fastapi import HTTPException
from fastapi import Path
from fastapi import status

from ... import crud
from ...models import User
from ...schemas import MAX_ID
from ...schemas import UserCreate
from ...schemas import UserRead
from ...schemas import UserUpdate
from ..deps import Limit
from ..deps import Offset
from ..deps import SessionDep

router = APIRouter(prefix="/users", tags=["users"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No user has this id."}}
EMAIL_TAKEN: dict[int | str, dict[str, Any]] = {
    409: {"description": "Another user has this e-mail address."}
}


{{ async }}def _user_or_404(user_id: Annotated[int, Path(ge=1, le=MAX_ID)], session: SessionDep) -> User:
    user = {{ await }}crud.get_user(session, user_id=user_id)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"User {user_id} not found.")
    return user


UserDep = Annotated[User, Depends(_user_or_404)]


def _email_taken(error: crud.EmailTakenError) -> HTTPException:
    return HTTPException(
        status.HTTP_409_CONFLICT, detail=f"A user with the e-mail address {error} already exists."
    )


@router.post("", status_code=status.HTTP_201_CREATED, responses=EMAIL_TAKEN)
{{ async }}def create_user(data: UserCreate, session: SessionDep) -> UserRead:
    """Create a user."""
    try:
        user = {{ await }}crud.create_user(session, data=data)
    except crud.EmailTakenError as error:
        raise _email_taken(error) from error
    return UserRead.model_validate(user)


@router.get("")
{{ async }}def list_users(session: SessionDep, limit: Limit = 50, offset: Offset = 0) -> list[UserRead]:
    """List users, oldest first."""
    users = {{ await }}crud.list_users(session, limit=limit, offset=offset)
    return [UserRead.model_validate(user) for user in users]


@router.get("/{user_id}", responses=NOT_FOUND)
{{ async }}def read_user(user: UserDep) -> UserRead:
    """Read one user."""
    return UserRead.model_validate(user)


@router.patch("/{user_id}", responses=NOT_FOUND | EMAIL_TAKEN)
{{ async }}def update_user(user: UserDep, data: UserUpdate, session: SessionDep) -> UserRead:
    """Change some of a user's fields."""
    try:
        user = {{ await }}crud.update_user(session, user=user, data=data)
    except crud.EmailTakenError as error:
        raise _email_taken(error) from error
    return UserRead.model_validate(user)


@router.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
{{ async }}def delete_user(user: UserDep, session: SessionDep) -> None:
    """Delete a user and the user's items."""
    {{ await }}crud.delete_user(session, user=user)
