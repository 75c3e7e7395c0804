"""The baked service run for real under faults, load and hostile input: no 500s, nothing lost.

Each test starts the service with uvicorn on a free loopback port against a real
database server, and talks to it over HTTP with real credentials (the default answer,
`auth=password`: accounts signed up through the API, tokens from its login route).
Every loop is bounded in count and in time; timings are reported, never asserted.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import create_engine
from sqlalchemy import text

from harness.combinations import COMBINATIONS
from harness.combinations import DEFAULT_PYTHON
from harness.combinations import FULL_CYCLE
from harness.combinations import parametrize_combinations
from harness.identities import PASSWORD
from harness.identities import Callers
from harness.projects import Baked
from harness.projects import explain
from harness.projects import project_env
from harness.servers import DatabaseFactory
from harness.servers import DatabaseServer
from harness.services import Service
from harness.services import serving_baked

pytestmark = pytest.mark.live

# Every database x driver pair, with the other answers at their defaults.
LIVE = [
    c
    for c in COMBINATIONS
    if c.auth == "password" and c.python_version == DEFAULT_PYTHON and c.include_docker
    and c.include_github_actions
]  # fmt: skip
WITH_SERVER = [c for c in LIVE if c.database != "sqlite"]
# Every answer to `auth`, async and sync, on PostgreSQL and MariaDB.
UNDER_LOAD = [c for c in FULL_CYCLE if c.database != "sqlite"]
# The same database, reached with the suite's own synchronous drivers.
SYNC_SCHEME = {"aiosqlite": "pysqlite", "asyncpg": "psycopg", "asyncmy": "pymysql"}
SIGN_UPS = 20
# For tests where hashing cost is not under test: the cheapest argon2 the settings allow.
CHEAP_HASHES = {"PASSWORD_HASH_MEMORY_KIB": "1024", "PASSWORD_HASH_TIME_COST": "1"}
JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def sync_url(url: str) -> str:
    """The URL with a synchronous driver, for the suite's own look into the database."""
    scheme, rest = url.split("://", 1)
    dialect, driver = scheme.split("+")
    return f"{dialect}+{SYNC_SCHEME.get(driver, driver)}://{rest}"


def count_rows(url: str, table: str) -> int:
    """Count a table's rows, straight from the database."""
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as connection:
            return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


def new_user(email: str = "ada@example.com", **extra: Any) -> dict[str, Any]:
    return {"email": email, "full_name": "Ada Lovelace", "password": PASSWORD, **extra}


@parametrize_combinations(WITH_SERVER)
def test_outage_gives_503_and_the_service_recovers_by_itself(
    baked: Baked, own_server: DatabaseServer, callers: Callers, record_property: Any
) -> None:
    own_server.create_database("outage")
    url = own_server.url("outage", driver=baked.combination.url_scheme)
    baked.migrate(url)

    with (
        serving_baked(baked, url, DB_CONNECT_TIMEOUT="2") as service,
        httpx.Client(base_url=service.url, timeout=30) as http,
    ):
        user_id, headers = callers.user(http, "ada@example.com")
        user = http.get(f"/api/v1/users/{user_id}", headers=headers).json()
        own_server.stop()

        assert http.get("/health").status_code == 200
        for path in ("/health/db", f"/api/v1/users/{user_id}", "/api/v1/items"):
            # The client's timeout bounds the answer: a hang fails the test.
            down = http.get(path, headers=headers)
            assert down.status_code == 503, down.text
            assert down.headers["retry-after"]
            assert down.json() == {"detail": "The database is unavailable; try again shortly."}
        write = http.post("/api/v1/users", json=new_user("grace@example.com"))
        assert write.status_code == 503

        own_server.start()
        stopped_waiting = time.monotonic() + 60
        back = time.monotonic()
        while http.get("/health/db").status_code != 200:
            assert time.monotonic() < stopped_waiting, "the service did not recover within 60 s"
            time.sleep(0.1)
        record_property("recovery_seconds", round(time.monotonic() - back, 2))

        assert http.get(f"/api/v1/users/{user_id}", headers=headers).json() == user
        assert http.post("/api/v1/users", json=new_user("grace@example.com")).status_code == 201
        assert service.process.poll() is None, "the service restarted"


async def create_items(
    base: str, owner_id: int, headers: dict[str, str], clients: int, each: int
) -> Counter[int]:
    """`clients` concurrent clients each create `each` items; return the count of each status."""
    statuses: Counter[int] = Counter()
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits, headers=headers) as http:

        async def client(number: int) -> None:
            for n in range(each):
                body = {"title": f"item {number}-{n}", "owner_id": owner_id}
                response = await http.post("/api/v1/items", json=body)
                statuses[response.status_code] += 1

        await asyncio.gather(*(client(number) for number in range(clients)))
    return statuses


