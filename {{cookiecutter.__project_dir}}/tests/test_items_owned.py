"""Items with owners: one's own items and the public ones; admins see and change all."""
{% from "driver.jinja" import async, await, Client, imports with context %}

from typing import Any

import pytest
{{- imports("Client") }}

from accounts import Account
from urls import ITEMS


{{ async }}def create(client: {{ Client }}, owner: Account, **fields: Any) -> dict[str, Any]:
    """An item of `owner`, created through the API, as the API returned it."""
    response = {{ await }}client.post(ITEMS, json={"title": "Notes", **fields}, headers=owner.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


@pytest.fixture
def callers(ada: Account, grace: Account, admin: Account) -> dict[str, Account]:
    """Who calls about an item of ada's: its owner, another user, or an admin."""
    return {"owner": ada, "other": grace, "admin": admin}


{{ async }}def test_create_item_belongs_to_the_caller_and_is_private_by_default(
    client: {{ Client }}, ada: Account
) -> None:
    response = {{ await }}client.post(
        ITEMS, json={"title": "  Notes  ", "description": "On the engine"}, headers=ada.headers
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["title"], body["description"]) == ("Notes", "On the engine")
    assert (body["status"], body["owner_id"]) == ("private", ada.id)


{{ async }}def test_create_item_without_a_token_returns_401(client: {{ Client }}) -> None:
    response = {{ await }}client.post(ITEMS, json={"title": "Notes"})

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


{{ async }}def test_only_an_admin_creates_items_for_another_user(
    client: {{ Client }}, ada: Account, grace: Account, admin: Account
) -> None:
    gift = {"title": "Gift", "owner_id": grace.id}
    mine = {"title": "Mine", "owner_id": ada.id}

    by_user = {{ await }}client.post(ITEMS, json=gift, headers=ada.headers)
    for_oneself = {{ await }}client.post(ITEMS, json=mine, headers=ada.headers)
    by_admin = {{ await }}client.post(ITEMS, json=gift, headers=admin.headers)

    assert by_user.status_code == 403
    assert for_oneself.status_code == 201
    assert by_admin.status_code == 201
    assert by_admin.json()["owner_id"] == grace.id


{{ async }}def test_list_shows_ones_own_items_and_public_ones_and_admins_all(
    client: {{ Client }}, ada: Account, grace: Account, admin: Account
) -> None:
    {{ await }}create(client, ada, title="ada private")
    {{ await }}create(client, grace, title="grace private")
    {{ await }}create(client, grace, title="grace public", status="public")

    as_ada = {{ await }}client.get(ITEMS, headers=ada.headers)
    as_admin = {{ await }}client.get(ITEMS, headers=admin.headers)
    anonymous = {{ await }}client.get(ITEMS)

    assert [item["title"] for item in as_ada.json()] == ["ada private", "grace public"]
    assert len(as_admin.json()) == 3
    assert anonymous.status_code == 401


@pytest.mark.parametrize(
    ("status", "caller", "read", "write"),
    [
        ("private", "owner", 200, 200),
        ("private", "other", 404, 404),
        ("private", "admin", 200, 200),
        ("public", "owner", 200, 200),
        ("public", "other", 200, 403),
        ("public", "admin", 200, 200),
    ],
)
{{ async }}def test_reading_and_changing_an_item_by_owner_other_user_and_admin(
    client: {{ Client }},
    callers: dict[str, Account],
    status: str,
    caller: str,
    read: int,
    write: int,
) -> None:
    # Another user's private item is not found, as if it did not exist; a public one is
    # read by anyone and changed by its owner and admins only.
    item = {{ await }}create(client, callers["owner"], status=status)
    headers = callers[caller].headers
    path = f"{ITEMS}/{item['id']}"

    got = {{ await }}client.get(path, headers=headers)
    changed = {{ await }}client.patch(path, json={"title": "Renamed"}, headers=headers)

    assert got.status_code == read
    assert changed.status_code == write


@pytest.mark.parametrize(
    ("status", "caller", "expected"),
    [
        ("private", "other", 404),
        ("public", "other", 403),
        ("private", "admin", 204),
        ("public", "owner", 204),
    ],
)
{{ async }}def test_deleting_an_item_is_for_its_owner_and_admins(
    client: {{ Client }},
    callers: dict[str, Account],
    status: str,
    caller: str,
    expected: int,
) -> None:
    owner = callers["owner"]
    item = {{ await }}create(client, owner, status=status)

    response = {{ await }}client.delete(f"{ITEMS}/{item['id']}", headers=callers[caller].headers)

    assert response.status_code == expected
    after = {{ await }}client.get(f"{ITEMS}/{item['id']}", headers=owner.headers)
    assert after.status_code == (404 if expected == 204 else 200)
