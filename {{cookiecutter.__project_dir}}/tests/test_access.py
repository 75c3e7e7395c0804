"""Who may do what, with accounts of either kind: anonymous callers, users and admins."""
{% from "driver.jinja" import async, await, Client, imports with context %}

import pytest
{{- imports("Client") }}

from accounts import ME
from accounts import Account
from urls import ITEMS
from urls import USERS


@pytest.fixture
def headers_of(ada: Account, grace: Account, admin: Account) -> dict[str, dict[str, str]]:
    """What each caller of these tests sends: a user's token, an admin's, or nothing."""
    return {"ada": ada.headers, "grace": grace.headers, "admin": admin.headers, "anonymous": {}}


{{ async }}def test_list_users_is_for_admins(client: {{ Client }}, ada: Account, admin: Account) -> None:
    anonymous = {{ await }}client.get(USERS)
    by_user = {{ await }}client.get(USERS, headers=ada.headers)
    by_admin = {{ await }}client.get(USERS, headers=admin.headers)

    assert anonymous.status_code == 401
    assert by_user.status_code == 403
    assert by_admin.status_code == 200
    assert [user["email"] for user in by_admin.json()] == ["ada@example.com", "root@example.com"]


{{ async }}def test_me_without_a_token_returns_401(client: {{ Client }}) -> None:
    response = {{ await }}client.get(ME)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("caller", "target", "expected"),
    [
        ("ada", "ada", 200),
        ("ada", "grace", 403),
        ("admin", "grace", 200),
        ("anonymous", "grace", 401),
    ],
)
{{ async }}def test_reading_a_user_is_for_themself_and_admins(
    client: {{ Client }},
    headers_of: dict[str, dict[str, str]],
    ada: Account,
    grace: Account,
    caller: str,
    target: str,
    expected: int,
) -> None:
    target_id = {"ada": ada.id, "grace": grace.id}[target]

    response = {{ await }}client.get(f"{USERS}/{target_id}", headers=headers_of[caller])

    assert response.status_code == expected


@pytest.mark.parametrize(("caller", "expected"), [("ada", 403), ("admin", 404), ("anonymous", 401)])
{{ async }}def test_a_user_that_does_not_exist_is_404_for_admins_only(
    client: {{ Client }}, headers_of: dict[str, dict[str, str]], caller: str, expected: int
) -> None:
    response = {{ await }}client.get(f"{USERS}/999999", headers=headers_of[caller])

    assert response.status_code == expected


@pytest.mark.parametrize(("caller", "expected"), [("grace", 403), ("ada", 204), ("admin", 204)])
{{ async }}def test_deleting_a_user_is_for_themself_and_admins(
    client: {{ Client }},
    headers_of: dict[str, dict[str, str]],
    ada: Account,
    caller: str,
    expected: int,
) -> None:
    response = {{ await }}client.delete(f"{USERS}/{ada.id}", headers=headers_of[caller])

    assert response.status_code == expected
    still_there = {{ await }}client.get(f"{USERS}/{ada.id}", headers=headers_of["admin"])
    assert still_there.status_code == (200 if expected == 403 else 404)


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
