"""The items API: create, list, read, update, delete, and the client mistakes around them."""
{% from "driver.jinja" import async, await, Client, imports with context %}

from typing import Any

import pytest
{{ imports.Client }}

ITEMS = "/api/v1/items"


@pytest.fixture
{{ async }}def item(client: {{ Client }}, user: dict[str, Any]) -> dict[str, Any]:
    """An item of `user`, created through the API, as the API returned it."""
    response = {{ await }}client.post(ITEMS, json={"title": "Notes", "owner_id": user["id"]})
    assert response.status_code == 201, response.text
    return dict(response.json())


{{ async }}def test_create_item_returns_201_and_is_private_by_default(
    client: {{ Client }}, user: dict[str, Any]
) -> None:
    response = {{ await }}client.post(
        ITEMS, json={"title": "  Notes  ", "description": "On the engine", "owner_id": user["id"]}
    )

    assert response.status_code == 201
    body = response.json()
    assert body["title"] == "Notes"
    assert body["description"] == "On the engine"
    assert body["status"] == "private"
    assert body["owner_id"] == user["id"]


{{ async }}def test_create_item_for_unknown_owner_returns_422_naming_the_field(
    client: {{ Client }},
) -> None:
    response = {{ await }}client.post(ITEMS, json={"title": "Orphan", "owner_id": 999_999})

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "owner_id"]
    assert "999999" in error["msg"]


{{ async }}def test_create_item_with_a_title_its_owner_has_returns_409(
    client: {{ Client }},
    item: dict[str, Any],
) -> None:
    response = {{ await }}client.post(ITEMS, json={"title": "Notes", "owner_id": item["owner_id"]})

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
    client: {{ Client }}, user: dict[str, Any], payload: dict[str, Any]
) -> None:
    response = {{ await }}client.post(ITEMS, json={"owner_id": user["id"], **payload})

    assert response.status_code == 422


{{ async }}def test_read_item_returns_the_item(client: {{ Client }}, item: dict[str, Any]) -> None:
    response = {{ await }}client.get(f"{ITEMS}/{item['id']}")

    assert response.status_code == 200
    assert response.json() == item


{{ async }}def test_read_missing_item_returns_404(client: {{ Client }}) -> None:
    response = {{ await }}client.get(f"{ITEMS}/999999")

    assert response.status_code == 404


{{ async }}def test_list_items_pages_oldest_first(client: {{ Client }}, user: dict[str, Any]) -> None:
    for title in ("first", "second", "third"):
        {{ await }}client.post(ITEMS, json={"title": title, "owner_id": user["id"]})

    page = {{ await }}client.get(ITEMS, params={"limit": 2, "offset": 1})

    assert [item["title"] for item in page.json()] == ["second", "third"]


{{ async }}def test_update_item_changes_only_the_fields_given(
    client: {{ Client }}, item: dict[str, Any]
) -> None:
    response = {{ await }}client.patch(f"{ITEMS}/{item['id']}", json={"status": "public"})

    assert response.status_code == 200
    assert response.json() == {**item, "status": "public"}


{{ async }}def test_update_item_with_null_description_clears_it(
    client: {{ Client }}, item: dict[str, Any]
) -> None:
    {{ await }}client.patch(f"{ITEMS}/{item['id']}", json={"description": "draft"})

    response = {{ await }}client.patch(f"{ITEMS}/{item['id']}", json={"description": None})

    assert response.json()["description"] is None


{{ async }}def test_update_item_to_a_title_its_owner_has_returns_409(
    client: {{ Client }},
    item: dict[str, Any],
) -> None:
    other = {{ await }}client.post(ITEMS, json={"title": "Other", "owner_id": item["owner_id"]})

    response = {{ await }}client.patch(f"{ITEMS}/{other.json()['id']}", json={"title": "Notes"})

    assert response.status_code == 409


@pytest.mark.parametrize("payload", [{"title": None}, {"status": None}, {"status": "secret"}])
{{ async }}def test_update_item_with_invalid_field_returns_422(
    client: {{ Client }}, item: dict[str, Any], payload: dict[str, Any]
) -> None:
    response = {{ await }}client.patch(f"{ITEMS}/{item['id']}", json=payload)

    assert response.status_code == 422


{{ async }}def test_delete_item_returns_204_and_the_item_is_gone(
    client: {{ Client }}, item: dict[str, Any]
) -> None:
    response = {{ await }}client.delete(f"{ITEMS}/{item['id']}")

    assert response.status_code == 204
    gone = {{ await }}client.get(f"{ITEMS}/{item['id']}")
    assert gone.status_code == 404


{{ async }}def test_deleting_a_user_deletes_the_users_items(
    client: {{ Client }},
    item: dict[str, Any],
) -> None:
    {{ await }}client.delete(f"/api/v1/users/{item['owner_id']}")

    gone = {{ await }}client.get(f"{ITEMS}/{item['id']}")
    assert gone.status_code == 404
