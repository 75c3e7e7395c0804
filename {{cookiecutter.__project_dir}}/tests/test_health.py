"""Health checks: the service alone, and the service with its database."""
{% from "driver.jinja" import async, await, Client, imports with context %}

from collections.abc import Callable

import pytest
from fastapi import FastAPI
{{- imports("Client") }}


@pytest.mark.parametrize("path", ["/health", "/health/db"])
{{ async }}def test_health_and_health_db_return_ok_when_the_database_answers(
    client: {{ Client }}, path: str
) -> None:
    response = {{ await }}client.get(path)

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


{{ async }}def test_only_health_db_returns_503_when_the_database_is_unreachable(
    unreachable_client: {{ Client }},
) -> None:
    db = {{ await }}unreachable_client.get("/health/db")
    alone = {{ await }}unreachable_client.get("/health")

    assert db.status_code == 503
    assert db.headers["retry-after"] == "5"
    # The answer says what is wrong, and nothing of how the database is reached.
    assert db.json() == {"detail": "The database is unavailable; try again shortly."}
    # The service alone stays healthy.
    assert (alone.status_code, alone.json()) == (200, {"status": "ok"})


{{ async }}def test_health_db_returns_503_while_the_service_drains(
    app_with: Callable[..., FastAPI], client_of: Callable[[FastAPI], {{ Client }}]
) -> None:
    app = app_with()
    # As `serve` does on SIGTERM: the load balancer is told to send no more.
    app.state.draining = True
    {{ async }}with client_of(app) as client:
        drain = {{ await }}client.get("/health/db")
        alive = {{ await }}client.get("/health")

    assert drain.status_code == 503
    assert drain.json() == {"detail": "The service is stopping."}
    assert alive.status_code == 200
