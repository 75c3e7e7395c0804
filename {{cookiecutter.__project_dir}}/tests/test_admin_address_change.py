"""An admin changes addresses without the look-up a user's change makes: the database refuses."""
{% from "driver.jinja" import async, await, Client, imports with context %}
{{ imports("Client") }}

from accounts import Account
from urls import USERS


{{ async }}def test_an_admin_giving_a_user_another_users_address_gets_409(
    client: {{ Client }}, admin: Account, ada: Account, grace: Account
) -> None:
    taken = {"email": grace.email}

    response = {{ await }}client.patch(f"{USERS}/{ada.id}", json=taken, headers=admin.headers)
    unchanged = {{ await }}client.get(f"{USERS}/{ada.id}", headers=admin.headers)

    assert (response.status_code, response.json()) == (
        409,
        {"detail": "Another user has this e-mail address."},
    )
    assert unchanged.json()["email"] == ada.email
