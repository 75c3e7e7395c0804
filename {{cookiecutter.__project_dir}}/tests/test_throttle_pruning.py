"""Only a new key's row forgets ended windows: other attempts delete none."""
{% from "driver.jinja" import async, await, Client, Connection, imports with context %}

from collections.abc import Callable
from datetime import timedelta
{{ imports("Client") }}
from sqlalchemy import delete
from sqlalchemy import insert
from sqlalchemy import select
{{- imports("Connection") }}

from {{ cookiecutter.package_name }}.attempts import PRUNE_BATCH
from {{ cookiecutter.package_name }}.column_types import utc_now
from {{ cookiecutter.package_name }}.models import Throttle

from accounts import TOKEN

WRONG_LOGIN = {"username": "ada@example.com", "password": "not anybody's password"}


{{ async }}def test_an_attempt_under_keys_already_counted_forgets_no_ended_window(
    client_with: Callable[..., {{ Client }}], connection: {{ Connection }}
) -> None:
    {{ await }}connection.execute(delete(Throttle))
    ended = {f"login:ended{number}@example.com" for number in range(PRUNE_BATCH)}
    ago = utc_now() - timedelta(hours=1)
    rows = [{"key": key, "attempts": 1, "window_ends_at": ago, "lockouts": 0} for key in ended]
    {{ async }}with client_with() as client:
        # The address's row and the client's are made, before any window has ended.
        {{ await }}client.post(TOKEN, data=WRONG_LOGIN)
        {{ await }}connection.execute(insert(Throttle), rows)

        again = {{ await }}client.post(TOKEN, data=WRONG_LOGIN)
        kept = set(({{ await }}connection.scalars(select(Throttle.key))).all())

    assert again.status_code == 401
    assert kept >= ended