@dataclass
class Load:
    """What a load's requests were answered, and the ids of the items answered 201."""

    statuses: Counter[int] = field(default_factory=Counter)
    created: list[int] = field(default_factory=list)


async def mixed_load(base: str, owner_id: int, headers: dict[str, str], clients: int, each: int) -> Load:
    """`clients` concurrent clients each create `each` items, and read each back, a page and the owner."""
    load = Load()
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits, headers=headers) as http:

        async def client(number: int) -> None:
            for n in range(each):
                body = {"title": f"load {number}-{n}", "owner_id": owner_id}
                created = await http.post("/api/v1/items", json=body)
                load.statuses[created.status_code] += 1
                if created.status_code != 201:
                    continue
                item_id = created.json()["id"]
                load.created.append(item_id)
                reads = (f"/api/v1/items/{item_id}", "/api/v1/items?limit=10", f"/api/v1/users/{owner_id}")
                for path in reads:
                    load.statuses[(await http.get(path)).status_code] += 1

        await asyncio.gather(*(client(number) for number in range(clients)))
    return load


@parametrize_combinations(UNDER_LOAD)
def test_a_load_on_a_small_pool_gets_no_5xx_and_every_201_is_a_row(
    baked: Baked, database_url: DatabaseFactory, callers: Callers, record_property: Any
) -> None:
    # Two connections for 20 clients: a request that held two would wait out the pool's timeout.
    url = database_url("load")
    baked.migrate(url)
    small_pool = {"DB_POOL_SIZE": "2", "DB_MAX_OVERFLOW": "0", **CHEAP_HASHES, **callers.settings}

    with serving_baked(baked, url, **small_pool) as service:
        with httpx.Client(base_url=service.url, timeout=30) as http:
            owner_id, headers = callers.user(http, "ada@example.com")
        load = asyncio.run(mixed_load(service.url, owner_id, headers, clients=20, each=5))

    record_property("statuses", dict(load.statuses))
    assert set(load.statuses) == {200, 201}, (dict(load.statuses), service.problems())
    assert load.statuses[201] == 100
    rows_found = count_rows(url, "items")
    assert rows_found == len(set(load.created)) == 100


async def race_for_one_email(base: str, racers: int) -> Counter[int]:
    """`racers` clients try to create a user with the same e-mail address at once."""
    async with httpx.AsyncClient(
        base_url=base, timeout=120, limits=httpx.Limits(max_connections=racers)
    ) as http:
        responses = await asyncio.gather(
            *(http.post("/api/v1/users", json=new_user("same@example.com")) for _ in range(racers))
        )
    return Counter(response.status_code for response in responses)


@parametrize_combinations(LIVE)
def test_concurrent_writes_lose_nothing_and_duplicates_race_to_one_winner(
    baked: Baked, database_url: DatabaseFactory, callers: Callers, record_property: Any
) -> None:
    url = database_url("concurrency")
    baked.migrate(url)

    # Cheap hashes also bring the racing sign-ups to the database closer together.
    with serving_baked(baked, url, **CHEAP_HASHES) as service, httpx.Client(base_url=service.url) as http:
        owner_id, headers = callers.user(http, "ada@example.com")
        created = asyncio.run(create_items(service.url, owner_id, headers, clients=50, each=20))
        raced = asyncio.run(race_for_one_email(service.url, racers=50))

    record_property("item_statuses", dict(created))
    record_property("race_statuses", dict(raced))
    assert created == Counter({201: 1000}), service.problems()
    assert count_rows(url, "items") == 1000
    assert raced == Counter({201: 1, 409: 49})
    assert count_rows(url, "users") == 2


async def update_and_delete_at_once(base: str, headers: dict[str, str], item_ids: list[int]) -> Counter[int]:
    """Several clients change and delete the same items at the same time."""
    limits = httpx.Limits(max_connections=40)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits, headers=headers) as http:

        async def change(item_id: int, n: int) -> int:
            response = await http.patch(f"/api/v1/items/{item_id}", json={"title": f"v{item_id}-{n}"})
            return response.status_code

        async def delete(item_id: int) -> int:
            return (await http.delete(f"/api/v1/items/{item_id}")).status_code

        calls = [change(i, n) for i in item_ids for n in range(3)] + [delete(i) for i in item_ids]
        return Counter(await asyncio.gather(*calls))


