"""Logins from one client at once, on new addresses, each get their answer: none is a 5xx."""
{% from "driver.jinja" import async, await, Client, Engine, Iterator, imports, async_imports, sync_imports with context %}
{{ imports("asyncio", "concurrent.futures") }}
from collections import Counter{{ async_imports("Iterator") }}
from collections.abc import Callable{{ sync_imports("Iterator") }}
from datetime import timedelta

import pytest
from fastapi import FastAPI
{{- imports("Client") }}
from sqlalchemy import delete
from sqlalchemy import insert
from sqlalchemy import select
{{- imports("Engine") }}

from {{ cookiecutter.package_name }}.column_types import utc_now
from {{ cookiecutter.package_name }}.models import Throttle

from accounts import CLIENT_ADDRESS
from accounts import TOKEN
from urls import USERS

PASSWORD = "Ada's own long passphrase"
# Sixteen logins at once, in rounds: twelve wrong ones on new addresses, four right ones.
ROUNDS = 2
WRONG, RIGHT = 12, 4
# Rows whose windows ended an hour ago, for the new addresses' rows to forget.
ENDED = 32
CLIENT_KEY = f"client-login:{CLIENT_ADDRESS}"
CLIENT_ROW = select(Throttle).where(Throttle.key == CLIENT_KEY)
# Seconds the other transaction holds it open: the logins reach the database meanwhile.
HELD = 0.5


@pytest.fixture
{{ async }}def committing(
    committing_app_with: Callable[..., FastAPI], client_of: Callable[[FastAPI], {{ Client }}]
) -> {{ Iterator }}[{{ Client }}]:
    """A client of the app whose transactions commit, sixteen at once."""
    app = committing_app_with(db_pool_size=WRONG + RIGHT, client_logins_per_minute=1000)
    {{ async }}with client_of(app) as client:
        yield client


{{ async }}def test_logins_at_once_from_one_client_all_count_and_none_fails(
    committing: {{ Client }}, engine: {{ Engine }}
) -> None:
    """ASVS 5 V2.4.1: attempts made at once are each counted, and each answered (no 503)."""
    signed_up = {{ await }}committing.post(
        USERS, json={"email": "ada@example.com", "full_name": "Ada", "password": PASSWORD}
    )
    assert signed_up.status_code == 201, signed_up.text
    ago = utc_now() - timedelta(hours=1)
    ended = [
        {"key": f"login:ended{number}@example.com", "window_ends_at": ago}
        for number in range(ENDED)
    ]
    {{ async }}with engine.begin() as connection:
        {{ await }}connection.execute(insert(Throttle), ended)

    {{ async }}def login(form: dict[str, str]) -> int:
        return ({{ await }}committing.post(TOKEN, data=form)).status_code

    answers: Counter[int] = Counter()
    for round_ in range(ROUNDS):
        # The client's row is new in each round, as after its minute ended and a new
        # address's row forgot it: every login of the round races to create it.
        {{ async }}with engine.begin() as connection:
            {{ await }}connection.execute(delete(Throttle).where(Throttle.key == CLIENT_KEY))
        forms = [
            {"username": f"new{round_}.{number}@example.com", "password": "not the password"}
            for number in range(WRONG)
        ] + [{"username": "ada@example.com", "password": PASSWORD}] * RIGHT
        # Meanwhile a transaction reads the missing row for update and writes nothing yet,
        # as the first of the racers would: it holds the window of the race open.
        {{ async }}with engine.connect() as other:
            {{ await }}other.begin()
            {{ await }}other.execute(CLIENT_ROW.with_for_update())
{% if cookiecutter.driver == "async" %}
            logins = asyncio.gather(*map(login, forms))
            await asyncio.sleep(HELD)
            await other.rollback()
            answers.update(await logins)
{% else %}
            with concurrent.futures.ThreadPoolExecutor(len(forms)) as callers:
                logins = [callers.submit(login, form) for form in forms]
                concurrent.futures.wait(logins, timeout=HELD)
                other.rollback()
                answers.update(future.result() for future in logins)
{% endif %}

    {{ async }}with engine.connect() as connection:
        rows = dict(({{ await }}connection.execute(select(Throttle.key, Throttle.attempts))).all())
    assert answers == {401: ROUNDS * WRONG, 200: ROUNDS * RIGHT}
    new = {key: attempts for key, attempts in rows.items() if key.startswith("login:new")}
    assert new == {f"login:new{r}.{n}@example.com": 1 for r in range(ROUNDS) for n in range(WRONG)}
    # The last round's logins, every one counted on the client's row.
    assert rows[CLIENT_KEY] == WRONG + RIGHT
    # Each new address's row forgot a few ended rows: none is left.
    assert [key for key in rows if key.startswith("login:ended")] == []
