"""Reads and writes of user accounts, recorded as the identity provider's tokens first show them."""
{% from "driver.jinja" import async, await, Connection, Session, imports, async_imports, sync_imports with context %}

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Boolean
from sqlalchemy import bindparam
from sqlalchemy import literal_column
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import true
{{- sync_imports("Connection") }}
from sqlalchemy.exc import IntegrityError
{{- async_imports("Connection") }}
{{- imports("Session") }}

from .crud import ITEM_COLUMNS
from .crud import LIST_ITEMS
from .crud import item_read
from .dialect import violated_constraint
from .enums import ItemStatus
from .models import Item
from .models import User
from .schemas import ItemRead
from .user_schemas import UserUpdate

# What the database refuses, by the name its constraint gets from the naming convention (base.py).
USER_SUBJECT_UNIQUE = "uq_users_subject"

# What a read checks of its caller's account, found by the provider's unique id of the person.
# The id is labelled apart from an item's: the reads below add an item's columns after these.
ACCOUNT_COLUMNS = (User.id.label("account_id"), User.is_active)
# The account with the item a GET names (its columns all None if there is none): one statement
# where there would be two, the costlier half of what the check adds to that GET.
READ_ACCOUNT_AND_ITEM = (
    select(*ACCOUNT_COLUMNS, *ITEM_COLUMNS)
    .outerjoin_from(User, Item, Item.id == bindparam("item_id"))
    .where(User.subject == bindparam("subject"))
)
# The account with the page of items the caller may see: their own and the public ones, or all
# for an admin (as the provider's token says). Filtered, ordered and cut in a table of its own,
# joined to one row that is always there: a caller not recorded yet, or with an empty page,
# still gets a row, its account's or item's columns all None.
OWN_ID = select(User.id).where(User.subject == bindparam("subject")).scalar_subquery()
VISIBLE_PAGE = LIST_ITEMS.where(
    or_(
        Item.owner_id == OWN_ID,
        Item.status == ItemStatus.PUBLIC,
        bindparam("is_admin", type_=Boolean),
    )
).subquery("page")
ONE_ROW = select(literal_column("1").label("one")).subquery("caller")
READ_ACCOUNT_AND_PAGE = (
    select(*ACCOUNT_COLUMNS, *VISIBLE_PAGE.c)
    .select_from(ONE_ROW)
    .outerjoin(User, User.subject == bindparam("subject"))
    .outerjoin(VISIBLE_PAGE, true())
    .order_by(VISIBLE_PAGE.c.id)
)
# Where an item's columns start in those rows.
ITEM_START = len(ACCOUNT_COLUMNS)


@dataclass(frozen=True)
class Account:
    """What a read needs to know of its caller's account."""

    id: int
    is_active: bool


{{ async }}def list_users(session: {{ Session }}, *, limit: int, offset: int) -> Sequence[User]:
    """Return a page of users, oldest first."""
    users = {{ await }}session.scalars(select(User).order_by(User.id).limit(limit).offset(offset))
    return users.all()


{{ async }}def read_account_and_item(
    connection: {{ Connection }}, *, subject: str, item_id: int
) -> tuple[Account | None, ItemRead | None]:
    """Return what a read checks of the account of this subject, and the item with this id.

    Without such an account, the item is not read either: (None, None).
    """
    values = {"subject": subject, "item_id": item_id}
    row = ({{ await }}connection.execute(READ_ACCOUNT_AND_ITEM, values)).first()
    if row is None:
        return None, None
    account = Account(row.account_id, row.is_active)
    return account, None if row.id is None else item_read(row[ITEM_START:])


{{ async }}def read_account_and_page(
    connection: {{ Connection }}, *, subject: str, is_admin: bool, limit: int, offset: int
) -> tuple[Account | None, list[ItemRead]]:
    """Return what a read checks of the account of this subject, and the page the caller may see.

    The account is None for a caller not recorded yet; the page is oldest first.
    """
    values = {"subject": subject, "is_admin": is_admin, "limit": limit, "offset": offset}
    rows = ({{ await }}connection.execute(READ_ACCOUNT_AND_PAGE, values)).all()
    first = rows[0]  # there is one row at least: see READ_ACCOUNT_AND_PAGE
    account = None if first.account_id is None else Account(first.account_id, first.is_active)
    if first.id is None:
        return account, []
    return account, [item_read(row[ITEM_START:]) for row in rows]


{{ async }}def get_or_create_user(
    session: {{ Session }}, *, subject: str, email: str | None, full_name: str
) -> User:
    """Return the user the identity provider knows by `subject`, recording them when first seen."""
    by_subject = select(User).where(User.subject == subject)
    user = {{ await }}session.scalar(by_subject)
    if user is not None:
        return user
    user = User(subject=subject, email=email, full_name=full_name)
    try:
        # In a savepoint: if a request of the same person's records them first, only this
        # insert is undone, and the request goes on with their row.
        {{ async }}with session.begin_nested():
            session.add(user)
    except IntegrityError as error:
        if violated_constraint(error) != USER_SUBJECT_UNIQUE:
            raise
        # A locking read sees the other request's row past this transaction's snapshot.
        recorded = {{ await }}session.scalar(by_subject.with_for_update(read=True))
        if recorded is None:
            raise
        return recorded
    return user


{{ async }}def update_user(session: {{ Session }}, *, user: User, data: UserUpdate) -> None:
    """Apply the fields given."""
    for field, value in data.model_dump().items():
        setattr(user, field, value)
    {{ await }}session.flush()
