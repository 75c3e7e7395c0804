"""The users API, open to every caller: create, list, read, update, delete, and client mistakes."""
{% from "driver.jinja" import async, await, Client, imports with context %}

from typing import Any

import pytest
{{- imports("Client") }}

from accounts import NEW_USER
from urls import USERS


{{ async }}def test_create_user_returns_201_and_the_user(client: {{ Client }}) -> None:
    response = {{ await }}client.post(USERS, json=NEW_USER)

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "email", "full_name", "is_active", "created_at"}
    assert body["email"] == "grace@example.com"
    assert body["is_active"] is True
    assert body["created_at"].endswith(("Z", "+00:00"))


{{ async }}def test_read_user_returns_the_user(client: {{ Client }}, user: dict[str, Any]) -> None:
    response = {{ await }}client.get(f"{USERS}/{user['id']}")

    assert response.status_code == 200
    assert response.json() == user


@pytest.mark.parametrize(("user_id", "status"), [(999_999, 404), (0, 422), (2**31, 422)])
{{ async }}def test_read_user_that_cannot_exist_returns_404_or_422(
    client: {{ Client }}, user_id: int, status: int
) -> None:
    response = {{ await }}client.get(f"{USERS}/{user_id}")

    assert response.status_code == status


{{ async }}def test_list_users_pages_oldest_first(client: {{ Client }}) -> None:
    for number in range(3):
        {{ await }}client.post(USERS, json={**NEW_USER, "email": f"user{number}@example.com"})

    first_page = {{ await }}client.get(USERS, params={"limit": 2})
    second_page = {{ await }}client.get(USERS, params={"limit": 2, "offset": 2})

    assert [u["email"] for u in first_page.json()] == ["user0@example.com", "user1@example.com"]
    assert [u["email"] for u in second_page.json()] == ["user2@example.com"]


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"offset": -1}, {"limit": "x"}])
{{ async }}def test_list_users_with_page_out_of_bounds_returns_422(
    client: {{ Client }}, params: dict[str, Any]
) -> None:
    response = {{ await }}client.get(USERS, params=params)

    assert response.status_code == 422


{{ async }}def test_update_user_changes_only_the_fields_given(
    client: {{ Client }}, user: dict[str, Any]
) -> None:
    response = {{ await }}client.patch(f"{USERS}/{user['id']}", json={"full_name": "Ada King"})

    assert response.status_code == 200
    assert response.json() == {**user, "full_name": "Ada King"}


{{ async }}def test_update_user_to_taken_email_returns_409(
    client: {{ Client }},
    user: dict[str, Any],
) -> None:
    other = {{ await }}client.post(USERS, json=NEW_USER)

    response = {{ await }}client.patch(f"{USERS}/{other.json()['id']}", json={"email": user["email"]})

    assert response.status_code == 409


@pytest.mark.parametrize("payload", [{"full_name": None}, {"email": None}, {"is_active": "maybe"}])
{{ async }}def test_update_user_with_invalid_field_returns_422(
    client: {{ Client }}, user: dict[str, Any], payload: dict[str, Any]
) -> None:
    response = {{ await }}client.patch(f"{USERS}/{user['id']}", json=payload)

    assert response.status_code == 422


{{ async }}def test_update_missing_user_returns_404(client: {{ Client }}) -> None:
    response = {{ await }}client.patch(f"{USERS}/999999", json={"full_name": "Nobody"})

    assert response.status_code == 404


{{ async }}def test_delete_user_returns_204_and_the_user_is_gone(
    client: {{ Client }}, user: dict[str, Any]
) -> None:
    response = {{ await }}client.delete(f"{USERS}/{user['id']}")

    assert response.status_code == 204
    gone = {{ await }}client.get(f"{USERS}/{user['id']}")
    assert gone.status_code == 404


{{ async }}def test_delete_missing_user_returns_404(client: {{ Client }}) -> None:
    response = {{ await }}client.delete(f"{USERS}/999999")

    assert response.status_code == 404
