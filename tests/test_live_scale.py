"""Past one machine, proven with real processes: migrators racing, a least-privileged role,
PgBouncer in transaction mode, replicas with several workers behind HAProxy losing one to
SIGTERM and one to SIGKILL, and metrics added up over the workers.

Figures (status counts, rows, failures at the kill) are recorded in the JUnit report and
printed; none is a timing.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable
from collections.abc import Iterator
from contextlib import ExitStack
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import httpx2 as httpx
import psycopg
import pytest
from psycopg import sql
from sqlalchemy import create_engine
from sqlalchemy import text

from harness.combinations import COMBINATIONS
from harness.combinations import DEFAULT_PYTHON
from harness.combinations import parametrize_combinations
from harness.identities import PASSWORD
from harness.identities import Callers
from harness.projects import Baked
from harness.projects import explain
from harness.projects import project_env
from harness.proxies import haproxy
from harness.proxies import haproxy_program
from harness.proxies import pgbouncer
from harness.proxies import pgbouncer_program
from harness.servers import DatabaseFactory
from harness.servers import PostgresServer
from harness.servers import require
from harness.services import Service
from harness.services import serving_with_workers

pytestmark = pytest.mark.live

PAIRS = [
    c
    for c in COMBINATIONS
    if c.auth == "password" and c.python_version == DEFAULT_PYTHON and c.include_docker
    and c.include_github_actions and not c.include_kubernetes
]  # fmt: skip
WITH_SERVER = [c for c in PAIRS if c.database != "sqlite"]
ON_POSTGRESQL = [c for c in PAIRS if c.database == "postgresql"]
CHEAP_HASHES = {"PASSWORD_HASH_MEMORY_KIB": "1024", "PASSWORD_HASH_TIME_COST": "1"}
SYNC_SCHEME = {"asyncpg": "psycopg", "asyncmy": "pymysql"}
PREPARED = re.compile(r"prepared statement", re.IGNORECASE)


def sync_url(url: str) -> str:
    scheme, rest = url.split("://", 1)
    dialect, driver = scheme.split("+")
    return f"{dialect}+{SYNC_SCHEME.get(driver, driver)}://{rest}"


def scalar(url: str, query: str) -> Any:
    """One value, straight from the database."""
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as connection:
            return connection.execute(text(query)).scalar_one()
    finally:
        engine.dispose()


@pytest.fixture
def pgbouncer_installed() -> None:
    """Skip a test without PgBouncer, naming its package (fail under CI=true)."""
    require(pgbouncer_program, "pgbouncer")


@pytest.fixture
def haproxy_installed() -> None:
    """Skip a test without HAProxy, naming its package (fail under CI=true)."""
    require(haproxy_program, "haproxy")


@parametrize_combinations(WITH_SERVER)
def test_migrators_started_together_migrate_once(
    baked: Baked, database_url: DatabaseFactory, record_property: Any
) -> None:
    url = database_url("racing_migrators")
    env = project_env({"DATABASE_URL": url, "PYTHONPATH": str(baked.path / "src")})
    command = [sys.executable, "-m", "alembic", "upgrade", "head"]

    migrators = [
        subprocess.Popen(command, cwd=baked.path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for _ in range(3)
    ]
    outputs = [migrator.communicate(timeout=120)[0].decode() for migrator in migrators]

    assert [migrator.returncode for migrator in migrators] == [0, 0, 0], outputs
    ran = [output.count("Running upgrade") for output in outputs]
    record_property("upgrades_run", ran)
    assert sorted(ran) == [0, 0, 1], outputs
    assert scalar(url, "SELECT count(*) FROM alembic_version") == 1
    assert scalar(url, "SELECT version_num FROM alembic_version") == "0001"


@parametrize_combinations(ON_POSTGRESQL)
def test_the_service_runs_as_a_role_that_cannot_change_the_schema(
    baked: Baked, postgresql: PostgresServer, callers: Callers
) -> None:
    database = f"least_{baked.combination.driver}"
    postgresql.create_database(database)
    owner, runtime = f"{database}_owner", f"{database}_app"
    admin = postgresql.url(database)
    with psycopg.connect(admin, autocommit=True) as conn:
        for role in (owner, runtime):
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD 'suite'").format(sql.Identifier(role)))
        conn.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(*map(sql.Identifier, (database, owner))))
        conn.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(sql.Identifier(owner)))
    scheme = baked.combination.url_scheme
    owner_url = f"{scheme}://{owner}:suite@127.0.0.1:{postgresql.port}/{database}"
    runtime_url = f"{scheme}://{runtime}:suite@127.0.0.1:{postgresql.port}/{database}"
    migrated = baked.python(
        "-m",
        "alembic",
        "upgrade",
        "head",
        env={"DATABASE_URL": runtime_url, "MIGRATION_DATABASE_URL": owner_url},
    )
    assert migrated.returncode == 0, explain(migrated)
    # The README's grants, as the owner.
    grants = f"""
        GRANT CONNECT ON DATABASE {database} TO {runtime};
        GRANT USAGE ON SCHEMA public TO {runtime};
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {runtime};
        GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {runtime};
    """
    with psycopg.connect(f"postgresql://{owner}:suite@127.0.0.1:{postgresql.port}/{database}") as conn:
        conn.execute(grants)

    with (
        serving_with_workers(baked, runtime_url, workers=1, **CHEAP_HASHES) as service,
        httpx.Client(base_url=service.url, timeout=30) as http,
    ):
        user_id, headers = callers.user(http, "ada@example.com")
        item = http.post("/api/v1/items", json={"title": "Notes"}, headers=headers)
        changed = http.patch(f"/api/v1/items/{item.json()['id']}", json={"status": "public"}, headers=headers)
        deleted = http.delete(f"/api/v1/users/{user_id}", headers=headers)

    assert (item.status_code, changed.status_code, deleted.status_code) == (201, 200, 204)
    with (
        psycopg.connect(f"postgresql://{runtime}:suite@127.0.0.1:{postgresql.port}/{database}") as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute("DROP TABLE items")


@dataclass
class Load:
    """What a load saw: the status of every request, and the ids of the items answered 201."""

    statuses: Counter[int] = field(default_factory=Counter)
    created: list[int] = field(default_factory=list)
    failures: list[tuple[float, str]] = field(default_factory=list)

    def record(self, response: httpx.Response | Exception) -> None:
        if isinstance(response, Exception):
            self.statuses[0] += 1
            self.failures.append((time.monotonic(), type(response).__name__))
            return
        self.statuses[response.status_code] += 1
        if response.status_code == 201 and "title" in response.text:
            self.created.append(response.json()["id"])
        if response.status_code >= 500:
            # The replicas answer in JSON; a proxy's own answer (no replica left, one died) is not.
            json = response.headers.get("content-type") == "application/json"
            who = "replica" if json else "proxy"
            self.failures.append((time.monotonic(), f"{response.status_code} from the {who}"))


async def write_load(
    base: str,
    headers: dict[str, str],
    owner_id: int,
    clients: int,
    each: int,
    tag: str,
    load: Load | None = None,
) -> Load:
    """`clients` clients each create `each` items at once; what they saw goes into `load`."""
    load = load or Load()
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits, headers=headers) as http:

        async def client(number: int) -> None:
            for n in range(each):
                body = {"title": f"{tag} {number}-{n}", "owner_id": owner_id}
                try:
                    load.record(await http.post("/api/v1/items", json=body))
                except httpx.TransportError as error:
                    load.record(error)

        await asyncio.gather(*(client(number) for number in range(clients)))
    return load


async def update_and_delete_at_once(base: str, headers: dict[str, str], item_ids: list[int]) -> Counter[int]:
    """Clients change and delete the same items at the same time."""
    limits = httpx.Limits(max_connections=40)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits, headers=headers) as http:
        calls = [
            http.patch(f"/api/v1/items/{i}", json={"title": f"v{i}-{n}"}) for i in item_ids for n in range(2)
        ]
        calls += [http.delete(f"/api/v1/items/{i}") for i in item_ids]
        return Counter(await asyncio.gather(*(status_of(call) for call in calls)))


async def race_for_one_email(base: str, racers: int) -> Counter[int]:
    """Racers sign up with the same address at once."""
    body = {"email": "same@example.com", "full_name": "Same", "password": PASSWORD}
    async with httpx.AsyncClient(
        base_url=base, timeout=120, limits=httpx.Limits(max_connections=racers)
    ) as http:
        calls = [http.post("/api/v1/users", json=body) for _ in range(racers)]
        return Counter(await asyncio.gather(*(status_of(call) for call in calls)))


async def status_of(call: Awaitable[httpx.Response]) -> int:
    """The answer's status, or 0 if the connection closed without one."""
    try:
        return (await call).status_code
    except httpx.TransportError:
        return 0


