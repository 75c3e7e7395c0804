"""Failed logins: each address locks on its own, for longer each time; each client is throttled."""
{% from "driver.jinja" import async, await, Client, Connection, imports with context %}

from collections.abc import Callable
from datetime import timedelta

import pytest
{{- imports("Client") }}
from sqlalchemy import delete
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update
{{- imports("Connection") }}

from {{ cookiecutter.package_name }}.attempts import PRUNE_BATCH
from {{ cookiecutter.package_name }}.column_types import utc_now
from {{ cookiecutter.package_name }}.models import Throttle
from {{ cookiecutter.package_name }}.models import User

from accounts import ME
from accounts import TOKEN
from accounts import Account
from accounts import login
from urls import USERS

TAKEN = {"detail": "Another user has this e-mail address."}


@pytest.mark.parametrize("email", ["ada@example.com", "nobody@example.com"])
{{ async }}def test_repeated_failures_lock_an_address_alike_whether_or_not_it_has_an_account(
    client_with: Callable[..., {{ Client }}], ada: Account, email: str
) -> None:
    """ASVS 5 V6.3.1 (brute force is slowed down) and V6.3.8 (no address is told apart)."""
    {{ async }}with client_with(login_max_failures=3, login_lockout_seconds=120) as strict:
        failures = [
            ({{ await }}strict.post(TOKEN, data=login(email, "wrong-password"))).status_code
            for _attempt_number in range(3)
        ]
        # Locked: even the right password is refused now, without being checked.
        locked = {{ await }}strict.post(TOKEN, data=login(email, ada.password))

    assert failures == [401, 401, 401]
    assert locked.status_code == 429
    assert locked.json() == {"detail": "Too many failed logins; try again later."}
    assert 0 < int(locked.headers["retry-after"]) <= 120


{{ async }}def _lockout_ends(connection: {{ Connection }}, email: str) -> None:
    # As if the lockout's time had passed.
    {{ await }}connection.execute(
        update(Throttle)
        .where(Throttle.key == f"login:{email}")
        .values(locked_until=utc_now() - timedelta(seconds=1))
    )


@pytest.mark.parametrize("wrong_first", [0, 1], ids=["right-at-once", "after-a-wrong-one"])
{{ async }}def test_after_the_lockout_the_address_has_its_full_count_and_a_login_clears_it(
    client_with: Callable[..., {{ Client }}],
    connection: {{ Connection }},
    ada: Account,
    wrong_first: int,
) -> None:
    wrong_password = login(ada.email, "wrong-password")
    {{ async }}with client_with(login_max_failures=2) as strict:
        for _ in range(2):
            {{ await }}strict.post(TOKEN, data=wrong_password)
        {{ await }}_lockout_ends(connection, ada.email)
        wrong = [{{ await }}strict.post(TOKEN, data=wrong_password) for _ in range(wrong_first)]
        response = {{ await }}strict.post(TOKEN, data=login(ada.email, ada.password))

    assert [answer.status_code for answer in wrong] == [401] * wrong_first
    assert response.status_code == 200
    stored = {{ await }}connection.execute(select(Throttle).where(Throttle.key.like("login:%")))
    assert stored.all() == []


{{ async }}def test_each_lockout_in_a_row_lasts_twice_the_one_before_up_to_a_maximum(
    client_with: Callable[..., {{ Client }}], connection: {{ Connection }}, ada: Account
) -> None:
    """ASVS 5 V6.3.1: short lockouts that grow, so that no one can keep an account shut for long."""
    waits = []
    settings = {"login_max_failures": 1, "login_lockout_seconds": 60}
    {{ async }}with client_with(**settings, login_lockout_max_seconds=200) as strict:
        for _ in range(4):
            {{ await }}strict.post(TOKEN, data=login(ada.email, "wrong-password"))
            locked = {{ await }}strict.post(TOKEN, data=login(ada.email, ada.password))
            waits.append(int(locked.headers["retry-after"]))
            {{ await }}_lockout_ends(connection, ada.email)

    assert [round(wait, -1) for wait in waits] == [60, 120, 200, 200]


