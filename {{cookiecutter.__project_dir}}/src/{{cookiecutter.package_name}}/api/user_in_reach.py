"""The user a route's path names, if its caller may act on them: oneself, or anyone as an admin."""
{% from "driver.jinja" import async, await with context %}

from typing import Annotated

from fastapi import Depends
from fastapi import HTTPException
from fastapi import status

from .. import crud
from ..models import User
from .caller import CallerDep
from .deps import PathId
from .sessions import SessionDep


{{ async }}def _user_in_reach(user_id: PathId, caller: CallerDep, session: SessionDep) -> User:
    # Checked before the look-up: a user cannot learn which ids exist.
    if user_id != caller.user_id and not caller.is_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="Only an admin acts on other users.")
    user = {{ await }}crud.get_user(session, user_id=user_id)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"User {user_id} not found.")
    return user


UserDep = Annotated[User, Depends(_user_in_reach)]
