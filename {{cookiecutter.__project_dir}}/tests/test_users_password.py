"""The users API with accounts: sign-up, one's own account, and what only admins may do."""
{% from "driver.jinja" import async, await, Client, Connection, imports with context %}

import logging
from collections.abc import Callable
from typing import Any

import pytest
{{- imports("Client") }}
from sqlalchemy import select
from sqlalchemy import update
{{- imports("Connection") }}

from {{ cookiecutter.package_name }}.models import User
from {{ cookiecutter.package_name }}.passwords import Passwords
from {{ cookiecutter.package_name }}.settings import Settings

from accounts import CLIENT_ADDRESS
from accounts import ME
from accounts import NEW_USER
from accounts import Account
from urls import USERS


{{ async }}def test_sign_up_returns_201_and_never_the_password(client: {{ Client }}) -> None:
    response = {{ await }}client.post(USERS, json=NEW_USER)

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "email", "full_name", "is_active", "is_superuser", "created_at"}
    assert body["email"] == "grace@example.com"
    assert (body["is_active"], body["is_superuser"]) == (True, False)
    assert body["created_at"].endswith(("Z", "+00:00"))


{{ async }}def test_sign_up_stores_an_argon2_hash_of_the_password(
    client: {{ Client }}, connection: {{ Connection }}, settings: Settings
) -> None:
    response = {{ await }}client.post(USERS, json=NEW_USER)

    stored = select(User.hashed_password).where(User.id == response.json()["id"])
    hashed = ({{ await }}connection.execute(stored)).scalar_one()
    assert hashed.startswith("$argon2id$")
    assert {{ await }}Passwords(settings).verify("cobol-1959-on", hashed)
    assert not {{ await }}Passwords(settings).verify("cobol-1960-on", hashed)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "String should have at least 12 characters"),
        ("x" * 129, "String should have at most 128 characters"),
    ],
)
{{ async }}def test_password_of_the_wrong_length_is_refused_in_characters_without_echoing_it(
    client: {{ Client }}, password: str, message: str
) -> None:
    response = {{ await }}client.post(USERS, json={**NEW_USER, "password": password})

    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["body", "password"]
    assert problem["msg"] == message
    assert "input" not in problem


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("12345678", "String should have at least 12 characters"),
        ("password", "String should have at least 12 characters"),
        (" " * 8, "String should have at least 12 characters"),
        (" " * 12, "Password is too repetitive"),
        ("abababababab", "Password is too repetitive"),
        ("q1w2e3r4t5y6", "Password is too common"),
        ("1QAZ2WSX3EDC", "Password is too common"),
    ],
)
{{ async }}def test_a_short_repetitive_or_common_password_is_refused(
    client: {{ Client }}, password: str, message: str
) -> None:
    """ASVS 5 V6.2.1 (12 characters at least) and V6.2.4 (not a common password)."""
    response = {{ await }}client.post(USERS, json={**NEW_USER, "password": password})

    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert (problem["loc"], problem["msg"]) == (["body", "password"], message)


{{ async }}def test_sign_up_is_limited_per_client_with_429_and_retry_after(
    client_with: Callable[..., {{ Client }}],
) -> None:
    """ASVS 5 V2.4.1: anti-automation on sign-up, counted in the database for every replica."""
    {{ async }}with client_with(client_signups_per_hour=2) as limited:
        answers = [
            {{ await }}limited.post(USERS, json={**NEW_USER, "email": f"u{number}@example.com"})
            for number in range(3)
        ]

    assert [answer.status_code for answer in answers] == [201, 201, 429]
    assert 3500 < int(answers[2].headers["retry-after"]) <= 3600


{{ async }}def test_closed_sign_up_asks_for_a_token_refuses_users_and_admits_admins(
    client_with: Callable[..., {{ Client }}], ada: Account, admin: Account
) -> None:
    {{ async }}with client_with(signup_open=False) as closed:
        anonymous = {{ await }}closed.post(USERS, json=NEW_USER)
        by_user = {{ await }}closed.post(USERS, json=NEW_USER, headers=ada.headers)
        by_admin = {{ await }}closed.post(USERS, json=NEW_USER, headers=admin.headers)

    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert by_user.status_code == 403
    assert by_admin.status_code == 201


{{ async }}def test_list_users_pages_oldest_first(client: {{ Client }}, admin: Account) -> None:
    for number in range(3):
        {{ await }}client.post(USERS, json={**NEW_USER, "email": f"user{number}@example.com"})

    page = {{ await }}client.get(USERS, params={"limit": 2, "offset": 1}, headers=admin.headers)

    assert [u["email"] for u in page.json()] == ["user0@example.com", "user1@example.com"]


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"offset": -1}, {"limit": "x"}])
{{ async }}def test_list_users_with_page_out_of_bounds_returns_422(
    client: {{ Client }}, admin: Account, params: dict[str, Any]
) -> None:
    response = {{ await }}client.get(USERS, params=params, headers=admin.headers)

    assert response.status_code == 422


{{ async }}def test_me_is_the_tokens_user(client: {{ Client }}, ada: Account) -> None:
    response = {{ await }}client.get(ME, headers=ada.headers)

    assert response.status_code == 200
    assert response.json()["id"] == ada.id