{{ async }}def test_a_client_trying_too_many_logins_waits_with_429_and_retry_after(
    client_with: Callable[..., {{ Client }}], ada: Account
) -> None:
    """ASVS 5 V2.4.1: anti-automation per client, whichever addresses it tries."""
    {{ async }}with client_with(client_logins_per_minute=3) as limited:
        answers = [
            {{ await }}limited.post(TOKEN, data=login(f"guess{number}@example.com", "wrong"))
            for number in range(3)
        ]
        then = {{ await }}limited.post(TOKEN, data=login(ada.email, ada.password))

    assert [answer.status_code for answer in answers] == [401, 401, 401]
    assert then.status_code == 429
    assert 0 < int(then.headers["retry-after"]) <= 60


{{ async }}def test_failed_logins_on_one_account_never_lock_another(
    client_with: Callable[..., {{ Client }}], ada: Account, grace: Account
) -> None:
    """ASVS 5 V6.3.1: one attacker guessing one address does not shut every user out."""
    {{ async }}with client_with(login_max_failures=2) as strict:
        ada_failed = {{ await }}strict.post(TOKEN, data=login(ada.email, "wrong-password"))
        grace_failed = {{ await }}strict.post(TOKEN, data=login(grace.email, "wrong-password"))
        ada_locked = {{ await }}strict.post(TOKEN, data=login(ada.email, "wrong-password"))
        grace_logs_in = {{ await }}strict.post(TOKEN, data=login(grace.email, grace.password))
        ada_still_locked = {{ await }}strict.post(TOKEN, data=login(ada.email, ada.password))

    assert (ada_failed.status_code, grace_failed.status_code) == (401, 401)
    assert ada_locked.status_code == 401  # her second failure: it locks her address
    assert grace_logs_in.status_code == 200
    assert ada_still_locked.status_code == 429


{{ async }}def test_a_login_clears_the_failures_of_its_own_address_only(
    client_with: Callable[..., {{ Client }}], ada: Account, grace: Account
) -> None:
    {{ async }}with client_with(login_max_failures=2) as strict:
        {{ await }}strict.post(TOKEN, data=login(ada.email, "wrong-password"))
        grace_logs_in = {{ await }}strict.post(TOKEN, data=login(grace.email, grace.password))
        assert grace_logs_in.status_code == 200
        second = {{ await }}strict.post(TOKEN, data=login(ada.email, "wrong-password"))
        then = {{ await }}strict.post(TOKEN, data=login(ada.email, ada.password))

    assert second.status_code == 401
    assert then.status_code == 429
    assert then.json() == {"detail": "Too many failed logins; try again later."}


{{ async }}def test_an_admin_who_logs_in_with_a_password_acts_as_admin(
    client: {{ Client }}, admin: Account, ada: Account
) -> None:
    tokens = {}
    for account in (admin, ada):
        response = {{ await }}client.post(TOKEN, data=login(account.email, account.password))
        assert response.status_code == 200, response.text
        tokens[account.id] = {"Authorization": f"Bearer {response.json()['access_token']}"}

    as_admin = {{ await }}client.get(USERS, headers=tokens[admin.id])
    as_user = {{ await }}client.get(USERS, headers=tokens[ada.id])

    assert as_admin.status_code == 200
    assert {user["id"] for user in as_admin.json()} >= {admin.id, ada.id}
    assert as_user.status_code == 403
    assert as_user.json() == {"detail": "Only an admin may do this."}


{{ async }}def test_a_deactivated_admin_does_not_count_as_another_admin(
    client: {{ Client }}, connection: {{ Connection }}, admin: Account
) -> None:
    {{ await }}connection.execute(
        insert(User).values(
            email="retired@example.com",
            full_name="Retired Admiral",
            hashed_password="not a hash: this account never logs in",
            is_active=False,
            is_superuser=True,
        )
    )

    response = {{ await }}client.patch(
        f"{USERS}/{admin.id}", json={"is_superuser": False}, headers=admin.headers
    )

    assert response.status_code == 409
    assert response.json() == {"detail": "The service's only admin cannot lose the right."}


def _wrong(email: str) -> dict[str, str]:
    # A password that is nobody's.
    return login(email, "not anybody's password")


{{ async }}def _keys(connection: {{ Connection }}) -> set[str]:
    return set(({{ await }}connection.scalars(select(Throttle.key))).all())


{{ async }}def _windows_end(connection: {{ Connection }}, keys: set[str]) -> None:
    # As if their time had passed: the windows, and any lockout in them, ended a while ago.
    ago = utc_now() - timedelta(hours=1)
    {{ await }}connection.execute(
        update(Throttle).where(Throttle.key.in_(keys)).values(window_ends_at=ago, locked_until=None)
    )