@contextmanager
def replicas(baked: Baked, url: str, count: int, workers: int, **env: str) -> Iterator[list[Service]]:
    """`count` replicas of the service, each `python -m <package> serve` with `workers` processes."""
    with ExitStack() as stack:
        yield [
            stack.enter_context(serving_with_workers(baked, url, workers=workers, **env))
            for _ in range(count)
        ]


def sign_in_directly(baked: Baked, url: str, callers: Callers) -> tuple[int, dict[str, str]]:
    """A user and their token, from one replica connected to the database itself."""
    with (
        serving_with_workers(baked, url, workers=1, **CHEAP_HASHES) as service,
        httpx.Client(base_url=service.url, timeout=30) as http,
    ):
        return callers.user(http, "ada@example.com")


@parametrize_combinations(ON_POSTGRESQL)
@pytest.mark.usefixtures("pgbouncer_installed")
@pytest.mark.parametrize("with_setting", [True, False], ids=["DB_EXTERNAL_POOLER=pgbouncer", "without"])
def test_replicas_behind_pgbouncer_in_transaction_mode(
    baked: Baked, postgresql: PostgresServer, callers: Callers, with_setting: bool, record_property: Any
) -> None:
    database = f"bouncer_{baked.combination.driver}_{'on' if with_setting else 'off'}"
    postgresql.create_database(database)
    direct = postgresql.url(database, driver=baked.combination.url_scheme)
    baked.migrate(direct)
    owner_id, headers = sign_in_directly(baked, direct, callers)
    pooler = {"DB_EXTERNAL_POOLER": "pgbouncer"} if with_setting else {}
    env = {**CHEAP_HASHES, "DB_POOL_SIZE": "5", "DB_MAX_OVERFLOW": "5", **pooler}

    with (
        pgbouncer(postgresql) as bouncer,
        # Four worker processes, each with a pool of its own, share PgBouncer's server connections.
        replicas(baked, bouncer.url(database, driver=baked.combination.url_scheme), 2, 2, **env) as services,
    ):

        async def everything() -> tuple[list[Load], Counter[int], Counter[int]]:
            loads = await asyncio.gather(
                *(
                    write_load(s.url, headers, owner_id, clients=15, each=20, tag=f"r{n}")
                    for n, s in enumerate(services)
                )
            )
            raced = await race_for_one_email(services[1].url, racers=20)
            some = [item for load in loads for item in load.created][:30]
            changed = await update_and_delete_at_once(services[0].url, headers, some)
            return loads, raced, changed

        loads, raced, changed = asyncio.run(everything())
    logs = "\n".join(service.log.read_text(errors="replace") for service in services)
    statuses = sum((load.statuses for load in loads), Counter())
    created = [item for load in loads for item in load.created]
    record_property("item_statuses", dict(statuses))
    record_property("race_statuses", dict(raced))
    record_property("update_delete_statuses", dict(changed))
    print(f"\n{database}: items {dict(statuses)}, race {dict(raced)}, changes {dict(changed)}")

    if not with_setting:
        # As the service did before the setting: statements prepared in one transaction are
        # missing (or taken) in the next one's server connection.
        assert PREPARED.search(logs), "the load did not meet the failure this setting is for"
        assert (
            statuses[201] < 600 or set(changed) - {200, 204, 404, 409} or raced != Counter({201: 1, 409: 19})
        )
        return
    assert statuses == Counter({201: 600}), service_problems(services)
    assert raced == Counter({201: 1, 409: 19})
    assert set(changed) <= {200, 204, 404, 409}, changed
    assert not PREPARED.search(logs)
    rows = scalar(direct, "SELECT count(*) FROM items")
    assert rows == 600 - changed[204]
    assert len(set(created)) == 600


