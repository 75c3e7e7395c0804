{% from "driver.jinja" import async, await, Client, Connection with context %}
"""Two first requests of one person at once: the second to record them goes on with the first's."""

{% if cookiecutter.driver == "async" %}
from httpx2 import AsyncClient
{% else %}
from fastapi.testclient import TestClient
{% endif %}
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.{{ "ext.asyncio" if cookiecutter.driver == "async" else "engine" }} import {{ Connection }}

from {{ cookiecutter.package_name }}.models import User

from accounts import IdentityProviderServer
from races import inserted_meanwhile

ME = "/api/v1/users/me"
SUBJECT = "lovelace"


{{ async }}def test_a_first_request_goes_on_as_the_user_another_request_recorded_meanwhile(
    client: {{ Client }}, connection: {{ Connection }}, identity_provider: IdentityProviderServer
) -> None:
    token = identity_provider.token(SUBJECT, email="ada@example.com", name="Ada Lovelace")
    other = {SUBJECT: {"subject": SUBJECT, "email": "ada@example.com", "full_name": "Ada"}}
    with inserted_meanwhile(User, other):
        response = {{ await }}client.get(ME, headers={"Authorization": f"Bearer {token}"})

    assert not other  # the race was run
    assert response.status_code == 200, response.text
    # The row the other request recorded, not a second one.
    assert response.json()["full_name"] == "Ada"
    recorded = select(func.count()).select_from(User).where(User.subject == SUBJECT)
    assert ({{ await }}connection.execute(recorded)).scalar_one() == 1