{{ async }}def test_new_keys_forget_the_keys_whose_windows_have_ended_and_keep_the_others(
    client_with: Callable[..., {{ Client }}], connection: {{ Connection }}
) -> None:
    """ASVS 5 V2.4.1: addresses sprayed at the login cannot make the table grow without bound."""
    sprayed = {f"login:spray{number}@example.com" for number in range(3 * PRUNE_BATCH)}
    {{ async }}with client_with(client_logins_per_minute=1000, login_max_failures=1) as client:
        for key in sorted(sprayed):
            {{ await }}client.post(TOKEN, data=_wrong(key.removeprefix("login:")))
        # Still locked out, in a window of its own, with the client's count: kept.
        {{ await }}client.post(TOKEN, data=_wrong("locked@example.com"))
        live = {{ await }}_keys(connection) - sprayed
        {{ await }}_windows_end(connection, sprayed)

        {{ await }}client.post(TOKEN, data=_wrong("first@example.com"))
        after_one = {{ await }}_keys(connection)
        for number in range(2):
            {{ await }}client.post(TOKEN, data=_wrong(f"next{number}@example.com"))
        after_three = {{ await }}_keys(connection)

    assert len(live) == 2  # "login:locked@example.com" and the client's logins
    # Each new key forgets a bounded batch, the oldest first, and never a live key.
    assert len(after_one & sprayed) == len(sprayed) - PRUNE_BATCH
    assert after_one >= live | {"login:first@example.com"}
    assert after_three & sprayed == set()
    assert after_three >= live


{{ async }}def test_an_address_quiet_for_the_longest_lockout_starts_afresh(
    client_with: Callable[..., {{ Client }}], connection: {{ Connection }}, ada: Account
) -> None:
    """ASVS 5 V6.3.1: forgetting an ended window, as pruning does, gives no guess more."""
    {{ async }}with client_with(login_max_failures=2) as strict:
        {{ await }}strict.post(TOKEN, data=_wrong(ada.email))
        {{ await }}_windows_end(connection, {f"login:{ada.email}"})
        quiet = {{ await }}strict.post(TOKEN, data=_wrong(ada.email))
        locks = {{ await }}strict.post(TOKEN, data=_wrong(ada.email))
        locked = {{ await }}strict.post(TOKEN, data=login(ada.email, ada.password))

    # The failure before the quiet time is forgotten; the two after it lock as ever.
    assert (quiet.status_code, locks.status_code, locked.status_code) == (401, 401, 429)


{{ async }}def test_sign_ups_refused_for_a_taken_address_count_toward_the_clients_limit(
    client_with: Callable[..., {{ Client }}], connection: {{ Connection }}, ada: Account
) -> None:
    """ASVS 5 V2.4.1: a 409 tells a taken address apart (V6.3.8, level 3): it costs a try."""
    {{ await }}connection.execute(delete(Throttle))  # the accounts' own sign-ups
    guess = {"email": ada.email, "full_name": "Eve", "password": "Eve guesses addresses"}
    {{ async }}with client_with(client_signups_per_hour=2) as limited:
        answers = [{{ await }}limited.post(USERS, json=guess) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [409, 409, 429]
    assert answers[0].json() == TAKEN
    assert 0 < int(answers[2].headers["retry-after"]) <= 3600


{{ async }}def test_a_users_changes_of_address_count_toward_the_clients_sign_up_limit(
    client_with: Callable[..., {{ Client }}],
    connection: {{ Connection }},
    ada: Account,
    grace: Account,
) -> None:
    """ASVS 5 V2.4.1: changing one's address cannot test, without limit, which are taken."""
    {{ await }}connection.execute(delete(Throttle))  # the accounts' own sign-ups
    taken = {"email": grace.email, "current_password": ada.password}
    {{ async }}with client_with(client_signups_per_hour=2) as limited:
        answers = [{{ await }}limited.patch(ME, json=taken, headers=ada.headers) for _ in range(2)]
        free = {"email": "ada.new@example.com", "current_password": ada.password}
        over = {{ await }}limited.patch(ME, json=free, headers=ada.headers)
        signup = {"email": "eve@example.com", "full_name": "Eve", "password": "Eve signs up now"}
        sign_up = {{ await }}limited.post(USERS, json=signup)

    assert [answer.status_code for answer in answers] == [409, 409]
    assert (over.status_code, sign_up.status_code) == (429, 429)
    assert 0 < int(over.headers["retry-after"]) <= 3600
