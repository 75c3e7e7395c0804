"""What the error answers say: each names what went wrong, and the id the client sent."""
{% from "driver.jinja" import async, await, Client, imports with context %}
{{ imports("Client") }}

from urls import ITEMS
from urls import USERS

UNKNOWN_ID = 899_999


{{ async }}def test_an_item_or_user_that_does_not_exist_is_named_in_the_404(
    client: {{ Client }}, admin_headers: dict[str, str]
) -> None:
    item = {{ await }}client.get(f"{ITEMS}/{UNKNOWN_ID}", headers=admin_headers)
    renamed = {"title": "X"}
    changed = {{ await }}client.patch(f"{ITEMS}/{UNKNOWN_ID}", json=renamed, headers=admin_headers)
    user = {{ await }}client.get(f"{USERS}/{UNKNOWN_ID}", headers=admin_headers)

    missing_item = {"detail": f"Item {UNKNOWN_ID} not found."}
    assert (item.status_code, item.json()) == (404, missing_item)
    assert (changed.status_code, changed.json()) == (404, missing_item)
    assert (user.status_code, user.json()) == (404, {"detail": f"User {UNKNOWN_ID} not found."})


{{ async }}def test_an_item_for_an_unknown_owner_gets_a_422_naming_the_owner(
    client: {{ Client }}, admin_headers: dict[str, str]
) -> None:
    orphan = {"title": "Orphan", "owner_id": UNKNOWN_ID}

    response = {{ await }}client.post(ITEMS, json=orphan, headers=admin_headers)

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