{{ async }}def test_a_deleted_users_token_no_longer_reaches_their_account(
    client: {{ Client }}, ada: Account
) -> None:
    deleted = {{ await }}client.delete(ME, headers=ada.headers)

    assert deleted.status_code == 204
    me = {{ await }}client.get(ME, headers=ada.headers)
    assert me.status_code == 401


@pytest.mark.parametrize("user_id", [0, 2**31])
{{ async }}def test_an_id_that_cannot_exist_returns_422(
    client: {{ Client }}, admin: Account, user_id: int
) -> None:
    response = {{ await }}client.get(f"{USERS}/{user_id}", headers=admin.headers)

    assert response.status_code == 422


{{ async }}def test_update_me_changes_only_the_fields_given(client: {{ Client }}, ada: Account) -> None:
    before = ({{ await }}client.get(ME, headers=ada.headers)).json()

    response = {{ await }}client.patch(ME, json={"full_name": "Ada King"}, headers=ada.headers)

    assert response.status_code == 200
    assert response.json() == {**before, "full_name": "Ada King"}


@pytest.mark.parametrize("field", ["is_active", "is_superuser"])
{{ async }}def test_only_admins_change_is_active_and_is_superuser(
    client: {{ Client }}, ada: Account, admin: Account, field: str
) -> None:
    by_self = {{ await }}client.patch(ME, json={field: field == "is_superuser"}, headers=ada.headers)
    by_admin = {{ await }}client.patch(
        f"{USERS}/{ada.id}", json={field: field == "is_superuser"}, headers=admin.headers
    )

    assert by_self.status_code == 403
    assert by_admin.status_code == 200
    assert by_admin.json()[field] is (field == "is_superuser")


{{ async }}def test_update_another_user_is_for_admins(
    client: {{ Client }}, ada: Account, grace: Account, admin: Account
) -> None:
    by_user = {{ await }}client.patch(
        f"{USERS}/{grace.id}", json={"full_name": "Mallory"}, headers=ada.headers
    )
    by_admin = {{ await }}client.patch(
        f"{USERS}/{grace.id}", json={"full_name": "Grace B. Hopper"}, headers=admin.headers
    )

    assert by_user.status_code == 403
    assert by_admin.status_code == 200
    assert by_admin.json()["full_name"] == "Grace B. Hopper"


{{ async }}def test_changing_ones_password_needs_the_current_one(
    client: {{ Client }}, connection: {{ Connection }}, settings: Settings, ada: Account
) -> None:
    missing = {{ await }}client.patch(ME, json={"password": "difference-engine"}, headers=ada.headers)
    wrong = {{ await }}client.patch(
        ME,
        json={"password": "difference-engine", "current_password": "not-it-at-all"},
        headers=ada.headers,
    )
    right = {{ await }}client.patch(
        ME,
        json={"password": "difference-engine", "current_password": ada.password},
        headers=ada.headers,
    )

    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["body", "current_password"]
    assert wrong.status_code == 403
    assert right.status_code == 200
    rows = {{ await }}connection.execute(select(User.hashed_password).where(User.id == ada.id))
    assert {{ await }}Passwords(settings).verify("difference-engine", rows.scalar_one())


{{ async }}def test_wrong_current_passwords_count_toward_the_lockout(
    client_with: Callable[..., {{ Client }}], ada: Account
) -> None:
    """ASVS 5 V6.3.1: every password check counts against guessing, the current password's too."""
    guess = {"password": "difference-engine", "current_password": "not-it-at-all"}
    {{ async }}with client_with(login_max_failures=3) as strict:
        guesses = [
            ({{ await }}strict.patch(ME, json=guess, headers=ada.headers)).status_code
            for _attempt_number in range(4)
        ]
        login = {{ await }}strict.post(
            "/api/v1/auth/token", data={"username": ada.email, "password": ada.password}
        )

    assert guesses == [403, 403, 403, 429]
    assert login.status_code == 429


{{ async }}def test_changing_ones_credentials_says_what_is_missing_wrong_or_locked(
    client_with: Callable[..., {{ Client }}], ada: Account
) -> None:
    new = {"password": "a brand new passphrase"}
    {{ async }}with client_with(login_max_failures=1) as strict:
        unsaid = {{ await }}strict.patch(ME, json=new, headers=ada.headers)
        guess = {**new, "current_password": "not-it"}
        wrong = {{ await }}strict.patch(ME, json=guess, headers=ada.headers)
        right = {**new, "current_password": ada.password}
        locked = {{ await }}strict.patch(ME, json=right, headers=ada.headers)
        rights = {{ await }}strict.patch(ME, json={"is_active": True}, headers=ada.headers)

    assert (unsaid.status_code, unsaid.json()) == (
        422,
        {
            "detail": [
                {
                    "type": "missing",
                    "loc": ["body", "current_password"],
                    "msg": "Field required to change one's own password or e-mail address",
                }
            ]
        },
    )
    assert (wrong.status_code, wrong.json()) == (403, {"detail": "The current password is wrong."})
    assert (locked.status_code, locked.json()) == (
        429,
        {"detail": "Too many failed logins; try again later."},
    )
    assert (rights.status_code, rights.json()) == (
        403,
        {"detail": "Only an admin may change is_active or is_superuser."},
    )


