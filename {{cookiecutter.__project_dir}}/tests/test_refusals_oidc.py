{% from "driver.jinja" import async, await, Client, Connection with context %}
"""Refused tokens, and the valid ones of deactivated people: each said why, and logged."""

import logging

import pytest
{% if cookiecutter.driver == "async" %}
from httpx2 import AsyncClient
{% else %}
from fastapi.testclient import TestClient
{% endif %}
from prometheus_client import REGISTRY
from sqlalchemy import update
from sqlalchemy.{{ "ext.asyncio" if cookiecutter.driver == "async" else "engine" }} import {{ Connection }}

from {{ cookiecutter.package_name }}.models import User

from accounts import Account
from accounts import IdentityProviderServer

ITEMS = "/api/v1/items"
# The address the test client calls from.
CLIENT_ADDRESS = "{{ "127.0.0.1" if cookiecutter.driver == "async" else "testclient" }}"


{{ async }}def test_a_deactivated_account_is_refused_with_why_and_each_refusal_logged(
    client: {{ Client }},
    connection: {{ Connection }},
    ada: Account,
    caplog: pytest.LogCaptureFixture,
) -> None:
    {{ await }}connection.execute(update(User).where(User.id == ada.id).values(is_active=False))

    with caplog.at_level(logging.INFO):
        # A route that only reads, and one that records the caller.
        read = {{ await }}client.get(ITEMS, headers=ada.headers)
        own = {{ await }}client.get("/api/v1/users/me", headers=ada.headers)

    refusal = (403, {"detail": "This account is deactivated."})
    assert (read.status_code, read.json()) == refusal
    assert (own.status_code, own.json()) == refusal
    events = [
        (vars(record)["event"], vars(record)["user_id"], vars(record)["client"])
        for record in caplog.records
        if "event" in vars(record)
    ]
    assert events == [("deactivated_account_refused", ada.id, CLIENT_ADDRESS)] * 2


{{ async }}def test_a_refused_token_is_a_warning_with_the_client(
    client: {{ Client }}, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        response = {{ await }}client.get(ITEMS, headers={"Authorization": "Bearer not.a.token"})

    assert (response.status_code, response.json()) == (
        401,
        {"detail": "The token is invalid or has expired."},
    )
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    events = [
        (record.levelname, vars(record)["event"], vars(record)["user_id"], vars(record)["client"])
        for record in caplog.records
        if "event" in vars(record)
    ]
    assert events == [("WARNING", "token_refused", None, CLIENT_ADDRESS)]


{{ async }}def test_an_unreachable_provider_is_a_503_to_retry_counted_by_its_cause(
    client: {{ Client }}, identity_provider: IdentityProviderServer
) -> None:
    identity_provider.available = False
    headers = {"Authorization": f"Bearer {identity_provider.token('ada')}"}
    cause = {"cause": "identity_provider"}
    before = REGISTRY.get_sample_value("http_unavailable_total", cause) or 0.0

    response = {{ await }}client.get(ITEMS, headers=headers)

    assert (response.status_code, response.json()) == (
        503,
        {"detail": "The identity provider is unavailable; try again shortly."},
    )
    assert int(response.headers["retry-after"]) > 0
    assert REGISTRY.get_sample_value("http_unavailable_total", cause) == before + 1
