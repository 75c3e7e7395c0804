"""A client's sign-ups past its limit are a warning, under the action's name and the client's."""
{% from "driver.jinja" import async, await, Client, Connection, Iterator, imports, async_imports, sync_imports with context %}

import logging
{{- async_imports("Iterator") }}
from collections.abc import Callable
{{- sync_imports("Iterator") }}

import pytest
{{- imports("Client") }}
from sqlalchemy import delete
{{- imports("Connection") }}

from {{ cookiecutter.package_name }}.models import Throttle

from accounts import CLIENT_ADDRESS
from urls import USERS


def new_user(name: str) -> dict[str, str]:
    """A sign-up's body."""
    return {
        "email": f"{name}@example.com",
        "full_name": name.title(),
        "password": f"{name} signs up",
    }


@pytest.fixture
{{ async }}def one_sign_up_an_hour(
    client_with: Callable[..., {{ Client }}], connection: {{ Connection }}
) -> {{ Iterator }}[{{ Client }}]:
    """A client of an app that takes one sign-up an hour from a client, none counted yet."""
    {{ await }}connection.execute(delete(Throttle))
    {{ async }}with client_with(client_signups_per_hour=1) as client:
        yield client


{{ async }}def test_a_sign_up_past_the_clients_limit_is_a_warning_naming_the_action_and_client(
    one_sign_up_an_hour: {{ Client }}, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        first = {{ await }}one_sign_up_an_hour.post(USERS, json=new_user("eve"))
        over = {{ await }}one_sign_up_an_hour.post(USERS, json=new_user("mallory"))

    assert (first.status_code, over.status_code) == (201, 429)
    limited = [
        (record.levelname, vars(record)["event"], vars(record)["client"])
        for record in caplog.records
        if vars(record).get("limited")
    ]
    assert limited == [("WARNING", "client-signup", CLIENT_ADDRESS)]
