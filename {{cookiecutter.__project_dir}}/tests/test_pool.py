"""A pool of one connection serves every route to many callers at once: no request holds two."""
{% from "driver.jinja" import async, await, Client, Iterator, imports, async_imports, sync_imports with context %}
{{ imports("asyncio") }}{{ async_imports("Iterator") }}
from collections.abc import Callable{{ sync_imports("Iterator", "ThreadPoolExecutor") }}
from typing import Any

import pytest
from fastapi import FastAPI
{{- imports("Client") }}

from accounts import Crowd

CALLERS = 8
# Writes go last, and the deletions of users at the very end: the callers' account goes then.
ORDER = {"GET": 0, "POST": 1, "PATCH": 2, "DELETE": 3}


@pytest.fixture
def app_of_one(committing_app_with: Callable[..., FastAPI]) -> FastAPI:
    """The app on a pool of one connection, whose transactions commit."""
    # A request that waited DB_POOL_TIMEOUT for a connection would answer 503.
    return committing_app_with(db_pool_size=1, db_max_overflow=0, db_pool_timeout=5)


@pytest.fixture
{{ async }}def pool_of_one(
    app_of_one: FastAPI, client_of: Callable[[FastAPI], {{ Client }}]
) -> {{ Iterator }}[{{ Client }}]:
    """A client of `app_of_one`."""
    {{ async }}with client_of(app_of_one) as client:
        yield client


def routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every route the app describes, as (method, path): reads first, users' deletions last."""
    found = [
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    ]
    return sorted(found, key=lambda call: (ORDER[call[0]], "/users" in call[1], call))


def sent_to_items(number: int, owner_id: int) -> dict[tuple[str, str], dict[str, Any]]:
    """What caller `number` sends to the routes of items and users that take a body."""
    return {
        ("POST", "/api/v1/items"): {"json": {"title": f"Crowd {number}", "owner_id": owner_id}},
        ("PATCH", "/api/v1/items/{item_id}"): {"json": {"description": f"By caller {number}"}},
        ("PATCH", "/api/v1/users/{user_id}"): {"json": {"full_name": f"Caller {number}"}},
    }


{{ async }}def test_every_route_answers_eight_callers_at_once_on_a_pool_of_one(
    app_of_one: FastAPI, pool_of_one: {{ Client }}, crowd: Crowd
) -> None:
    item = {{ await }}pool_of_one.post(
        "/api/v1/items", json={"title": "Shared", "owner_id": crowd.user_id}, headers=crowd.headers
    )
    assert item.status_code == 201, item.text
    calls = routes(app_of_one)
    answered: dict[tuple[str, str], list[int]] = {}

    for method, path in calls:
        url = path.format(user_id=crowd.user_id, item_id=item.json()["id"])

        {{ async }}def call(number: int, method: str = method, path: str = path, url: str = url) -> int:
            sent = (sent_to_items(number, crowd.user_id) | crowd.sent(number)).get((method, path))
            response = {{ await }}pool_of_one.request(method, url, headers=crowd.headers, **(sent or {}))
            return response.status_code

{% if cookiecutter.driver == "async" %}
        answered[method, path] = list(await asyncio.gather(*map(call, range(CALLERS))))
{% else %}
        with ThreadPoolExecutor(CALLERS) as callers:
            answered[method, path] = list(callers.map(call, range(CALLERS)))
{% endif %}

    failed = {call: codes for call, codes in answered.items() if max(codes) >= 500}
    assert failed == {}
    assert len(answered) >= 10
