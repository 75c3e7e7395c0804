{% from "driver.jinja" import async, await with context %}
"""Users: sign up, and read, change or delete one's own account; admins manage every account."""

import logging
from datetime import timedelta

from fastapi import APIRouter
from fastapi import HTTPException
from fastapi import Request
from fastapi import status
from pydantic import MISSING

from ... import accounts
from ... import attempts
from ... import crud
from ...column_types import utc_now
from ...events import security_event
from ...models import User
from ...passwords import Passwords
from ...settings import Settings
from ...transactions import transaction
from ...unique_emails import EmailTakenError
from ...user_schemas import UserCreate
from ...user_schemas import UserRead
from ...user_schemas import UserUpdate
from .. import API_PREFIX
from ..app_state import DatabaseDep
from ..app_state import PasswordsDep
from ..app_state import SettingsDep
from ..caller import AdminDep
from ..caller import BearerDep
from ..caller import CallerDep
from ..caller import CallingUserDep
from ..caller import optional_caller
from ..caller_base import FORBIDDEN
from ..caller_base import NOT_AUTHENTICATED
from ..caller_base import Caller
from ..caller_base import client_address
from ..caller_base import not_authenticated
from ..deps import Limit
from ..deps import Offset
from ..errors import TITLE_TAKEN
from ..errors import UNAVAILABLE
from ..errors import UNREADABLE_BODY
from ..errors import Responses
from ..sessions import SessionDep
from ..throttles import LOCKED
from ..throttles import TOO_MANY
from ..throttles import too_many
from ..throttles import within_client_limit
from ..user_in_reach import UserDep

router = APIRouter(
    prefix=f"{API_PREFIX}/users", tags=["users"], responses=UNAVAILABLE | NOT_AUTHENTICATED
)

NOT_FOUND: Responses = {404: {"description": "No user has this id."}}
EMAIL_TAKEN: Responses = {409: {"description": "Another user has this e-mail address."}}
# Changes that are security events: logged with the account, the one who made them and from where.
SECURITY_FIELDS = ("password", "email", "is_active", "is_superuser")
ONLY_ADMIN: Responses = {409: {"description": "The service's only admin would lose the right."}}
CONFLICT: Responses = {
    409: {"description": "The address is another user's, or the only admin would lose the right."}
}


# The caller's own account, as an object of the session: the routes on /me change it.
MeDep = CallingUserDep


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=EMAIL_TAKEN | TITLE_TAKEN | UNREADABLE_BODY | FORBIDDEN | TOO_MANY,
)
{{ async }}def create_user(
    data: UserCreate,
    token: BearerDep,
    database: DatabaseDep,
    passwords: PasswordsDep,
    settings: SettingsDep,
    request: Request,
) -> UserRead:
    """Sign up (while sign-up is open), or create a user as an admin, with any first items."""
    # Two transactions with the hash between them, which holds no connection: a hash takes
    # tens of milliseconds, and under a flood of sign-ups waits its turn at the hasher too.
    # A connection held meanwhile would be one that every other request waits for.
    {{ async }}with transaction(database) as session:
        caller = {{ await }}optional_caller(token, request, session)
        if not settings.signup_open and not (caller and caller.is_admin):
            if caller is None:
                raise not_authenticated(detail="Sign-up is closed: an admin creates accounts.")
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail="Only an admin may create users.")
        # Counted, and committed, before the hash: a client past its limit costs none.
        {{ await }}_count_a_try(session, request, settings)
    hashed_password = {{ await }}passwords.hash(data.password.get_secret_value())
    {{ async }}with transaction(database) as session:
        user = {{ await }}accounts.create_user(session, data=data, hashed_password=hashed_password)
    return UserRead.model_validate(user)


@router.get("", responses=FORBIDDEN)
{{ async }}def list_users(
    _admin: AdminDep, session: SessionDep, limit: Limit = 50, offset: Offset = 0
) -> list[UserRead]:
    """List users, oldest first (admins only)."""
    users = {{ await }}accounts.list_users(session, limit=limit, offset=offset)
    return [UserRead.model_validate(user) for user in users]


@router.get("/me")
{{ async }}def read_me(me: MeDep) -> UserRead:
    """Read one's own account."""
    return UserRead.model_validate(me)


@router.patch("/me", responses=CONFLICT | UNREADABLE_BODY | FORBIDDEN | TOO_MANY)
{{ async }}def update_me(
    me: MeDep,
    data: UserUpdate,
    session: SessionDep,
    passwords: PasswordsDep,
    settings: SettingsDep,
    request: Request,
) -> UserRead:
    """Change some of one's own fields; a new password or e-mail address needs the password."""
    caller = Caller(user_id=me.id, is_admin=me.is_superuser)
    {{ await }}_update(me, data, caller, session, passwords, settings, request)
    return UserRead.model_validate(me)


@router.delete("/me", status_code=status.HTTP_204_NO_CONTENT, responses=ONLY_ADMIN)
{{ async }}def delete_me(me: MeDep, session: SessionDep, request: Request) -> None:
    """Delete one's own account and items."""
    {{ await }}_keep_an_admin(me, session)
    {{ await }}crud.delete_user(session, user=me)
    security_event("user_deleted", user_id=me.id, client=client_address(request), by=me.id)


