"""The item list is in id order whatever order the database happens to keep its rows in."""
{% from "driver.jinja" import async, await, Client, Connection, imports with context %}

from typing import Any
{{ imports("Client") }}
from sqlalchemy import insert
{{- imports("Connection") }}

from {{ cookiecutter.package_name }}.models import Item

from urls import ITEMS

# Far above the ids the other tests' rows get, and inserted highest first.
IDS = [900_003, 900_002, 900_001]


{{ async }}def test_the_list_is_in_id_order_not_insertion_order(
    client: {{ Client }},
    connection: {{ Connection }},
    auth_headers: dict[str, str],
    owner_id: int,
) -> None:
    rows: list[dict[str, Any]] = [
        {"id": item_id, "title": f"Item {item_id}", "status": "public", "owner_id": owner_id}
        for item_id in IDS
    ]
    for row in rows:
        {{ await }}connection.execute(insert(Item).values(**row))

    listed = {{ await }}client.get(ITEMS, headers=auth_headers)
    page = {{ await }}client.get(ITEMS, params={"limit": 1, "offset": 1}, headers=auth_headers)

    assert [item["id"] for item in listed.json()] == sorted(IDS)
    assert [item["id"] for item in page.json()] == [900_002]
