{% from "driver.jinja" import async, await, Connection, Session with context %}
"""Reads and writes of users and items: the only module that queries the database."""

{% if cookiecutter.auth == "password" %}
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
{% elif cookiecutter.auth == "oidc" %}
from collections.abc import Sequence
from dataclasses import dataclass
{% endif %}
from typing import NoReturn

from sqlalchemy import bindparam
{% if cookiecutter.auth == "password" %}
from sqlalchemy import delete
{% endif %}
{% if cookiecutter.database != "mysql" %}
from sqlalchemy import insert
{% endif %}
{% if cookiecutter.auth != "none" %}
from sqlalchemy import or_
{% endif %}
from sqlalchemy import select
{% if cookiecutter.driver == "sync" %}
from sqlalchemy.engine import Connection
{% endif %}
from sqlalchemy.exc import IntegrityError
{% if cookiecutter.driver == "async" %}
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.ext.asyncio import AsyncSession
{% else %}
from sqlalchemy.orm import Session
{% endif %}

{{ "from .dialect import insert_unless_taken\n" if cookiecutter.auth == "password" else "" }}from .dialect import violated_constraint
{% if cookiecutter.auth != "none" %}
from .enums import ItemStatus
{% endif %}
from .models import Item
{% if cookiecutter.auth == "password" %}
from .models import Throttle
{% endif %}
from .models import User
from .schemas import ItemCreate
from .schemas import ItemRead
from .schemas import ItemUpdate
{% if cookiecutter.auth != "oidc" %}
from .schemas import UserCreate
{% endif %}
{% if cookiecutter.auth == "none" %}
from .schemas import UserRead
{% endif %}
from .schemas import UserUpdate

# What the database refuses, by the names its constraints get from the naming convention (base.py).
{% if cookiecutter.auth == "oidc" %}
USER_SUBJECT_UNIQUE = "uq_users_subject"
{% else %}
USER_EMAIL_UNIQUE = "uq_users_email"
{% endif %}
ITEM_TITLE_UNIQUE = "uq_items_owner_id_title"
{% if cookiecutter.auth == "password" %}
# The key of an address's logins; its lockouts double up to 2**MAX_DOUBLINGS times the first.
LOGIN = "login"
MAX_DOUBLINGS = 16
# A key's row is created if it is missing, then locked until the transaction ends.
NEW_THROTTLE = insert_unless_taken(Throttle)
LOCKED_THROTTLE = select(Throttle).where(Throttle.key == bindparam("key")).with_for_update()
# A row whose window has ended counts nothing any more: each new key's row deletes up to this
# many such rows, more than it adds, so the table holds about as many rows as keys in use
# however many addresses are tried. Found without locking anything, oldest first.
PRUNE_BATCH = 4
ENDED_WINDOWS = (
    select(Throttle.key)
    .where(Throttle.window_ends_at < bindparam("now"))
    .order_by(Throttle.window_ends_at)
    .limit(PRUNE_BATCH)
)
# Then each is locked by its key alone, and only if its window has still ended: a row that
# another request holds (it may be counting an attempt in it) is skipped, not waited for.
ENDED_WINDOW = (
    select(Throttle.key)
    .where(Throttle.key == bindparam("key"), Throttle.window_ends_at < bindparam("now"))
    .with_for_update(skip_locked=True)
)
{% endif %}
ITEM_OWNER_EXISTS = "fk_items_owner_id_users"

# The API reads items, its busiest path, as rows of the columns it shows, on a connection
# outside any transaction: they validate straight into ItemRead. Loading ORM objects into a
# session costs several times the query itself; writes, which need them, use the ORM. The
# statements are built once, with parameters: building one costs more than running it.
ITEM_COLUMNS = (Item.id, Item.title, Item.description, Item.status, Item.owner_id, Item.created_at)
READ_ITEM = select(*ITEM_COLUMNS).where(Item.id == bindparam("item_id"))
LIST_ITEMS = (
    select(*ITEM_COLUMNS).order_by(Item.id).limit(bindparam("limit")).offset(bindparam("offset"))
)
{% if cookiecutter.auth == "password" %}
# What each request checks of its caller's account, by primary key.
READ_ACCOUNT = select(User.id, User.is_active, User.is_superuser, User.token_version).where(
    User.id == bindparam("user_id")
)
{% elif cookiecutter.auth == "oidc" %}
# What a read checks of its caller's account, by the provider's unique id of the person.
READ_ACCOUNT = select(User.id, User.is_active).where(User.subject == bindparam("subject"))
{% endif %}
{% if cookiecutter.auth == "none" %}
# Users are read as rows too, on the connection for reads: on SQLite, never in the queue to write.
USER_COLUMNS = (User.id, User.email, User.full_name, User.is_active, User.created_at)
READ_USER = select(*USER_COLUMNS).where(User.id == bindparam("user_id"))
LIST_USERS = (
    select(*USER_COLUMNS).order_by(User.id).limit(bindparam("limit")).offset(bindparam("offset"))
)
{% else %}
# A user sees their own items and the public ones.
LIST_VISIBLE_ITEMS = LIST_ITEMS.where(
    or_(Item.owner_id == bindparam("user_id"), Item.status == ItemStatus.PUBLIC)
)
{% endif %}
{% if cookiecutter.auth != "oidc" %}