@router.get("/{user_id}", responses=NOT_FOUND | FORBIDDEN)
{{ async }}def read_user(user: UserDep) -> UserRead:
    """Read a user: oneself, or anyone as an admin."""
    return UserRead.model_validate(user)


@router.patch(
    "/{user_id}",
    responses=NOT_FOUND | CONFLICT | UNREADABLE_BODY | FORBIDDEN | TOO_MANY,
)
{{ async }}def update_user(
    user: UserDep,
    data: UserUpdate,
    caller: CallerDep,
    session: SessionDep,
    passwords: PasswordsDep,
    settings: SettingsDep,
    request: Request,
) -> UserRead:
    """Change some of a user's fields: one's own, or anyone's as an admin."""
    {{ await }}_update(user, data, caller, session, passwords, settings, request)
    return UserRead.model_validate(user)


@router.delete(
    "/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=NOT_FOUND | FORBIDDEN | ONLY_ADMIN,
)
{{ async }}def delete_user(
    user: UserDep,
    caller: CallerDep,
    session: SessionDep,
    request: Request,
) -> None:
    """Delete a user and the user's items: oneself, or anyone as an admin."""
    {{ await }}_keep_an_admin(user, session)
    {{ await }}crud.delete_user(session, user=user)
    client = client_address(request)
    security_event("user_deleted", user_id=user.id, client=client, by=caller.user_id)


{{ async }}def _update(
    user: User,
    data: UserUpdate,
    caller: Caller,
    session: SessionDep,
    passwords: Passwords,
    settings: Settings,
    request: Request,
) -> None:
    client = client_address(request)
    if not caller.is_admin and (data.is_active is not MISSING or data.is_superuser is not MISSING):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, detail="Only an admin may change is_active or is_superuser."
        )
    # Whoever holds a token for a while cannot take the account over: a new password, or a
    # new address (where a reset would be sent), needs the current password.
    credentials = data.password is not MISSING or data.email is not MISSING
    if credentials and user.id == caller.user_id:
        {{ await }}_check_current_password(user, data, session, passwords, settings, client)
    if data.email is not MISSING and not caller.is_admin:
        # A user's new address tells, as a sign-up does, whether it is taken.
        {{ await }}_try_an_address(session, request, settings, email=data.email, user=user)
    if data.is_superuser is False or data.is_active is False:
        {{ await }}_keep_an_admin(user, session)
    hashed_password = None
    if data.password is not MISSING:
        hashed_password = {{ await }}passwords.hash(data.password.get_secret_value())
    changed = [name for name in SECURITY_FIELDS if getattr(data, name) is not MISSING]
    {{ await }}accounts.update_user(session, user=user, data=data, hashed_password=hashed_password)
    for name in changed:
        value = getattr(data, name)
        detail = {} if name in {"password", "email"} else {name: value}
        event = f"{name}_changed"
        security_event(event, user_id=user.id, client=client, by=caller.user_id, **detail)


{{ async }}def _check_current_password(
    user: User,
    data: UserUpdate,
    session: SessionDep,
    passwords: Passwords,
    settings: Settings,
    client: str,
) -> None:
    if data.current_password is MISSING:
        problem = {
            "type": "missing",
            "loc": ["body", "current_password"],
            "msg": "Field required to change one's own password or e-mail address",
        }
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=[problem])
    # Counted as a login is: guesses here lock the address as failed logins do.
    now = utc_now()
    try:
        {{ await }}attempts.count_login_attempt(
            session,
            email=user.email,
            now=now,
            max_failures=settings.login_max_failures,
            lockout=timedelta(seconds=settings.login_lockout_seconds),
            max_lockout=timedelta(seconds=settings.login_lockout_max_seconds),
        )
    except attempts.AccountLockedError as locked:
        raise too_many(LOCKED, until=locked.until, now=now) from None
    current = data.current_password.get_secret_value()
    if not {{ await }}passwords.verify(current, user.hashed_password):
        # The failure is kept: committed before the refusal rolls the request's writes back.
        {{ await }}session.commit()
        security_event(
            "current_password_wrong", user_id=user.id, client=client, level=logging.WARNING
        )
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="The current password is wrong.")
    {{ await }}attempts.clear_login_failures(session, email=user.email)


{{ async }}def _try_an_address(
    session: SessionDep,
    request: Request,
    settings: Settings,
    *,
    email: str,
    user: User | None = None,
) -> None:
    {{ await }}_count_a_try(session, request, settings)
    holder = {{ await }}accounts.get_user_by_email(session, email=email)
    if holder is not None and holder is not user:
        # The try is kept: committed before the refusal rolls the request's writes back.
        {{ await }}session.commit()
        raise EmailTakenError


{{ async }}def _count_a_try(session: SessionDep, request: Request, settings: Settings) -> None:
    # A taken address answers 409 (ASVS 5 V6.3.8, which forbids that, is level 3): so every
    # try at an address costs the client one of its sign-ups, a refused one included.
    {{ await }}within_client_limit(
        session,
        request,
        action="client-signup",
        limit=settings.client_signups_per_hour,
        window=timedelta(hours=1),
    )


{{ async }}def _keep_an_admin(user: User, session: SessionDep) -> None:
    # Without an admin, only the command line could make one again.
    if {{ await }}accounts.is_only_admin(session, user=user):
        raise HTTPException(
            status.HTTP_409_CONFLICT, detail="The service's only admin cannot lose the right."
        )
