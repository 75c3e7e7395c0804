"""What the error answers say: each names what went wrong, and the id the client sent."""
{% from "driver.jinja" import async, await, Client, imports with context %}

{% if cookiecutter.auth == "password" %}
import logging
from collections.abc import Callable

import pytest
{% endif %}
{{ imports.Client }}
{% if cookiecutter.auth != "none" %}

from accounts import Account
{% endif %}

ITEMS = "/api/v1/items"
USERS = "/api/v1/users"
UNKNOWN_ID = 899_999
{% if cookiecutter.auth == "password" %}
ME = "/api/v1/users/me"
# The address the test client calls from.
CLIENT_ADDRESS = "{{ "127.0.0.1" if cookiecutter.driver == "async" else "testclient" }}"
{% endif %}


{{ async }}def test_an_item_or_user_that_does_not_exist_is_named_in_the_404(
    client: {{ Client }},
{% if cookiecutter.auth == "none" %}
    auth_headers: dict[str, str],
{% else %}
    admin: Account,
{% endif %}
) -> None:
{% if cookiecutter.auth == "none" %}
    headers = auth_headers
{% else %}
    headers = admin.headers
{% endif %}
    item = {{ await }}client.get(f"{ITEMS}/{UNKNOWN_ID}", headers=headers)
    changed = {{ await }}client.patch(f"{ITEMS}/{UNKNOWN_ID}", json={"title": "X"}, headers=headers)
    user = {{ await }}client.get(f"{USERS}/{UNKNOWN_ID}", headers=headers)

    missing_item = {"detail": f"Item {UNKNOWN_ID} not found."}
    assert (item.status_code, item.json()) == (404, missing_item)
    assert (changed.status_code, changed.json()) == (404, missing_item)
    assert (user.status_code, user.json()) == (404, {"detail": f"User {UNKNOWN_ID} not found."})


{{ async }}def test_an_item_for_an_unknown_owner_gets_a_422_naming_the_owner(
    client: {{ Client }},
{% if cookiecutter.auth == "none" %}
    auth_headers: dict[str, str],
{% else %}
    admin: Account,
{% endif %}
) -> None:
{% if cookiecutter.auth == "none" %}
    headers = auth_headers
{% else %}
    headers = admin.headers
{% endif %}
    orphan = {"title": "Orphan", "owner_id": UNKNOWN_ID}

    response = {{ await }}client.post(ITEMS, json=orphan, headers=headers)

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "unknown_owner",
                "loc": ["body", "owner_id"],
                "msg": f"User {UNKNOWN_ID} does not exist.",
            }
        ]
    }
{% if cookiecutter.auth != "none" %}


{{ async }}def test_a_user_is_told_what_only_an_admin_may_do(
    client: {{ Client }}, ada: Account, grace: Account
) -> None:
    gift = {"title": "Gift", "owner_id": grace.id}
    public = {"title": "Shared", "status": "public"}
    shared = ({{ await }}client.post(ITEMS, json=public, headers=grace.headers)).json()

    listing = {{ await }}client.get(USERS, headers=ada.headers)
    other = {{ await }}client.get(f"{USERS}/{grace.id}", headers=ada.headers)
    given = {{ await }}client.post(ITEMS, json=gift, headers=ada.headers)
    anonymous = {{ await }}client.get(ITEMS)
    not_owned = {{ await }}client.delete(f"{ITEMS}/{shared['id']}", headers=ada.headers)

    assert (listing.status_code, listing.json()) == (403, {"detail": "Only an admin may do this."})
    assert (other.status_code, other.json()) == (
        403,
        {"detail": "Only an admin acts on other users."},
    )
    assert (given.status_code, given.json()) == (
        403,
        {"detail": "Only an admin may create items for other users."},
    )
    assert (anonymous.status_code, anonymous.json()) == (401, {"detail": "Not authenticated."})
    assert (not_owned.status_code, not_owned.json()) == (
        403,
        {"detail": "Only the item's owner or an admin may change it."},
    )
{% endif %}
{% if cookiecutter.auth == "password" %}


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
{% endif %}