class EmailTakenError(Exception):
    """Another user already has this e-mail address."""
{% endif %}


class UnknownOwnerError(Exception):
    """The user meant to own an item does not exist."""


class TitleTakenError(Exception):
    """The owner already has an item with this title."""
{% if cookiecutter.auth == "password" %}


class AccountLockedError(Exception):
    """Too many failed logins: the account refuses logins until `until`."""

    def __init__(self, until: datetime) -> None:
        super().__init__(until)
        self.until = until


@dataclass(frozen=True)
class LoginAttempt:
    """What a login needs to know of the account it names, read as the attempt was counted."""

    user_id: int
    hashed_password: str
    is_active: bool
    token_version: int


@dataclass(frozen=True)
class Account:
    """What a request needs to know of its caller's account."""

    id: int
    is_active: bool
    is_superuser: bool
    token_version: int
{% endif %}


{{ async }}def get_user(session: {{ Session }}, *, user_id: int) -> User | None:
    """Return the user with this id, or None."""
    return {{ await }}session.get(User, user_id)
{% if cookiecutter.auth != "none" %}


{{ async }}def list_users(session: {{ Session }}, *, limit: int, offset: int) -> Sequence[User]:
    """Return a page of users, oldest first."""
    users = {{ await }}session.scalars(select(User).order_by(User.id).limit(limit).offset(offset))
    return users.all()
{% endif %}
{% if cookiecutter.auth == "password" %}


{{ async }}def read_account(connection: {{ Connection }}, *, user_id: int) -> Account | None:
    """Return what a request checks of the account with this id, or None."""
    row = ({{ await }}connection.execute(READ_ACCOUNT, {"user_id": user_id})).first()
    return None if row is None else Account(*row)


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
    {{ await }}_flush_user(session)
    # The items need the user's new id, so they are a second statement; if it
    # fails, the request's transaction takes the user back with it.
    session.add_all(Item(**item.model_dump(), owner_id=user.id) for item in data.items)
    {{ await }}_flush_items(session, owner_id=user.id)
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
    {{ await }}_flush_user(session)


{{ async }}def count_login_attempt(
    session: {{ Session }},
    *,
    email: str,
    now: datetime,
    max_failures: int,
    lockout: timedelta,
    max_lockout: timedelta,
) -> LoginAttempt | None:
    """Count an attempt to log in with this address, as failed until it succeeds.

    Returns None for an address without an account; an address without one is counted and
    locked all the same. Raises AccountLockedError while the address is locked. The attempt
    that reaches `max_failures` locks it: for `lockout` the first time, twice as long each
    time after, up to `max_lockout`, until a login succeeds or the address has been quiet
    for `max_lockout` after its last failure or lockout.
    """
    throttle = {{ await }}_throttle(session, key=f"{LOGIN}:{email}", now=now)
    if throttle.locked_until is not None and throttle.locked_until > now:
        raise AccountLockedError(throttle.locked_until)
    if throttle.window_ends_at <= now:
        # Quiet for `max_lockout` since its last failure or lockout: the address starts afresh.
        throttle.attempts, throttle.lockouts = 0, 0
    throttle.attempts += 1
    if throttle.attempts >= max_failures:
        growth = 2 ** min(throttle.lockouts, MAX_DOUBLINGS)
        throttle.locked_until = now + min(lockout * growth, max_lockout)
        throttle.lockouts += 1
        throttle.attempts = 0
    throttle.window_ends_at = max(now, throttle.locked_until or now) + max_lockout
    user = {{ await }}get_user_by_email(session, email=email)
    if user is None:
        return None
    return LoginAttempt(user.id, user.hashed_password, user.is_active, user.token_version)


