{% from "driver.jinja" import async, await, Client with context %}
"""Who calls the API: anyone, without credentials (the service sits behind a gateway)."""

from typing import Any

import pytest
{% if cookiecutter.driver == "async" %}
from httpx2 import AsyncClient
{% else %}
from fastapi.testclient import TestClient
{% endif %}


@pytest.fixture(scope="session")
def auth_settings() -> dict[str, Any]:
    """Settings of authentication for the tests: there are none."""
    return {}


@pytest.fixture
def auth_headers() -> dict[str, str]:
    """Headers that authenticate a request: none are needed."""
    return {}


@pytest.fixture
{{ async }}def user(client: {{ Client }}) -> dict[str, Any]:
    """A user created through the API, as the API returned it."""
    response = {{ await }}client.post(
        "/api/v1/users", json={"email": "ada@example.com", "full_name": "Ada Lovelace"}
    )
    assert response.status_code == 201, response.text
    return dict(response.json())
