"""Prometheus metrics: requests by route template, 503s by cause, waits, and the off switch."""
{% from "driver.jinja" import async, await, Client, imports with context %}

import re
from collections.abc import Callable

import anyio
import pytest
{{- imports("Client") }}
from prometheus_client import REGISTRY
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from {{ cookiecutter.package_name }}.db import Database
from {{ cookiecutter.package_name }}.db import connect
from {{ cookiecutter.package_name }}.settings import Settings


def sample(exposition: str, name: str, **labels: str) -> float:
    """The value of one series in Prometheus' text format, 0 if it is not there yet."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    series = re.escape(name + "{" + wanted + "}")
    found = re.search(rf"^{series} (\S+)$", exposition, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


{{ async }}def test_requests_are_counted_by_route_template_and_status(client: {{ Client }}) -> None:
    before = ({{ await }}client.get("/metrics")).text
    {{ await }}client.get("/health")
    missing = {{ await }}client.get("/api/v1/items/12345")
    after = ({{ await }}client.get("/metrics")).text

    health = {"method": "GET", "route": "/health", "status": "200"}
    counted = sample(after, "http_requests_total", **health)
    assert counted == sample(before, "http_requests_total", **health) + 1
    item = {"method": "GET", "route": "/api/v1/items/{item_id}", "status": str(missing.status_code)}
    assert sample(after, "http_requests_total", **item) >= 1
    # One series per route, whatever the ids asked for. (Not the bare id: a sample's
    # timestamp may hold those digits.)
    assert "/api/v1/items/12345" not in after


{{ async }}def test_503s_are_counted_by_cause(unreachable_client: {{ Client }}) -> None:
    before = ({{ await }}unreachable_client.get("/metrics")).text
    unavailable = {{ await }}unreachable_client.get("/health/db")
    after = ({{ await }}unreachable_client.get("/metrics")).text

    assert unavailable.status_code == 503
    cause = {"cause": "database"}
    counted = sample(after, "http_unavailable_total", **cause)
    assert counted == sample(before, "http_unavailable_total", **cause) + 1


{{ async }}def test_metrics_can_be_switched_off(client_with: Callable[..., {{ Client }}]) -> None:
    {{ async }}with client_with(metrics_enabled=False) as client:
        response = {{ await }}client.get("/metrics")

    assert response.status_code == 404


def test_a_request_that_finds_every_connection_taken_counts_as_a_wait(settings: Settings) -> None:
    one_connection = {"db_pool_size": 1, "db_max_overflow": 0, "db_pool_timeout": 0.1}
    database = connect(settings.model_copy(update=one_connection))
    waits_before = REGISTRY.get_sample_value("db_pool_waits_total") or 0.0

    anyio.run(take_turns, database)

    # Only the request that found the connection taken waited.
    assert REGISTRY.get_sample_value("db_pool_waits_total") == waits_before + 1


async def take_turns(database: Database) -> None:
    """Two requests at once on a pool of one connection, then one alone."""
    async with database.turn():
        # The second waits its turn, and gives up after DB_POOL_TIMEOUT.
        with pytest.raises(PoolTimeoutError):
            async with database.turn():
                pass
    async with database.turn():
        pass
    {{ await }}database.engine.dispose()