{{ async }}def is_only_admin(session: {{ Session }}, *, user: User) -> bool:
    """Whether this user is the one active admin; the others' rows stay locked meanwhile."""
    if not (user.is_superuser and user.is_active):
        return False
    others = select(User.id).where(User.is_superuser, User.is_active, User.id != user.id)
    return ({{ await }}session.scalars(others.with_for_update())).first() is None


{{ async }}def clear_login_failures(session: {{ Session }}, *, email: str) -> None:
    """Forget the failed logins, and lockouts, of an address that has just logged in."""
    {{ await }}session.execute(delete(Throttle).where(Throttle.key == f"{LOGIN}:{email}"))


{{ async }}def limit_rate(
    session: {{ Session }}, *, key: str, now: datetime, limit: int, window: timedelta
) -> datetime | None:
    """Count an attempt under `key`, `limit` in each `window` at most.

    Returns None if it may go on; else when the window ends, and the attempt is not counted.
    """
    throttle = {{ await }}_throttle(session, key=key, now=now)
    if throttle.window_ends_at <= now:
        throttle.attempts, throttle.window_ends_at = 0, now + window
    if throttle.attempts >= limit:
        return throttle.window_ends_at
    throttle.attempts += 1
    return None


{{ async }}def _throttle(session: {{ Session }}, *, key: str, now: datetime) -> Throttle:
    # The key's row, locked until the transaction ends, so that attempts made at once on
    # several replicas are all counted. Created first, if missing, then locked: on MySQL,
    # locking a missing row locks the gap where it would be, and two requests that then
    # both created it would each wait for the other (a deadlock, and a 503).
    row = {"key": key, "attempts": 0, "window_ends_at": now, "lockouts": 0}
    while True:
        {{ await }}session.execute(NEW_THROTTLE, row)
        throttle = {{ await }}session.scalar(LOCKED_THROTTLE, {"key": key})
        if throttle is not None:
            break
        # Found, but deleted before it was locked (a login succeeded, or pruning forgot
        # it): made again.
    # Every row is committed with its window ending after the attempt that made it: a
    # window that ends now is that of the row this request has just made.
    if throttle.window_ends_at == now:
        {{ await }}_forget_ended_windows(session, now=now)
    return throttle


{{ async }}def _forget_ended_windows(session: {{ Session }}, *, now: datetime) -> None:
    # Locked one by one, by primary key: a range of keys locked at once would, on MySQL,
    # also lock the gaps between them, and hold up other requests' new rows.
    for key in ({{ await }}session.scalars(ENDED_WINDOWS, {"now": now})).all():
        if {{ await }}session.scalar(ENDED_WINDOW, {"key": key, "now": now}) is not None:
            {{ await }}session.execute(delete(Throttle).where(Throttle.key == key))
{% elif cookiecutter.auth == "oidc" %}


@dataclass(frozen=True)
class Account:
    """What a read needs to know of its caller's account."""

    id: int
    is_active: bool


{{ async }}def read_account(connection: {{ Connection }}, *, subject: str) -> Account | None:
    """Return what a read checks of the account of this provider subject, or None."""
    row = ({{ await }}connection.execute(READ_ACCOUNT, {"subject": subject})).first()
    return None if row is None else Account(*row)


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
{% else %}


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
    {{ await }}_flush_user(session)
    # The items need the user's new id, so they are a second statement; if it
    # fails, the request's transaction takes the user back with it.
    session.add_all(Item(**item.model_dump(), owner_id=user.id) for item in data.items)
    {{ await }}_flush_items(session, owner_id=user.id)
    return user


{{ async }}def update_user(session: {{ Session }}, *, user: User, data: UserUpdate) -> None:
    """Apply the fields given; raise EmailTakenError if the new address is in use."""
    for field, value in data.model_dump().items():
        setattr(user, field, value)
    {{ await }}_flush_user(session)
{% endif %}


{{ async }}def delete_user(session: {{ Session }}, *, user: User) -> None:
    """Delete a user; the database deletes the user's items with it."""
    {{ await }}session.delete(user)
    {{ await }}session.flush()


{{ async }}def read_item(connection: {{ Connection }}, *, item_id: int) -> ItemRead | None:
    """Return the item with this id as the API shows it, or None."""
    row = ({{ await }}connection.execute(READ_ITEM, {"item_id": item_id})).first()
    return None if row is None else ItemRead.model_validate(row)


