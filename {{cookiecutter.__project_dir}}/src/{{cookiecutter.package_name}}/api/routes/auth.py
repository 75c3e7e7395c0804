"""Logging in: an e-mail address and a password for an access token (the OAuth2 password flow)."""
{% from "driver.jinja" import async, await with context %}

import logging
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter
from fastapi import Depends
from fastapi import Request
from fastapi.security import OAuth2PasswordRequestForm

from ... import attempts
from ... import tokens
from ...column_types import utc_now
from ...emails import normalized_email
from ...events import security_event
from ...tokens import Bearer
from ...transactions import transaction
from ...user_schemas import Token
from .. import API_PREFIX
from ..app_state import DatabaseDep
from ..app_state import PasswordsDep
from ..app_state import SettingsDep
from ..caller_base import client_address
from ..caller_base import not_authenticated
from ..errors import UNAVAILABLE
from ..errors import Responses
from ..throttles import LOCKED
from ..throttles import too_many
from ..throttles import within_client_limit

router = APIRouter(prefix=f"{API_PREFIX}/auth", tags=["auth"], responses=UNAVAILABLE)

REFUSED: Responses = {
    401: {"description": "Unknown e-mail address, wrong password, or a deactivated account."},
    429: {"description": "Too many logins from this client, or failed ones with this address."},
}


@router.post("/token", responses=REFUSED)
{{ async }}def issue_token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    database: DatabaseDep,
    passwords: PasswordsDep,
    settings: SettingsDep,
) -> Token:
    """Exchange an e-mail address (as `username`) and a password for an access token."""
    now = utc_now()
    email = normalized_email(form.username)
    # The attempt is counted, and committed, before the password is checked: attempts made
    # at once, or on other replicas, all count. The hash is checked outside any transaction.
    {{ async }}with transaction(database) as session:
        {{ await }}within_client_limit(
            session,
            request,
            action="client-login",
            limit=settings.client_logins_per_minute,
            window=timedelta(minutes=1),
        )
        try:
            account = {{ await }}attempts.count_login_attempt(
                session,
                email=email,
                now=now,
                max_failures=settings.login_max_failures,
                lockout=timedelta(seconds=settings.login_lockout_seconds),
                max_lockout=timedelta(seconds=settings.login_lockout_max_seconds),
            )
        except attempts.AccountLockedError as locked:
            security_event(
                "login_locked", user_id=None, client=client_address(request), level=logging.WARNING
            )
            raise too_many(LOCKED, until=locked.until, now=now) from None
    # An unknown address costs as much time as a wrong password, and gets the same answer.
    hashed_password = account.hashed_password if account else None
    matches = {{ await }}passwords.verify(form.password, hashed_password)
    user_id = account.user_id if account else None
    if account is None or not matches or not account.is_active:
        security_event(
            "login_failed", user_id=user_id, client=client_address(request), level=logging.WARNING
        )
        raise not_authenticated(detail="Incorrect e-mail address or password.")
    {{ async }}with transaction(database) as session:
        {{ await }}attempts.clear_login_failures(session, email=email)
    security_event("login_succeeded", user_id=user_id, client=client_address(request))
    bearer = Bearer(user_id=account.user_id, token_version=account.token_version)
    access_token, lifetime = tokens.issue(bearer, settings, now=now)
    return Token(access_token=access_token, expires_in=lifetime)
