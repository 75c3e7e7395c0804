"""Reads and writes of users, as the API keeps them: no sign-in, an e-mail address each."""
{% from "driver.jinja" import async, await, Connection, Session, imports with context %}

from sqlalchemy import bindparam
from sqlalchemy import select
{{- imports("Connection", "Session") }}

from .crud import flush_items
from .models import Item
from .models import User
from .unique_emails import flush_user
from .user_schemas import UserCreate
from .user_schemas import UserRead
from .user_schemas import UserUpdate

# Users are read as rows, as items are (crud.py), on the connection for reads: on SQLite,
# never in the queue to write.
USER_COLUMNS = (User.id, User.email, User.full_name, User.is_active, User.created_at)
READ_USER = select(*USER_COLUMNS).where(User.id == bindparam("user_id"))
LIST_USERS = (
    select(*USER_COLUMNS).order_by(User.id).limit(bindparam("limit")).offset(bindparam("offset"))
)


{{ async }}def read_user(connection: {{ Connection }}, *, user_id: int) -> UserRead | None:
    """Return the user with this id as the API shows it, or None."""
    row = ({{ await }}connection.execute(READ_USER, {"user_id": user_id})).first()
    return None if row is None else UserRead.model_validate(row)


{{ async }}def list_users(connection: {{ Connection }}, *, limit: int, offset: int) -> list[UserRead]:
    """Return a page of users as the API shows them, oldest first."""
    rows = {{ await }}connection.execute(LIST_USERS, {"limit": limit, "offset": offset})
    return [UserRead.model_validate(row) for row in rows]


{{ async }}def create_user(session: {{ Session }}, *, data: UserCreate) -> User:
    """Add a user and the user's first items, all or nothing.

    Raises EmailTakenError if the address is in use, TitleTakenError if two items share a title.
    """
    user = User(email=data.email, full_name=data.full_name)
    session.add(user)
    {{ await }}flush_user(session)
    # The items need the user's new id, so they are a second statement; if it
    # fails, the request's transaction takes the user back with it.
    session.add_all(Item(**item.model_dump(), owner_id=user.id) for item in data.items)
    {{ await }}flush_items(session, owner_id=user.id)
    return user


{{ async }}def update_user(session: {{ Session }}, *, user: User, data: UserUpdate) -> None:
    """Apply the fields given; raise EmailTakenError if the new address is in use."""
    for field, value in data.model_dump().items():
        setattr(user, field, value)
    {{ await }}flush_user(session)
