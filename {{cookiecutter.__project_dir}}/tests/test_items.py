"""The items API: create, list, read, update, delete, and the client mistakes around them."""
{% from "driver.jinja" import async, await, Client, imports with context %}

from typing import Any

import pytest
{{- imports("Client") }}

from urls import ITEMS


@pytest.fixture
{{ async }}def item(client: {{ Client }}, auth_headers: dict[str, str], owner_id: int) -> dict[str, Any]:
    """An item of `owner_id`'s, created through the API, as the API returned it."""
    response = {{ await }}client.post(
        ITEMS, json={"title": "Notes", "owner_id": owner_id}, headers=auth_headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


{{ async }}def test_create_item_returns_201_and_is_private_by_default(
    client: {{ Client }}, auth_headers: dict[str, str], owner_id: int
) -> None:
    response = {{ await }}client.post(
        ITEMS,
        json={"title": "  Notes  ", "description": "On the engine", "owner_id": owner_id},
        headers=auth_headers,
    )

    assert response.status_code == 201
    body = response.json()
    assert body["title"] == "Notes"
    assert body["description"] == "On the engine"
    assert body["status"] == "private"
    assert body["owner_id"] == owner_id


{{ async }}def test_create_item_for_unknown_owner_returns_422_naming_the_field(
    client: {{ Client }}, admin_headers: dict[str, str]
) -> None:
    orphan = {"title": "Orphan", "owner_id": 999_999}

    response = {{ await }}client.post(ITEMS, json=orphan, headers=admin_headers)

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "owner_id"]
    assert "999999" in error["msg"]


{{ async }}def test_create_item_with_a_title_its_owner_has_returns_409(
    client: {{ Client }}, auth_headers: dict[str, str], item: dict[str, Any]
) -> None:
    again = {"title": "Notes", "owner_id": item["owner_id"]}

    response = {{ await }}client.post(ITEMS, json=again, headers=auth_headers)

    assert response.status_code == 409


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param({"title": "x", "status": "secret"}, id="unknown-status"),
        pytest.param({"title": "", "status": "public"}, id="empty-title"),
        pytest.param({"title": "x", "owner_id": 2**31}, id="owner-id-out-of-range"),
        pytest.param({"status": "public"}, id="missing-title"),
    ],
)
{{ async }}def test_create_item_with_invalid_payload_returns_422(
    client: {{ Client }}, auth_headers: dict[str, str], owner_id: int, payload: dict[str, Any]
) -> None:
    sent = {"owner_id": owner_id, **payload}

    response = {{ await }}client.post(ITEMS, json=sent, headers=auth_headers)

    assert response.status_code == 422


{{ async }}def test_read_item_returns_the_item(
    client: {{ Client }}, auth_headers: dict[str, str], item: dict[str, Any]
) -> None:
    response = {{ await }}client.get(f"{ITEMS}/{item['id']}", headers=auth_headers)

    assert response.status_code == 200
    assert response.json() == item


{{ async }}def test_read_missing_item_returns_404(
    client: {{ Client }},
    admin_headers: dict[str, str],
) -> None:
    response = {{ await }}client.get(f"{ITEMS}/999999", headers=admin_headers)

    assert response.status_code == 404


{{ async }}def test_list_items_pages_oldest_first(
    client: {{ Client }}, auth_headers: dict[str, str], owner_id: int
) -> None:
    for title in ("first", "second", "third"):
        item = {"title": title, "owner_id": owner_id}
        {{ await }}client.post(ITEMS, json=item, headers=auth_headers)

    page = {{ await }}client.get(ITEMS, params={"limit": 2, "offset": 1}, headers=auth_headers)

    assert [item["title"] for item in page.json()] == ["second", "third"]


{{ async }}def test_update_item_changes_only_the_fields_given(
    client: {{ Client }}, auth_headers: dict[str, str], item: dict[str, Any]
) -> None:
    path = f"{ITEMS}/{item['id']}"

    response = {{ await }}client.patch(path, json={"status": "public"}, headers=auth_headers)

    assert response.status_code == 200
    assert response.json() == {**item, "status": "public"}


{{ async }}def test_update_item_with_null_description_clears_it(
    client: {{ Client }}, auth_headers: dict[str, str], item: dict[str, Any]
) -> None:
    path = f"{ITEMS}/{item['id']}"
    {{ await }}client.patch(path, json={"description": "draft"}, headers=auth_headers)

    response = {{ await }}client.patch(path, json={"description": None}, headers=auth_headers)

    assert response.json()["description"] is None


{{ async }}def test_update_item_to_a_title_its_owner_has_returns_409(
    client: {{ Client }}, auth_headers: dict[str, str], item: dict[str, Any]
) -> None:
    other = {"title": "Other", "owner_id": item["owner_id"]}
    created = {{ await }}client.post(ITEMS, json=other, headers=auth_headers)
    path = f"{ITEMS}/{created.json()['id']}"

    response = {{ await }}client.patch(path, json={"title": "Notes"}, headers=auth_headers)

    assert response.status_code == 409


@pytest.mark.parametrize("payload", [{"title": None}, {"status": None}, {"status": "secret"}])
{{ async }}def test_update_item_with_invalid_field_returns_422(
    client: {{ Client }},
    auth_headers: dict[str, str],
    item: dict[str, Any],
    payload: dict[str, Any],
) -> None:
    path = f"{ITEMS}/{item['id']}"

    response = {{ await }}client.patch(path, json=payload, headers=auth_headers)

    assert response.status_code == 422


{{ async }}def test_delete_item_returns_204_and_the_item_is_gone(
    client: {{ Client }}, auth_headers: dict[str, str], item: dict[str, Any]
) -> None:
    path = f"{ITEMS}/{item['id']}"

    response = {{ await }}client.delete(path, headers=auth_headers)

    assert response.status_code == 204
    gone = {{ await }}client.get(path, headers=auth_headers)
    assert gone.status_code == 404


{{ async }}def test_deleting_a_user_deletes_the_users_items(
    client: {{ Client }}, admin_headers: dict[str, str], item: dict[str, Any]
) -> None:
    {{ await }}client.delete(f"/api/v1/users/{item['owner_id']}", headers=admin_headers)

    gone = {{ await }}client.get(f"{ITEMS}/{item['id']}", headers=admin_headers)
    assert gone.status_code == 404