@parametrize_combinations(WITH_SERVER)
def test_racing_updates_and_deletes_get_answers_not_errors(
    baked: Baked, database_url: DatabaseFactory, callers: Callers, record_property: Any
) -> None:
    # SQLite is left out: it admits one writer at a time, and a request that read
    # before another's write may be told 503 (retry), by design.
    url = database_url("races")
    baked.migrate(url)

    with serving_baked(baked, url) as service, httpx.Client(base_url=service.url, timeout=30) as http:
        owner_id, headers = callers.user(http, "ada@example.com")
        items = [
            http.post("/api/v1/items", json={"title": f"t{n}", "owner_id": owner_id}, headers=headers)
            for n in range(10)
        ]
        item_ids = [item.json()["id"] for item in items]
        statuses = asyncio.run(update_and_delete_at_once(service.url, headers, item_ids))

    record_property("statuses", dict(statuses))
    # A change that lost the race to a delete is a 404 or a 409; never a 5xx.
    assert set(statuses) <= {200, 204, 404, 409}, statuses
    assert statuses[204] == 10
    assert count_rows(url, "items") == 0


@parametrize_combinations(LIVE)
def test_a_request_failing_half_way_leaves_nothing_behind(
    baked: Baked, database_url: DatabaseFactory
) -> None:
    url = database_url("atomic")
    baked.migrate(url)
    # The user is inserted first; the second item's title clashes with the first's.
    clashing = new_user(items=[{"title": "Notes"}, {"title": "Notes"}])

    with serving_baked(baked, url) as service:
        response = httpx.post(f"{service.url}/api/v1/users", json=clashing, timeout=30)

    assert response.status_code == 409
    assert count_rows(url, "users") == 0
    assert count_rows(url, "items") == 0


@parametrize_combinations(LIVE)
def test_hostile_input_is_stored_literally_or_refused_with_4xx(
    baked: Baked, database_url: DatabaseFactory, callers: Callers
) -> None:
    url = database_url("hostile")
    baked.migrate(url)
    literal = ["Robert'); DROP TABLE users;--", "名前 😀 \u200b", "<script>alert(1)</script>", "%s %% ?"]
    refused: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", "/api/v1/items", {"params": {"limit": 10**12}}),
        ("GET", "/api/v1/items", {"params": {"offset": -1}}),
        ("GET", "/api/v1/items", {"params": {"limit": "1; DROP TABLE items"}}),
        ("GET", "/api/v1/items/99999999999999999999", {}),
        ("GET", "/api/v1/users/1%27%20OR%201=1", {}),
        ("POST", "/api/v1/items", {"content": "[" * 200_000, "headers": JSON}),
        ("POST", "/api/v1/items", {"content": b"x" * 2_000_000, "headers": JSON}),
        ("POST", "/api/v1/users", {"content": "email=a@b.c", "headers": FORM}),
        ("POST", "/api/v1/users", {"json": new_user(full_name="\x00")}),
        ("POST", "/api/v1/users", {"json": new_user(email="a@b.c' OR '1'='1")}),
        ("PATCH", "/api/v1/users/me", {"json": {"email": None}}),
    ]  # fmt: skip

    with serving_baked(baked, url) as service, httpx.Client(base_url=service.url, timeout=30) as http:
        _user_id, headers = callers.user(http, "ada@example.com")
        for number, name in enumerate(literal):
            created = http.post("/api/v1/users", json=new_user(f"u{number}@example.com", full_name=name))
            assert created.status_code == 201, created.text
            assert created.json()["full_name"] == name.strip()
        for method, path, options in refused:
            given = {**options, "headers": {**headers, **options.get("headers", {})}}
            response = http.request(method, path, **given)
            assert 400 <= response.status_code < 500, (method, path, response.status_code, response.text)
            assert response.status_code != 401, (method, path, "the request should have been authenticated")
        assert count_rows(url, "users") == len(literal) + 1


@parametrize_combinations(LIVE)
def test_fuzzing_the_openapi_schema_with_a_token_finds_no_server_error(
    baked: Baked, database_url: DatabaseFactory, callers: Callers, tmp_path: Path
) -> None:
    url = database_url("fuzz")
    baked.migrate(url)

    with serving_baked(baked, url, **CHEAP_HASHES) as service:  # the fuzzer signs up many users
        with httpx.Client(base_url=service.url, timeout=30) as http:
            _user_id, headers = callers.user(http, "fuzzer@example.com")
        authorization = [f"--header=Authorization: {headers['Authorization']}"] if headers else []
        result = subprocess.run(
            [sys.executable, "-m", "schemathesis.cli", "run", f"{service.url}/openapi.json",
             "--checks", "all", *authorization,
             # Starlette answers 405 with the Allow header of the first route on the
             # path, not all of them; not the service's code.
             "--exclude-checks", "allow_header_conformance,positive_data_acceptance",
             # One worker: reproducible from the seed (races have a test of their own).
             "--max-examples", "30", "--seed", "20261124", "--workers", "1",
             "--generation-database", "none", "--no-color", "--request-timeout", "30"],
            capture_output=True, text=True, timeout=600, cwd=tmp_path, env=project_env(), check=False,
        )  # fmt: skip

    assert result.returncode == 0, explain(result)


