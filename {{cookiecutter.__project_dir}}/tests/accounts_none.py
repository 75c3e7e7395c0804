"""Who calls the API: anyone, without credentials (the service sits behind a gateway)."""
{% from "driver.jinja" import async, await, Client, imports with context %}

from dataclasses import dataclass
from typing import Any

import pytest
{{- imports("Client") }}

from urls import USERS

# A user that the tests create through the API.
NEW_USER = {"email": "grace@example.com", "full_name": "Grace Hopper"}


@pytest.fixture(scope="session")
def auth_settings() -> dict[str, Any]:
    """Settings of authentication for the tests: there are none."""
    return {}


@pytest.fixture
def auth_headers() -> dict[str, str]:
    """Headers that authenticate a request: none are needed."""
    return {}


@pytest.fixture
def admin_headers() -> dict[str, str]:
    """Headers for a request that only an admin may make elsewhere: none are needed."""
    return {}


@pytest.fixture
{{ async }}def user(client: {{ Client }}) -> dict[str, Any]:
    """A user created through the API, as the API returned it."""
    ada = {"email": "ada@example.com", "full_name": "Ada Lovelace"}
    response = {{ await }}client.post(USERS, json=ada)
    assert response.status_code == 201, response.text
    return dict(response.json())


@pytest.fixture
def owner_id(user: dict[str, Any]) -> int:
    """The user who owns the items the tests create, named in each request."""
    return int(user["id"])


@dataclass(frozen=True)
class Crowd:
    """Many callers at once of an app whose writes commit, all with one admin's credentials."""

    user_id: int
    headers: dict[str, str]

    def sent(self, number: int) -> dict[tuple[str, str], dict[str, Any]]:
        """What caller `number` sends to the routes of users that take a body."""
        new_user = {"email": f"caller{number}@example.com", "full_name": f"Caller {number}"}
        return {("POST", USERS): {"json": new_user}}


@pytest.fixture
{{ async }}def crowd(pool_of_one: {{ Client }}) -> Crowd:
    """The user that test_pool's crowd acts on, created for real; no credentials are needed."""
    user = {"email": "crowd@example.com", "full_name": "Crowd"}
    response = {{ await }}pool_of_one.post(USERS, json=user)
    assert response.status_code == 201, response.text
    return Crowd(response.json()["id"], {})
