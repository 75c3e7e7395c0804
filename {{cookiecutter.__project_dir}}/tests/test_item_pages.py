"""Pages of the item list: cut from what the caller may see, whether one is an admin or not."""
{% from "driver.jinja" import async, await, Client, imports with context %}

import pytest
{{- imports("Client") }}

from accounts import Account
from urls import ITEMS

# Created in this order, so in this id order: (owner, title, status).
MADE = [
    ("grace", "g1", "private"),
    ("grace", "g2", "public"),
    ("ada", "a1", "private"),
    ("grace", "g3", "private"),
    ("ada", "a2", "public"),
    ("grace", "g4", "public"),
]


@pytest.mark.parametrize(
    ("caller", "limit", "offset", "titles"),
    [
        # Ada sees g2, a1, a2, g4: the page is cut from those, never from all the items.
        ("ada", 2, 1, ["a1", "a2"]),
        ("ada", 50, 3, ["g4"]),
        ("ada", 50, 4, []),
        ("admin", 2, 3, ["g3", "a2"]),
        ("admin", 50, 6, []),
    ],
)
{{ async }}def test_a_page_is_cut_from_the_items_the_caller_may_see_in_id_order(
    client: {{ Client }},
    ada: Account,
    grace: Account,
    admin: Account,
    caller: str,
    limit: int,
    offset: int,
    titles: list[str],
) -> None:
    owners = {"ada": ada, "grace": grace}
    for owner, title, status in MADE:
        item = {"title": title, "status": status}
        created = {{ await }}client.post(ITEMS, json=item, headers=owners[owner].headers)
        assert created.status_code == 201, created.text
    headers = {"ada": ada, "admin": admin}[caller].headers

    page = {{ await }}client.get(ITEMS, params={"limit": limit, "offset": offset}, headers=headers)

    assert page.status_code == 200, page.text
    assert [item["title"] for item in page.json()] == titles


{{ async }}def test_a_caller_who_may_see_no_item_gets_an_empty_page(
    client: {{ Client }}, ada: Account, grace: Account
) -> None:
    created = {{ await }}client.post(ITEMS, json={"title": "Hers"}, headers=grace.headers)
    assert created.status_code == 201, created.text

    page = {{ await }}client.get(ITEMS, headers=ada.headers)

    assert (page.status_code, page.json()) == (200, [])
