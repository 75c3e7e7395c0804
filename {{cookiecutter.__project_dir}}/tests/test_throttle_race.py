{% from "driver.jinja" import async, await, Client with context %}
"""Two first attempts under one key at once: the second to create its row counts on the first's."""

from collections.abc import Callable
from datetime import timedelta

{% if cookiecutter.driver == "async" %}
from httpx2 import AsyncClient
{% else %}
from fastapi.testclient import TestClient
{% endif %}

from {{ cookiecutter.package_name }}.column_types import utc_now
from {{ cookiecutter.package_name }}.models import Throttle

from accounts import Account
from races import inserted_meanwhile

TOKEN = "/api/v1/auth/token"


{{ async }}def test_a_failed_login_is_counted_on_the_row_another_request_created_meanwhile(
    client_with: Callable[..., {{ Client }}], ada: Account
) -> None:
    # The other request was a failed login too: one more failure locks the address. Its row
    # is remembered for a while yet (an address quiet past its window starts afresh).
    key = f"login:{ada.email}"
    remembered = utc_now() + timedelta(minutes=15)
    other = {key: {"key": key, "attempts": 2, "window_ends_at": remembered, "lockouts": 0}}
    {{ async }}with client_with(login_max_failures=3) as strict:
        with inserted_meanwhile(Throttle, other):
            failed = {{ await }}strict.post(TOKEN, data={"username": ada.email, "password": "wrong"})
        then = {{ await }}strict.post(TOKEN, data={"username": ada.email, "password": ada.password})

    assert not other  # the race was run
    assert failed.status_code == 401
    assert then.status_code == 429
