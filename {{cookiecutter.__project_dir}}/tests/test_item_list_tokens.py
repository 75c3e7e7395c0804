"""The item list answers to the token's account as it is now: its rights, or 401 once it changed."""
{% from "driver.jinja" import async, await, Client, Connection, imports with context %}

import logging
from typing import Any

import pytest
{{- imports("Client") }}
from sqlalchemy import update
{{- imports("Connection") }}

from {{ cookiecutter.package_name }}.models import User

from accounts import CLIENT_ADDRESS
from accounts import Account
from accounts import logged_in
from urls import ITEMS
from urls import USERS

REFUSED = {"detail": "The token is invalid or has expired."}
# What an admin does to another account that ends its tokens: (method, body).
CHANGES: dict[str, tuple[str, dict[str, Any] | None]] = {
    "deleted": ("DELETE", None),
    "deactivated": ("PATCH", {"is_active": False}),
    "demoted": ("PATCH", {"is_superuser": False}),
}


{{ async }}def post_items(client: {{ Client }}, owner: Account, *statuses: str) -> None:
    """Items of `owner` through the API, titled by their status."""
    for status in statuses:
        item = {"title": status, "status": status}
        created = {{ await }}client.post(ITEMS, json=item, headers=owner.headers)
        assert created.status_code == 201, created.text


@pytest.mark.parametrize("change", CHANGES)
{{ async }}def test_a_list_with_the_token_of_an_account_deleted_deactivated_or_demoted_returns_401(
    client: {{ Client }},
    connection: {{ Connection }},
    ada: Account,
    grace: Account,
    admin: Account,
    caplog: pytest.LogCaptureFixture,
    change: str,
) -> None:
    {{ await }}post_items(client, grace, "private", "public")
    # Ada an admin, who sees them all with the token she has, until her account changes.
    {{ await }}connection.execute(update(User).where(User.id == ada.id).values(is_superuser=True))
    method, body = CHANGES[change]
    changed = {{ await }}client.request(method, f"{USERS}/{ada.id}", json=body, headers=admin.headers)
    assert changed.status_code in {200, 204}, changed.text
    caplog.clear()  # the change's own events

    with caplog.at_level(logging.INFO):
        listed = {{ await }}client.get(ITEMS, headers=ada.headers)

    assert (listed.status_code, listed.json()) == (401, REFUSED)
    assert listed.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    events = [
        tuple(vars(record)[field] for field in ("event", "user_id", "client"))
        for record in caplog.records
        if "event" in vars(record)
    ]
    assert events == [("token_outdated", ada.id, CLIENT_ADDRESS)]


{{ async }}def test_a_demoted_admin_logged_in_again_lists_only_their_own_and_the_public_items(
    client: {{ Client }}, connection: {{ Connection }}, ada: Account, grace: Account, admin: Account
) -> None:
    {{ await }}post_items(client, grace, "private", "public")
    {{ await }}post_items(client, ada, "private")
    {{ await }}connection.execute(update(User).where(User.id == ada.id).values(is_superuser=True))
    as_admin = {{ await }}client.get(ITEMS, headers=ada.headers)
    demoted = {"is_superuser": False}
    changed = {{ await }}client.patch(f"{USERS}/{ada.id}", json=demoted, headers=admin.headers)
    assert changed.status_code == 200, changed.text

    headers = {{ await }}logged_in(client, ada.email, ada.password)
    as_user = {{ await }}client.get(ITEMS, headers=headers)

    seen = [(item["owner_id"], item["status"]) for item in as_admin.json()]
    assert seen == [(grace.id, "private"), (grace.id, "public"), (ada.id, "private")]
    seen = [(item["owner_id"], item["status"]) for item in as_user.json()]
    assert seen == [(grace.id, "public"), (ada.id, "private")]
