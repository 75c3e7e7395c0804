"""A flood of sign-ups waits for the password hasher, never while holding a pool connection."""
{% from "driver.jinja" import async, await, Client, Iterator, imports, async_imports, sync_imports with context %}
{{ imports("asyncio", "concurrent.futures") }}
from collections import Counter{{ async_imports("Iterator") }}
from collections.abc import Callable{{ sync_imports("Iterator") }}

import pytest
from fastapi import FastAPI
{{- imports("Client") }}

from accounts import ME
from accounts import logged_in
from urls import USERS

PASSWORD = "Ada's own long passphrase"
SIGN_UPS, READS = 4, 4
# Half a second or more a hash, one at a time: the four take twice as long as a request may
# wait for a connection. A sign-up that held its connection through the queue for the hasher
# would leave the ones behind it, and every other request, waiting past that.
SLOW_HASHES = {
    "password_hash_time_cost": 8,
    "password_hash_memory_kib": 65536,
    "password_hash_concurrency": 1,
}
POOL_OF_ONE = {"db_pool_size": 1, "db_max_overflow": 0, "db_pool_timeout": 1.0}


@pytest.fixture
{{ async }}def pool_of_one(
    committing_app_with: Callable[..., FastAPI], client_of: Callable[[FastAPI], {{ Client }}]
) -> {{ Iterator }}[{{ Client }}]:
    """A client of an app on one connection with slow hashes, whose transactions commit."""
    {{ async }}with client_of(committing_app_with(**SLOW_HASHES, **POOL_OF_ONE)) as client:
        yield client


{{ async }}def test_sign_ups_at_once_wait_for_the_hasher_without_holding_a_connection(
    pool_of_one: {{ Client }},
) -> None:
    """ASVS 5 V15.2.2: anonymous sign-ups at once cannot starve the pool (no 503 for anyone)."""
    ada = {"email": "ada@example.com", "full_name": "Ada", "password": PASSWORD}
    assert ({{ await }}pool_of_one.post(USERS, json=ada)).status_code == 201
    headers = {{ await }}logged_in(pool_of_one, ada["email"], PASSWORD)

    {{ async }}def sign_up(number: int) -> int:
        user = {"email": f"new{number}@example.com", "full_name": "New", "password": PASSWORD}
        return ({{ await }}pool_of_one.post(USERS, json=user)).status_code

    {{ async }}def read_me(_: int) -> int:
        return ({{ await }}pool_of_one.get(ME, headers=headers)).status_code

    answers: Counter[tuple[str, int]] = Counter()
{% if cookiecutter.driver == "async" %}
    sign_ups = asyncio.gather(*map(sign_up, range(SIGN_UPS)))
    reads = asyncio.gather(*map(read_me, range(READS)))
    answers.update(("sign-up", code) for code in await sign_ups)
    answers.update(("read", code) for code in await reads)
{% else %}
    with concurrent.futures.ThreadPoolExecutor(SIGN_UPS + READS) as callers:
        sign_ups = callers.map(sign_up, range(SIGN_UPS))
        reads = callers.map(read_me, range(READS))
        answers.update(("sign-up", code) for code in sign_ups)
        answers.update(("read", code) for code in reads)
{% endif %}
    assert answers == {("sign-up", 201): SIGN_UPS, ("read", 200): READS}