@parametrize_combinations(LIVE)
def test_production_refuses_to_start_with_an_unsafe_configuration(
    baked: Baked, database_url: DatabaseFactory
) -> None:
    url = database_url("production")
    unsafe = {"ENVIRONMENT": "production", "SECRET_KEY": "change-me", "DATABASE_URL": url}

    started = baked.python(
        "-m",
        "uvicorn",
        "--factory",
        f"{baked.package}.main:create_app",
        "--app-dir",
        "src",
        "--port",
        "1",
        env=unsafe,
        timeout=60,
    )

    assert started.returncode != 0
    last_line = started.stderr.strip().splitlines()[-1]
    assert last_line.startswith("Invalid settings: "), started.stderr
    assert "SECRET_KEY must be a random value" in last_line
    assert "Traceback" not in started.stderr
    assert url not in started.stderr
    assert "change-me" not in started.stderr


@parametrize_combinations(LIVE)
def test_logs_are_json_lines_with_the_request_id_and_never_a_password_or_token(
    baked: Baked, database_url: DatabaseFactory, callers: Callers
) -> None:
    url = database_url("logs")
    baked.migrate(url)

    with (
        serving_baked(baked, url, LOG_LEVEL="INFO") as service,
        httpx.Client(base_url=service.url, timeout=30) as http,
    ):
        answer = http.post("/api/v1/users", json=new_user(), headers={"X-Request-ID": "trace-7"})
        http.post("/api/v1/users", json=new_user())  # taken e-mail: a 409, logged too
        headers = callers.headers(http, "ada@example.com")
        http.get("/api/v1/users/me", headers=headers)
        http.post("/api/v1/auth/token", data={"username": "ada@example.com", "password": "wrong-password"})
    log = service.log.read_text()
    records = [json.loads(line) for line in log.splitlines() if line.startswith("{")]

    assert answer.headers["x-request-id"] == "trace-7"
    access = [r for r in records if r.get("message") == "request" and r.get("path") == "/api/v1/users"]
    assert [(r["request_id"], r["status"]) for r in access][:1] == [("trace-7", 201)]
    assert [r["status"] for r in access] == [201, 409]
    assert all({"time", "level", "logger", "duration_ms"} <= set(r) for r in access)
    # uvicorn's own lines too, without its copy of the message in terminal colours.
    assert any(r["logger"] == "uvicorn.error" for r in records)
    assert not [r for r in records if "color_message" in r]
    token = headers["Authorization"].removeprefix("Bearer ")
    for secret in (PASSWORD, "wrong-password", token, "Authorization", "ada@example.com"):
        assert secret not in log, secret


@parametrize_combinations(LIVE)
def test_sigterm_lets_requests_in_flight_finish_and_closes_every_connection(
    baked: Baked, database_url: DatabaseFactory, request: pytest.FixtureRequest
) -> None:
    url = database_url("shutdown")
    baked.migrate(url)

    async def sign_up_while_stopping(service: Service) -> list[int]:
        limits = httpx.Limits(max_connections=SIGN_UPS)
        async with httpx.AsyncClient(base_url=service.url, timeout=60, limits=limits) as http:
            # Open every connection first, so that the sign-ups reach the server at once.
            await asyncio.gather(*(http.get("/health") for _ in range(SIGN_UPS)))
            pending = [
                asyncio.ensure_future(http.post("/api/v1/users", json=new_user(f"u{n}@example.com")))
                for n in range(SIGN_UPS)
            ]
            # The service hashes one password at a time, each in tens of milliseconds: when
            # the first sign-up is answered, all the others have arrived and wait their turn.
            await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            service.process.send_signal(signal.SIGTERM)
            return [response.status_code for response in await asyncio.gather(*pending)]

    with serving_baked(baked, url, PASSWORD_HASH_CONCURRENCY="1") as service:
        statuses = asyncio.run(sign_up_while_stopping(service))
        # uvicorn stops gracefully, then re-raises the signal: the exit status tells why it stopped.
        assert service.process.wait(timeout=30) == -signal.SIGTERM

    assert statuses == [201] * SIGN_UPS, service.problems()
    assert count_rows(url, "users") == SIGN_UPS
    # And they were indeed in flight: most finished after the service began to shut down.
    log = service.log.read_text()
    after_sigterm = log[log.index("Shutting down") :]
    assert after_sigterm.count('"path": "/api/v1/users", "status": 201') > SIGN_UPS // 2
    if baked.combination.database != "sqlite":
        server: DatabaseServer = request.getfixturevalue(baked.combination.database)
        database = url.rsplit("/", 1)[1]
        assert server.count_connections(database) == 0
