"""Logging in with several accounts: failures lock no other address; a login carries its rights."""
{% from "driver.jinja" import async, await, Client, Connection, imports with context %}

from collections.abc import Callable
from datetime import timedelta
{{ imports("Client") }}
from sqlalchemy import insert
from sqlalchemy import update
{{- imports("Connection") }}

from {{ cookiecutter.package_name }}.column_types import utc_now
from {{ cookiecutter.package_name }}.models import Throttle
from {{ cookiecutter.package_name }}.models import User

from accounts import Account

TOKEN = "/api/v1/auth/token"
USERS = "/api/v1/users"


def login(account: Account, password: str | None = None) -> dict[str, str]:
    """The OAuth2 password form, with the account's own password unless another is given."""
    return {"username": account.email, "password": password or account.password}


{{ async }}def test_failed_logins_on_one_account_never_lock_another(
    client_with: Callable[..., {{ Client }}], ada: Account, grace: Account
) -> None:
    """ASVS 5 V6.3.1: one attacker guessing one address does not shut every user out."""
    {{ async }}with client_with(login_max_failures=2) as strict:
        ada_failed = {{ await }}strict.post(TOKEN, data=login(ada, "wrong-password"))
        grace_failed = {{ await }}strict.post(TOKEN, data=login(grace, "wrong-password"))
        ada_locked = {{ await }}strict.post(TOKEN, data=login(ada, "wrong-password"))
        grace_logs_in = {{ await }}strict.post(TOKEN, data=login(grace))
        ada_still_locked = {{ await }}strict.post(TOKEN, data=login(ada))

    assert (ada_failed.status_code, grace_failed.status_code) == (401, 401)
    assert ada_locked.status_code == 401  # her second failure: it locks her address
    assert grace_logs_in.status_code == 200
    assert ada_still_locked.status_code == 429


{{ async }}def test_a_login_clears_the_failures_of_its_own_address_only(
    client_with: Callable[..., {{ Client }}], ada: Account, grace: Account
) -> None:
    {{ async }}with client_with(login_max_failures=2) as strict:
        {{ await }}strict.post(TOKEN, data=login(ada, "wrong-password"))
        assert ({{ await }}strict.post(TOKEN, data=login(grace))).status_code == 200
        second = {{ await }}strict.post(TOKEN, data=login(ada, "wrong-password"))
        then = {{ await }}strict.post(TOKEN, data=login(ada))

    assert second.status_code == 401
    assert then.status_code == 429
    assert then.json() == {"detail": "Too many failed logins; try again later."}


{{ async }}def test_an_admin_who_logs_in_with_a_password_acts_as_admin(
    client: {{ Client }}, admin: Account, ada: Account
) -> None:
    tokens = {}
    for account in (admin, ada):
        response = {{ await }}client.post(TOKEN, data=login(account))
        assert response.status_code == 200, response.text
        tokens[account.id] = {"Authorization": f"Bearer {response.json()['access_token']}"}

    as_admin = {{ await }}client.get(USERS, headers=tokens[admin.id])
    as_user = {{ await }}client.get(USERS, headers=tokens[ada.id])

    assert as_admin.status_code == 200
    assert {user["id"] for user in as_admin.json()} >= {admin.id, ada.id}
    assert as_user.status_code == 403
    assert as_user.json() == {"detail": "Only an admin may do this."}


{{ async }}def test_after_a_lockout_the_address_gets_its_full_count_of_tries_again(
    client_with: Callable[..., {{ Client }}], connection: {{ Connection }}, ada: Account
) -> None:
    {{ async }}with client_with(login_max_failures=2) as strict:
        for _ in range(2):
            {{ await }}strict.post(TOKEN, data=login(ada, "wrong-password"))
        # As if the lockout's time had passed.
        {{ await }}connection.execute(
            update(Throttle)
            .where(Throttle.key == f"login:{ada.email}")
            .values(locked_until=utc_now() - timedelta(seconds=1))
        )
        after = {{ await }}strict.post(TOKEN, data=login(ada, "wrong-password"))
        then = {{ await }}strict.post(TOKEN, data=login(ada))

    assert after.status_code == 401
    assert then.status_code == 200


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