{{ async }}def get_item(session: {{ Session }}, *, item_id: int) -> Item | None:
    """Return the item with this id, to change it, or None."""
    return {{ await }}session.get(Item, item_id)
{% if cookiecutter.auth == "none" %}


{{ async }}def list_items(connection: {{ Connection }}, *, limit: int, offset: int) -> list[ItemRead]:
    """Return a page of items as the API shows them, oldest first."""
    rows = {{ await }}connection.execute(LIST_ITEMS, {"limit": limit, "offset": offset})
    return [ItemRead.model_validate(row) for row in rows]


{{ async }}def create_item(session: {{ Session }}, *, data: ItemCreate) -> Item:
    """Add an item; raise UnknownOwnerError or TitleTakenError when the database refuses it."""
    return {{ await }}_insert_item(session, data.model_dump())
{% else %}


{{ async }}def list_items(
    connection: {{ Connection }}, *, limit: int, offset: int, visible_to: int | None
) -> list[ItemRead]:
    """Return a page of items as the API shows them, oldest first.

    With `visible_to`, only those this user may see: their own and the public ones.
    """
    page = {"limit": limit, "offset": offset}
    if visible_to is None:
        rows = {{ await }}connection.execute(LIST_ITEMS, page)
    else:
        rows = {{ await }}connection.execute(LIST_VISIBLE_ITEMS, {**page, "user_id": visible_to})
    return [ItemRead.model_validate(row) for row in rows]


{{ async }}def create_item(session: {{ Session }}, *, data: ItemCreate, owner_id: int) -> Item:
    """Add an item; raise UnknownOwnerError or TitleTakenError when the database refuses it."""
    values = {**data.model_dump(exclude={"owner_id"}), "owner_id": owner_id}
    return {{ await }}_insert_item(session, values)
{% endif %}


{{ async }}def _insert_item(session: {{ Session }}, values: dict[str, object]) -> Item:
{% if cookiecutter.database == "mysql" %}
    # The unit of work inserts it: MySQL has no INSERT ... RETURNING (MariaDB has).
    item = Item(**values)
    session.add(item)
    {{ await }}_flush_items(session, owner_id=item.owner_id)
    return item
{% else %}
    # One INSERT ... RETURNING, its row loaded as the session's object (SQLAlchemy's ORM-enabled
    # INSERT): a new row needs none of the unit of work's bookkeeping before a flush.
    statement = insert(Item).values(values).returning(Item)
    try:
        return ({{ await }}session.scalars(statement)).one()
    except IntegrityError as error:
        _refused_item(error, owner_id=values["owner_id"])
{% endif %}


{{ async }}def update_item(session: {{ Session }}, *, item: Item, data: ItemUpdate) -> None:
    """Apply the fields given; raise TitleTakenError if the owner has an item of the new title."""
    owner_id = item.owner_id
    for field, value in data.model_dump().items():
        setattr(item, field, value)
    {{ await }}_flush_items(session, owner_id=owner_id)


{{ async }}def delete_item(session: {{ Session }}, *, item: Item) -> None:
    """Delete an item."""
    {{ await }}session.delete(item)
    {{ await }}session.flush()
{% if cookiecutter.auth != "oidc" %}


# The constraints decide, not look-ups beforehand: two requests racing for one
# e-mail address or title cannot both pass them, and a valid write costs one round trip.
{{ async }}def _flush_user(session: {{ Session }}) -> None:
    try:
        {{ await }}session.flush()
    except IntegrityError as error:
        if violated_constraint(error) == USER_EMAIL_UNIQUE:
            raise EmailTakenError from error
        raise
{% endif %}


{{ async }}def _flush_items(session: {{ Session }}, *, owner_id: int) -> None:
    try:
        {{ await }}session.flush()
    except IntegrityError as error:
        _refused_item(error, owner_id=owner_id)


def _refused_item(error: IntegrityError, *, owner_id: object) -> NoReturn:
    """Raise what the database's refusal of an item means: TitleTakenError or UnknownOwnerError."""
    constraint = violated_constraint(error)
    if constraint == ITEM_TITLE_UNIQUE:
        raise TitleTakenError(owner_id) from error
    if constraint == ITEM_OWNER_EXISTS:
        raise UnknownOwnerError(owner_id) from error
    raise error