def service_problems(services: list[Service]) -> str:
    return "\n".join(service.problems() for service in services)


@parametrize_combinations(WITH_SERVER)
@pytest.mark.usefixtures("haproxy_installed")
def test_replicas_behind_a_load_balancer_lose_one_to_sigterm_and_one_to_sigkill(
    baked: Baked, database_url: DatabaseFactory, callers: Callers, record_property: Any
) -> None:
    url = database_url("balanced")
    baked.migrate(url)

    with (
        # HAProxy checks every 200 ms and takes a replica out after two failures.
        replicas(baked, url, 3, 2, SHUTDOWN_DRAIN_SECONDS="1", **CHEAP_HASHES) as services,
        haproxy([s.port for s in services]) as balancer,
    ):
        base = f"http://127.0.0.1:{balancer.port}"
        with httpx.Client(base_url=base, timeout=30) as http:
            owner_id, headers = callers.user(http, "ada@example.com")
        stopping, dying = services[0].process, services[1].process
        moments: dict[str, float] = {}

        async def load_while_replicas_go() -> Load:
            seen = Load()
            writes = asyncio.ensure_future(
                write_load(base, headers, owner_id, clients=20, each=60, tag="lb", load=seen)
            )
            while not writes.done():
                await asyncio.sleep(0.05)
                answered = sum(seen.statuses.values())
                if "sigterm" not in moments and answered >= 300:
                    moments["sigterm"] = time.monotonic()
                    stopping.send_signal(signal.SIGTERM)
                if "sigkill" not in moments and answered >= 700:
                    moments["sigkill"] = time.monotonic()
                    # The machine dies: the supervisor and its workers at once.
                    os.killpg(dying.pid, signal.SIGKILL)
            return await writes

        load = asyncio.run(load_while_replicas_go())
        stopped = stopping.wait(timeout=30)
        drained_log = services[0].log.read_text()
        # For a failure message: which replicas HAProxy took out and why, and what they logged.
        taken_out = [line for line in balancer.log.read_text().splitlines() if line.startswith("Server ")]
        explanation = "\n".join([*taken_out, service_problems(services)])

    sent = sum(load.statuses.values())
    failed_at_the_kill = [what for moment, what in load.failures if moment >= moments["sigkill"]]
    before_the_kill = [what for moment, what in load.failures if moment < moments["sigkill"]]
    latest_failure = max((moment for moment, _ in load.failures), default=moments["sigkill"])
    rows_found = scalar(
        url, f"SELECT count(*) FROM items WHERE id IN ({', '.join(map(str, load.created)) or '0'})"
    )
    record_property("requests_sent", sent)
    record_property("statuses", dict(load.statuses))
    record_property("failed_at_the_sigkill", failed_at_the_kill)
    record_property("rows_found", rows_found)
    print(
        f"\nsent {sent}, statuses {dict(load.statuses)}, "
        f"failed at the SIGKILL {Counter(failed_at_the_kill)}, "
        f"201s {len(load.created)}, their rows found {rows_found}\n" + "\n".join(taken_out)
    )

    assert set(moments) == {"sigterm", "sigkill"}, "the load ended before the replicas went"
    assert stopped == 0 or stopped == -signal.SIGTERM, "the SIGTERM'd replica did not stop cleanly"
    # SIGTERM: the replica fails its health check while it goes on serving, the balancer sends
    # no more there, then it stops and the requests in flight finish: no failure.
    assert "/health/db answers 503" in drained_log
    assert before_the_kill == [], explanation
    # SIGKILL: only the requests in flight on the dead replica fail; HAProxy answers 502, or
    # closes the client's connection. Within a second it sends no more requests there.
    assert latest_failure - moments["sigkill"] < 1
    assert set(load.statuses) <= {201, 502, 0}, explanation
    # Every write answered 201 is in the database.
    assert rows_found == len(load.created) == load.statuses[201]


@parametrize_combinations([c for c in PAIRS if c.database == "sqlite" and c.driver == "async"])
def test_metrics_add_up_over_the_worker_processes(baked: Baked, database_url: DatabaseFactory) -> None:
    url = database_url("metrics")
    baked.migrate(url)

    with (
        serving_with_workers(baked, url, workers=2) as service,
        httpx.Client(base_url=service.url, timeout=30) as http,
    ):
        for _ in range(40):
            assert http.get("/health/db").status_code == 200
        missing = http.get("/api/v1/items/12345")
        exposition = http.get("/metrics")
    workers = {line for line in service.log.read_text().splitlines() if "Started server process" in line}

    assert len(workers) == 2
    assert missing.status_code == 401
    assert exposition.headers["content-type"].startswith("text/plain")
    counted = re.search(
        r'http_requests_total\{method="GET",route="/health/db",status="200"\} (\S+)', exposition.text
    )
    assert counted, exposition.text[:3000]
    assert float(counted.group(1)) == 40
    assert re.search(r'route="/api/v1/items/\{item_id\}",status="401"', exposition.text)
    assert re.search(r"^db_pool_size \d", exposition.text, re.MULTILINE)
    assert "db_pool_waits_total" in exposition.text
