"""Creating users through the API, signing up or not: what is stored, and the mistakes refused."""
{% from "driver.jinja" import async, await, Client, imports with context %}

from typing import Any

import pytest
{{- imports("Client") }}

from accounts import NEW_USER
from urls import ITEMS
from urls import USERS


{{ async }}def test_a_new_user_keeps_any_unicode_in_the_name(
    client: {{ Client }}, admin_headers: dict[str, str]
) -> None:
    # Four-byte characters need utf8mb4 on MySQL; every database must round-trip them.
    name = "Zoë Ångström 李小龍 🚀"

    created = {{ await }}client.post(USERS, json={**NEW_USER, "full_name": name})
    read = {{ await }}client.get(f"{USERS}/{created.json()['id']}", headers=admin_headers)

    assert created.status_code == 201
    assert created.json()["full_name"] == name
    assert read.json()["full_name"] == name


{{ async }}def test_a_new_user_with_items_creates_them_for_the_user(
    client: {{ Client }}, admin_headers: dict[str, str]
) -> None:
    items = [{"title": "Notes"}, {"title": "Sketches", "status": "public"}]

    response = {{ await }}client.post(USERS, json={**NEW_USER, "items": items})

    assert response.status_code == 201
    listed = {{ await }}client.get(ITEMS, headers=admin_headers)
    owned = [(i["title"], i["status"], i["owner_id"]) for i in listed.json()]
    user_id = response.json()["id"]
    assert owned == [("Notes", "private", user_id), ("Sketches", "public", user_id)]


{{ async }}def test_a_new_user_failing_half_way_stores_nothing(
    client: {{ Client }}, admin_headers: dict[str, str]
) -> None:
    # The user is written first; the clashing item titles fail the second write.
    items = [{"title": "Notes"}, {"title": "Notes"}]
    before = {{ await }}client.get(USERS, headers=admin_headers)

    response = {{ await }}client.post(USERS, json={**NEW_USER, "items": items})

    assert response.status_code == 409
    after = {{ await }}client.get(USERS, headers=admin_headers)
    assert after.json() == before.json()
    again = {{ await }}client.post(USERS, json=NEW_USER)
    assert again.status_code == 201


{{ async }}def test_a_new_user_with_a_taken_email_returns_409_without_echoing_it(
    client: {{ Client }},
) -> None:
    first = {{ await }}client.post(USERS, json={**NEW_USER, "email": "ada@example.com"})
    # E-mail addresses are compared without regard to case.
    response = {{ await }}client.post(USERS, json={**NEW_USER, "email": "ADA@example.com"})

    assert first.status_code == 201
    assert response.status_code == 409
    assert response.json() == {"detail": "Another user has this e-mail address."}


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param({**NEW_USER, "email": "not-an-address"}, id="bad-email"),
        pytest.param({**NEW_USER, "full_name": "   "}, id="blank-name"),
        pytest.param({**NEW_USER, "full_name": "x" * 201}, id="long-name"),
        pytest.param({**NEW_USER, "full_name": "nul\x00byte"}, id="nul-in-name"),
        pytest.param({"email": "grace@example.com"}, id="missing-fields"),
        pytest.param({**NEW_USER, "items": [{"title": ""}]}, id="bad-item"),
        pytest.param({**NEW_USER, "items": [{"title": "x"}] * 101}, id="too-many-items"),
    ],
)
{{ async }}def test_a_new_user_with_an_invalid_payload_returns_422_without_echoing_it(
    client: {{ Client }}, payload: dict[str, Any]
) -> None:
    response = {{ await }}client.post(USERS, json=payload)

    assert response.status_code == 422
    # The answer names the problem, never the input: it may hold a password.
    assert all("input" not in problem for problem in response.json()["detail"])
