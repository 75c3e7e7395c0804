"""Reads and writes of user accounts, which sign in with an e-mail address and a password."""
{% from "driver.jinja" import async, await, Connection, Session, imports with context %}

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import true
{{- imports("Connection", "Session") }}

from .crud import ITEM_COLUMNS
from .crud import LIST_ITEMS
from .crud import flush_items
from .crud import item_read
from .enums import ItemStatus
from .models import Item
from .models import User
from .schemas import ItemRead
from .unique_emails import flush_user
from .user_schemas import UserCreate
from .user_schemas import UserUpdate

# What each request checks of its caller's account, by primary key. The id is labelled apart
# from an item's: the reads below add an item's columns after these.
ACCOUNT_COLUMNS = (
    User.id.label("account_id"),
    User.is_active,
    User.is_superuser,
    User.token_version,
)
READ_ACCOUNT = select(*ACCOUNT_COLUMNS).where(User.id == bindparam("user_id"))
# The same, with the item a GET names (its columns all None if there is none): one statement
# where there would be two, the costlier half of what the check adds to that GET.
READ_ACCOUNT_AND_ITEM = (
    select(*ACCOUNT_COLUMNS, *ITEM_COLUMNS)
    .outerjoin_from(User, Item, Item.id == bindparam("item_id"))
    .where(User.id == bindparam("user_id"))
)
# The same, with the page of items the caller may see: their own and the public ones, or all
# for an admin, as the account's row says in this same statement (a token never tells).
# Filtered, ordered and cut in a table of its own: an empty page still leaves the account's
# row, its item columns all None.
IS_ADMIN = select(User.is_superuser).where(User.id == bindparam("user_id")).scalar_subquery()
VISIBLE_PAGE = LIST_ITEMS.where(
    or_(Item.owner_id == bindparam("user_id"), Item.status == ItemStatus.PUBLIC, IS_ADMIN)
).subquery("page")
READ_ACCOUNT_AND_PAGE = (
    select(*ACCOUNT_COLUMNS, *VISIBLE_PAGE.c)
    .outerjoin_from(User, VISIBLE_PAGE, true())
    .where(User.id == bindparam("user_id"))
    .order_by(VISIBLE_PAGE.c.id)
)
# Where an item's columns start in those rows.
ITEM_START = len(ACCOUNT_COLUMNS)


@dataclass(frozen=True)
class Account:
    """What a request needs to know of its caller's account."""

    id: int
    is_active: bool
    is_superuser: bool
    token_version: int


{{ async }}def list_users(session: {{ Session }}, *, limit: int, offset: int) -> Sequence[User]:
    """Return a page of users, oldest first."""
    users = {{ await }}session.scalars(select(User).order_by(User.id).limit(limit).offset(offset))
    return users.all()


{{ async }}def read_account(connection: {{ Connection }}, *, user_id: int) -> Account | None:
    """Return what a request checks of the account with this id, or None."""
    row = ({{ await }}connection.execute(READ_ACCOUNT, {"user_id": user_id})).first()
    return None if row is None else Account(*row)


{{ async }}def read_account_and_item(
    connection: {{ Connection }}, *, user_id: int, item_id: int
) -> tuple[Account | None, ItemRead | None]:
    """Return what a request checks of the account with this id, and the item with this id."""
    values = {"user_id": user_id, "item_id": item_id}
    row = ({{ await }}connection.execute(READ_ACCOUNT_AND_ITEM, values)).first()
    if row is None:
        return None, None
    account = Account(row.account_id, row.is_active, row.is_superuser, row.token_version)
    return account, None if row.id is None else item_read(row[ITEM_START:])


{{ async }}def read_account_and_page(
    connection: {{ Connection }}, *, user_id: int, limit: int, offset: int
) -> tuple[Account | None, list[ItemRead]]:
    """Return what a request checks of the account with this id, and the page of items it may see.

    The page is oldest first, and empty without such an account.
    """
    values = {"user_id": user_id, "limit": limit, "offset": offset}
    rows = ({{ await }}connection.execute(READ_ACCOUNT_AND_PAGE, values)).all()
    if not rows:
        return None, []
    first = rows[0]
    account = Account(first.account_id, first.is_active, first.is_superuser, first.token_version)
    if first.id is None:
        return account, []
    return account, [item_read(row[ITEM_START:]) for row in rows]


{{ async }}def get_user_by_email(session: {{ Session }}, *, email: str) -> User | None:
    """Return the user with this (lower-cased) e-mail address, or None."""
    return {{ await }}session.scalar(select(User).where(User.email == email))


{{ async }}def create_user(
    session: {{ Session }}, *, data: UserCreate, hashed_password: str, is_superuser: bool = False
) -> User:
    """Add a user and the user's first items, all or nothing.

    Raises EmailTakenError if the address is in use, TitleTakenError if two items share a title.
    """
    user = User(
        email=data.email,
        full_name=data.full_name,
        hashed_password=hashed_password,
        is_superuser=is_superuser,
    )
    session.add(user)
    {{ await }}flush_user(session)
    # The items need the user's new id, so they are a second statement; if it
    # fails, the request's transaction takes the user back with it.
    session.add_all(Item(**item.model_dump(), owner_id=user.id) for item in data.items)
    {{ await }}flush_items(session, owner_id=user.id)
    return user


{{ async }}def update_user(
    session: {{ Session }}, *, user: User, data: UserUpdate, hashed_password: str | None = None
) -> None:
    """Apply the fields given, and the new password's hash if there is one.

    A new password, a deactivation or the loss of admin rights ends the tokens issued
    before. Raises EmailTakenError if the new address is in use.
    """
    demoted = user.is_superuser and data.is_superuser is False
    if hashed_password is not None or data.is_active is False or demoted:
        user.token_version += 1
    for field, value in data.model_dump(exclude={"password", "current_password"}).items():
        setattr(user, field, value)
    if hashed_password is not None:
        user.hashed_password = hashed_password
    {{ await }}flush_user(session)


{{ async }}def is_only_admin(session: {{ Session }}, *, user: User) -> bool:
    """Whether this user is the one active admin; the others' rows stay locked meanwhile."""
    if not (user.is_superuser and user.is_active):
        return False
    others = select(User.id).where(User.is_superuser, User.is_active, User.id != user.id)
    return ({{ await }}session.scalars(others.with_for_update())).first() is None
