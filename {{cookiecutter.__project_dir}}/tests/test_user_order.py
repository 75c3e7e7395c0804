{% from "driver.jinja" import async, await, Client, Connection, Iterator with context %}
"""The user list is in id order whatever order the database happens to read its rows in."""

{% if cookiecutter.database == "sqlite" %}
from collections.abc import {{ Iterator }}

import pytest
{% endif %}
{% if cookiecutter.driver == "async" %}
from httpx2 import AsyncClient
{% else %}
from fastapi.testclient import TestClient
{% endif %}
{% if cookiecutter.database == "sqlite" %}
from sqlalchemy.{{ "ext.asyncio" if cookiecutter.driver == "async" else "engine" }} import {{ Connection }}
{% endif %}

from accounts import Account
from urls import USERS
{% if cookiecutter.database == "sqlite" %}


@pytest.fixture(autouse=True)
{{ async }}def _unordered_reads_reversed(connection: {{ Connection }}) -> {{ Iterator }}[None]:
    # SQLite reads a table in rowid (id) order; this makes a read without ORDER BY come backwards.
    {{ await }}connection.exec_driver_sql("PRAGMA reverse_unordered_selects = ON")
    yield
    {{ await }}connection.exec_driver_sql("PRAGMA reverse_unordered_selects = OFF")
{% endif %}


{{ async }}def test_the_list_is_in_id_order_not_the_order_rows_are_stored_in(
    client: {{ Client }}, admin: Account, ada: Account
) -> None:
    # A changed row is written anew after the others, where a table's rows are in a heap
    # (PostgreSQL): a read without ORDER BY would now find the admin after Ada.
    renamed = {{ await }}client.patch(
        f"{USERS}/me", json={"full_name": "Admiral Renamed"}, headers=admin.headers
    )
    assert renamed.status_code == 200, renamed.text

    listed = {{ await }}client.get(USERS, headers=admin.headers)
    first = {{ await }}client.get(USERS, params={"limit": 1}, headers=admin.headers)
    second = {{ await }}client.get(USERS, params={"limit": 1, "offset": 1}, headers=admin.headers)

    assert [user["id"] for user in listed.json()] == sorted([admin.id, ada.id])
    assert [user["id"] for user in first.json()] == [min(admin.id, ada.id)]
    assert [user["id"] for user in second.json()] == [max(admin.id, ada.id)]