{{ async }}def test_changes_of_credentials_and_rights_are_security_events_without_secrets(
    client: {{ Client }}, ada: Account, admin: Account, caplog: pytest.LogCaptureFixture
) -> None:
    new = {"password": "a brand new passphrase", "current_password": "not-it"}
    with caplog.at_level(logging.INFO):
        {{ await }}client.patch(ME, json=new, headers=ada.headers)
        right = {**new, "current_password": ada.password}
        {{ await }}client.patch(ME, json=right, headers=ada.headers)
        promote = {"is_superuser": True}
        {{ await }}client.patch(f"{USERS}/{ada.id}", json=promote, headers=admin.headers)

    events = [
        (
            record.levelname,
            record.getMessage(),
            *(vars(record).get(field) for field in ("user_id", "client", "by", "is_superuser")),
        )
        for record in caplog.records
        if "event" in vars(record)
    ]
    assert events == [
        ("WARNING", "current_password_wrong", ada.id, CLIENT_ADDRESS, None, None),
        ("INFO", "password_changed", ada.id, CLIENT_ADDRESS, ada.id, None),
        ("INFO", "is_superuser_changed", ada.id, CLIENT_ADDRESS, admin.id, True),
    ]
    assert "a brand new passphrase" not in caplog.text
    assert ada.password not in caplog.text


{{ async }}def test_an_admin_sets_another_users_password_without_theirs(
    client: {{ Client }},
    connection: {{ Connection }},
    settings: Settings,
    ada: Account,
    admin: Account,
) -> None:
    response = {{ await }}client.patch(
        f"{USERS}/{ada.id}", json={"password": "reset-by-admin"}, headers=admin.headers
    )

    assert response.status_code == 200
    rows = {{ await }}connection.execute(select(User.hashed_password).where(User.id == ada.id))
    assert {{ await }}Passwords(settings).verify("reset-by-admin", rows.scalar_one())


{{ async }}def test_update_to_a_taken_email_returns_409(
    client: {{ Client }}, ada: Account, grace: Account
) -> None:
    change = {"email": ada.email, "current_password": grace.password}
    response = {{ await }}client.patch(ME, json=change, headers=grace.headers)

    assert response.status_code == 409


{{ async }}def test_changing_ones_own_email_address_needs_the_current_password(
    client: {{ Client }}, ada: Account
) -> None:
    """ASVS 5 V7.5.1: an attribute that recovers the account needs the password to change."""
    missing = {{ await }}client.patch(ME, json={"email": "mine@evil.example"}, headers=ada.headers)
    wrong = {{ await }}client.patch(
        ME, json={"email": "mine@evil.example", "current_password": "nope"}, headers=ada.headers
    )
    right = {{ await }}client.patch(
        ME,
        json={"email": "ada@analytical.example", "current_password": ada.password},
        headers=ada.headers,
    )

    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["body", "current_password"]
    assert wrong.status_code == 403
    assert right.status_code == 200
    assert right.json()["email"] == "ada@analytical.example"


{{ async }}def test_an_address_in_another_unicode_form_is_the_same_account(
    client: {{ Client }}, ada: Account
) -> None:
    """ASVS 5 V2.2.1: input is brought to one canonical form before it is compared."""
    full_width = "\uff41da@example.com"  # a full-width "a" (U+FF41), then "da@example.com"

    again = {{ await }}client.post(USERS, json={**NEW_USER, "email": full_width})
    logged_in = {{ await }}client.post(
        "/api/v1/auth/token", data={"username": full_width, "password": ada.password}
    )

    assert again.status_code == 409
    assert logged_in.status_code == 200


@pytest.mark.parametrize("payload", [{"full_name": None}, {"email": None}, {"is_active": "maybe"}])
{{ async }}def test_update_with_invalid_field_returns_422(
    client: {{ Client }}, admin: Account, payload: dict[str, Any]
) -> None:
    response = {{ await }}client.patch(f"{USERS}/{admin.id}", json=payload, headers=admin.headers)

    assert response.status_code == 422


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", ME, {"is_superuser": False}),
        ("PATCH", ME, {"is_active": False}),
        ("DELETE", ME, None),
    ],
)
{{ async }}def test_the_only_admin_cannot_demote_deactivate_or_delete_itself(
    client: {{ Client }},
    connection: {{ Connection }},
    admin: Account,
    grace: Account,
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    """ASVS 5 V2.3.2: a business rule holds: the service always keeps an admin."""
    alone = {{ await }}client.request(method, path, json=body, headers=admin.headers)
    {{ await }}connection.execute(update(User).where(User.id == grace.id).values(is_superuser=True))
    with_another = {{ await }}client.request(method, path, json=body, headers=admin.headers)

    assert alone.status_code == 409
    assert alone.json() == {"detail": "The service's only admin cannot lose the right."}
    assert with_another.status_code in {200, 204}
