"""Counts of attempts, in the database: rate limits by key, and lockouts of addresses by login."""
{% from "driver.jinja" import async, await, Session, imports with context %}

from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from sqlalchemy import bindparam
from sqlalchemy import delete
from sqlalchemy import select
{{- imports("Session") }}

from .accounts import get_user_by_email
from .inserts import insert_unless_taken
from .models import Throttle

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
