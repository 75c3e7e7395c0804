"""Changing one's password or address: it counts as a login; its events never hold the values."""
{% from "driver.jinja" import async, await, Client, imports with context %}

import logging
from collections.abc import Callable

import pytest
{{- imports("Client") }}

from {{ cookiecutter.package_name }}.logs import NOT_LOGGED

from accounts import CLIENT_ADDRESS
from accounts import ME
from accounts import TOKEN
from accounts import Account

NEW_PASSWORD = "a brand new passphrase"
NEW_EMAIL = "ada.byron@example.com"
# Fields every log line of a request carries: its ids.
REQUEST_IDS = {"request_id"{{ ', "trace_id", "span_id"' if cookiecutter.include_tracing else '' }}}


{{ async }}def test_a_change_with_the_right_current_password_clears_the_failures_as_a_login_does(
    client_with: Callable[..., {{ Client }}], ada: Account
) -> None:
    {{ async }}with client_with(login_max_failures=2) as strict:
        wrong = {"password": NEW_PASSWORD, "current_password": "not-it"}
        failed = {{ await }}strict.patch(ME, json=wrong, headers=ada.headers)
        # The second attempt reaches the limit; being right, it clears the count and the lock.
        right = {"password": NEW_PASSWORD, "current_password": ada.password}
        changed = {{ await }}strict.patch(ME, json=right, headers=ada.headers)
        login = {{ await }}strict.post(TOKEN, data={"username": ada.email, "password": NEW_PASSWORD})

    assert (failed.status_code, changed.status_code) == (403, 200)
    assert login.status_code == 200, login.text


{{ async }}def test_the_events_of_a_new_password_or_address_never_hold_it(
    client: {{ Client }}, ada: Account, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        # The address first: a new password ends the token.
        for change in ({"email": NEW_EMAIL}, {"password": NEW_PASSWORD}):
            response = {{ await }}client.patch(
                ME, json={**change, "current_password": ada.password}, headers=ada.headers
            )
            assert response.status_code == 200, response.text

    # What the JSON log line of each event carries, besides the fields every line has.
    logged = [
        {
            name: value
            for name, value in vars(record).items()
            if name not in NOT_LOGGED and name not in REQUEST_IDS
        }
        for record in caplog.records
        if "event" in vars(record)
    ]
    said = {"user_id": ada.id, "client": CLIENT_ADDRESS, "by": ada.id}
    assert logged == [{"event": "email_changed", **said}, {"event": "password_changed", **said}]
