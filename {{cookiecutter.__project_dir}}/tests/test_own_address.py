"""An address is taken only by another account: sending one's own again is no conflict."""
{% from "driver.jinja" import async, await, Client, imports with context %}
{{ imports("Client") }}

from accounts import ME
from accounts import Account


{{ async }}def test_a_user_may_send_their_own_address_again(client: {{ Client }}, ada: Account) -> None:
    same = {"email": ada.email, "current_password": ada.password}

    response = {{ await }}client.patch(ME, json=same, headers=ada.headers)

    assert response.status_code == 200, response.text
    assert response.json()["email"] == ada.email
