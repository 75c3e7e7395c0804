{% from "driver.jinja" import async, await, Client, Connection with context %}
"""Before their first write, a person is not recorded: they see what is public, an admin all."""

{% if cookiecutter.driver == "async" %}
from httpx2 import AsyncClient
{% else %}
from fastapi.testclient import TestClient
{% endif %}
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.{{ "ext.asyncio" if cookiecutter.driver == "async" else "engine" }} import {{ Connection }}

from {{ cookiecutter.package_name }}.models import User

from accounts import ADMIN_ROLE
from accounts import Account
from accounts import IdentityProviderServer

ITEMS = "/api/v1/items"


{{ async }}def test_people_not_recorded_yet_read_what_is_public_or_as_admins_everything(
    client: {{ Client }},
    connection: {{ Connection }},
    identity_provider: IdentityProviderServer,
    ada: Account,
) -> None:
    ids = {}
    for status in ("public", "private"):
        item = {"title": f"Ada's {status} item", "status": status}
        created = {{ await }}client.post(ITEMS, json=item, headers=ada.headers)
        assert created.status_code == 201, created.text
        ids[status] = created.json()["id"]
    newcomer = {"Authorization": f"Bearer {identity_provider.token('newcomer')}"}
    new_admin_token = identity_provider.token("new-admin", roles=(ADMIN_ROLE,))
    new_admin = {"Authorization": f"Bearer {new_admin_token}"}

    listed = {{ await }}client.get(ITEMS, headers=newcomer)
    private = {{ await }}client.get(f"{ITEMS}/{ids['private']}", headers=newcomer)
    listed_by_admin = {{ await }}client.get(ITEMS, headers=new_admin)
    private_by_admin = {{ await }}client.get(f"{ITEMS}/{ids['private']}", headers=new_admin)

    assert [item["id"] for item in listed.json()] == [ids["public"]]
    assert private.status_code == 404
    assert [item["id"] for item in listed_by_admin.json()] == sorted(ids.values())
    assert private_by_admin.status_code == 200
    # Reads record no one.
    recorded = select(func.count()).select_from(User).where(User.subject != "ada")
    assert ({{ await }}connection.execute(recorded)).scalar_one() == 0
