"""Benchmark the baked template's item endpoints with wrk, next to a ceiling app and a tutorial-style app."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import UTC
from datetime import datetime
from pathlib import Path
from types import FrameType

import psycopg

from bench.otlp_sink import otlp_sink
from bench.report import AppResult
from bench.report import Run
from bench.report import ScenarioResult
from bench.report import machine_info
from bench.report import results_json
from bench.report import results_markdown
from bench.report import results_table
from bench.report import template_version
from bench.scenarios import SCENARIOS
from bench.scenarios import Scenario
from bench.seed import seed_postgresql
from bench.seed import seed_sqlite
from bench.wrk import REQUEST_TIMEOUT
from bench.wrk import Load
from bench.wrk import WrkError
from bench.wrk import run_wrk
from harness.combinations import URL_SCHEMES as ALL_URL_SCHEMES
from harness.combinations import Combination
from harness.projects import Baked
from harness.projects import CommandError
from harness.projects import bake
from harness.servers import PostgresServer
from harness.servers import ServerUnavailable
from harness.services import Service
from harness.services import ServiceError
from harness.services import log_tail
from harness.services import serving

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
# The pairs the benchmark can serve, by name: it starts PostgreSQL, and SQLite needs no server.
URL_SCHEMES = {
    f"{database}-{driver}": scheme
    for (database, driver), scheme in ALL_URL_SCHEMES.items()
    if database in ("postgresql", "sqlite")
}
# Every app is served alike: one worker, uvloop and httptools, no access log of uvicorn's. On
# SIGTERM, requests still running after 5 s are cancelled: an app that queues for SQLAlchemy's
# pool (s3rius-create, the tutorial) may have requests that wait out its 30 s pool_timeout long
# after wrk gave up on them, and uvicorn would otherwise wait for them to stop.
UVICORN_OPTIONS = (
    "--workers", "1", "--loop", "uvloop", "--http", "httptools", "--no-access-log", "--log-level", "warning",
    "--timeout-graceful-shutdown", "5",
)  # fmt: skip
# Seconds an app may take to stop after SIGTERM. That timeout does not reach a yield dependency's
# exit, which FastAPI shields from cancellation: s3rius-create (and the tutorial) commit there,
# so a request queued for SQLAlchemy's pool at that point waits up to its 30 s pool_timeout
# before the app can exit. The baked services stop within a second.
STOP_TIMEOUT = 40.0
# The benchmark's caller: an admin, who may read every item and create items for any user,
# so that the service answers the same requests as the reference apps, all with a 2xx.
ADMIN_EMAIL = "bench@example.com"
ADMIN_PASSWORD = "a-benchmark-admin-password"
DEFAULTS = {
    "combinations": ",".join(URL_SCHEMES),
    "duration": 10,
    "warmup": 5,
    "runs": 3,
    "connections": 64,
    "rows": 1000,
}
# --smoke: one combination and the reference apps, just long enough to prove that everything runs.
SMOKE = {"combinations": "postgresql-async", "duration": 1, "warmup": 0, "runs": 1, "connections": 8}
# The combination whose migrations create the reference apps' schema, unless another PostgreSQL one is baked.
REFERENCE_SCHEMA = Combination("postgresql", "async")


@dataclass(frozen=True)
class Settings:
    """What to benchmark and how hard, from the command line."""

    combinations: tuple[Combination, ...]
    duration: int
    warmup: int
    runs: int
    connections: int
    rows: int
    output: Path
    # Each combination served three times: as baked, and with tracing on (every trace, one in ten)
    # into a sink that drops the spans.
    tracing: bool = False


@dataclass(frozen=True)
class Cpus:
    """Where the app under test and wrk run: one CPU each, when there are two."""

    service: int
    load: int


@dataclass(frozen=True)
class Target:
    """An app to benchmark, the database it runs on, and the baked project that migrates that database."""

    name: str
    description: str
    database: str
    url_scheme: str
    schema_from: Baked
    app: str
    app_dir: Path
    cwd: Path
    # Whether requests carry a bearer token, which the app's login route gives an admin.
    logs_in: bool = False
    # More environment for the app.
    env: dict[str, str] = field(default_factory=dict)
    # Whether `app` names a function that builds the app (uvicorn's --factory), as baked projects do.
    factory: bool = False
    # The scenarios measured, each with its script, if not all of them with their own.
    scripts: dict[str, str] = field(default_factory=dict)
    # Another target whose database this one uses as that one left it (its admin included).
    database_of: str = ""
    # Whether its database gets the baked schema and the seeded rows (or starts empty).
    seeded: bool = True


def parse_settings(argv: list[str] | None) -> Settings:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--combinations", help=f"comma-separated, of {', '.join(URL_SCHEMES)} (default: all)")
    parser.add_argument("--duration", type=int, help="seconds per measured run (default: 10)")
    parser.add_argument(
        "--warmup", type=int, help="seconds of unreported load before each scenario (default: 5)"
    )
    parser.add_argument(
        "--runs", type=int, help="measured runs per scenario; the median is reported (default: 3)"
    )
    parser.add_argument("--connections", type=int, help="wrk's open connections (default: 64)")
    parser.add_argument("--rows", type=int, help="users and items seeded in each database (default: 1000)")
    parser.add_argument(
        "--output", type=Path, default=BENCH, help="directory for results.json and results.md"
    )
    parser.add_argument(
        "--smoke", action="store_true", help="a very short run of postgresql-async and the references"
    )
    parser.add_argument(
        "--tracing",
        action="store_true",
        help="serve each combination twice more with tracing on (every trace, then one in ten), "
        "into an OTLP sink that drops the spans",
    )
    args = parser.parse_args(argv)
    given = {key: value for key, value in vars(args).items() if value is not None}
    chosen = {**DEFAULTS, **(SMOKE if args.smoke else {}), **given}
    names = [name.strip() for name in str(chosen["combinations"]).split(",") if name.strip()]
    unknown = sorted(set(names) - set(URL_SCHEMES))
    if unknown or not names:
        parser.error(f"--combinations takes {', '.join(URL_SCHEMES)}; not {', '.join(unknown) or 'nothing'}")
    for option in ("duration", "runs", "connections", "rows"):
        if chosen[option] < 1:
            parser.error(f"--{option} must be at least 1")
    if chosen["rows"] < 20:
        parser.error("--rows must be at least 20, a full page of items")
    return Settings(
        combinations=tuple(
            Combination(database=name.partition("-")[0], driver=name.partition("-")[2])
            for name in dict.fromkeys(names)
        ),
        duration=chosen["duration"],
        warmup=max(chosen["warmup"], 0),
        runs=chosen["runs"],
        connections=chosen["connections"],
        rows=chosen["rows"],
        output=chosen["output"].resolve(),
        tracing=args.tracing,
    )


def missing_tools() -> list[str]:
    """The programs the benchmark needs that are not installed."""
    return [tool for tool in ("wrk", "taskset") if shutil.which(tool) is None]


def pick_cpus() -> Cpus:
    """The app on the first CPU this process may use, wrk on the second (on the same one if it is alone)."""
    allowed = sorted(os.sched_getaffinity(0))
    return Cpus(service=allowed[0], load=allowed[1] if len(allowed) > 1 else allowed[0])


def exit_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, so that the servers and services are stopped on the way out."""

    def handle(signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handle)


def bake_all(combinations: tuple[Combination, ...], work: Path) -> dict[str, Baked]:
    """Bake each combination, plus a PostgreSQL one for the reference apps' schema if none is chosen."""
    wanted = list(combinations)
    if not any(c.database == "postgresql" for c in wanted):
        wanted.append(REFERENCE_SCHEMA)
    projects = {}
    for combination in wanted:
        print(f"baking {pair(combination)}", flush=True)
        projects[pair(combination)] = bake(combination, work / "baked" / pair(combination))
    return projects


def pair(combination: Combination) -> str:
    """The database x driver pair's name, e.g. `postgresql-async`."""
    return f"{combination.database}-{combination.driver}"


def targets(settings: Settings, projects: dict[str, Baked], sink: str = "") -> list[Target]:
    """The reference apps first, then each chosen combination of the template (and traced, with a sink)."""
    schema = next(p for p in projects.values() if p.combination.database == "postgresql")
    ceiling = Target(
        name="ceiling",
        description="Starlette, a raw asyncpg pool of 16 connections and hand-written SQL "
        "(bench/apps/ceiling.py): the practical ceiling for Python",
        database="postgresql",
        url_scheme="postgresql",
        schema_from=schema,
        app="bench.apps.ceiling:app",
        app_dir=REPO,
        cwd=REPO,
    )
    references = [
        reference(
            "tutorial-async",
            "FastAPI and the SQLAlchemy async ORM as the tutorials teach them, with the default "
            "pool of 5 + 10 overflow connections (bench/apps/tutorial.py)",
            "tutorial:app",
            schema,
        ),
        reference(
            "sqlalchemy-core",
            "FastAPI and SQLAlchemy Core on asyncpg, a pool of 16: statements built once, reads on an "
            "AUTOCOMMIT connection, writes in a transaction (bench/apps/core.py)",
            "core:app",
            schema,
        ),
        reference(
            "sqlalchemy-orm-lean",
            "FastAPI and the SQLAlchemy async ORM, a pool of 16: session.get and select(Item) in a "
            "session on an AUTOCOMMIT connection, writes in a transaction (bench/apps/orm_lean.py)",
            "orm_lean:app",
            schema,
        ),
    ]
    s3rius = Target(
        name="s3rius-create",
        description="s3rius/FastAPI-template's create (PUT /api/dummy/, one name), replicated from its "
        "REST + SQLAlchemy + PostgreSQL bake: the default pool, a session per request committed by its "
        "dependency, a DAO that adds the row (bench/apps/s3rius.py); create only",
        database="postgresql",
        url_scheme="postgresql+asyncpg",
        schema_from=schema,
        app="bench.apps.s3rius:get_app",
        factory=True,
        app_dir=REPO,
        cwd=REPO,
        scripts={"create_item": "put_dummy.lua"},
        seeded=False,
    )
    baked = [baked_target(projects[pair(c)]) for c in settings.combinations]
    unchecked = [unchecked_target(target, projects[target.name]) for target in baked if target.logs_in]
    variants = (traced_target, sampled_target) if sink else ()
    traced = [variant(target, sink) for target in baked for variant in variants]
    return [ceiling, *references, s3rius, *baked, *unchecked, *traced]


def reference(name: str, description: str, app: str, schema: Baked) -> Target:
    """A reference app of bench/apps on SQLAlchemy's asyncpg driver, on the baked PostgreSQL schema."""
    return Target(
        name=name,
        description=description,
        database="postgresql",
        url_scheme="postgresql+asyncpg",
        schema_from=schema,
        app=f"bench.apps.{app}",
        app_dir=REPO,
        cwd=REPO,
    )


def baked_target(project: Baked) -> Target:
    """The baked service, run as baked: its own migrations, and the settings it ships in .env."""
    combination = project.combination
    return Target(
        name=pair(combination),
        description=f"the template baked for {pair(combination)} ({combination.url_scheme}), "
        "with the settings it ships in .env",
        database=combination.database,
        url_scheme=combination.url_scheme,
        schema_from=project,
        app=f"{project.package}.main:create_app",
        factory=True,
        app_dir=project.path / "src",
        cwd=project.path,
        logs_in=True,
    )


def unchecked_target(target: Target, project: Baked) -> Target:
    """The baked service with the per-request read of the caller's account skipped, on GET one item."""
    return replace(
        target,
        name=f"{target.name}-unchecked",
        description=f"{target.description}; the caller's account taken as the token's, without reading "
        "its row (bench/apps/unchecked.py): the account check's cost, by difference; get only",
        app="bench.apps.unchecked:create_app",
        app_dir=REPO,
        env={"BENCH_PACKAGE": project.package, "PYTHONPATH": str(project.path / "src")},
        scripts={"get_item": "get_item.lua"},
    )


def traced_target(target: Target, sink: str) -> Target:
    """The baked service with tracing on: every span exported over OTLP/HTTP to the sink."""
    return replace(
        target,
        name=f"{target.name}-traced",
        description=f"{target.description}; tracing on, every span sent to an OTLP/HTTP sink that drops it",
        env={"OTEL_EXPORTER_OTLP_ENDPOINT": sink},
    )


# What the rendered README tells a busy service to set: one trace in ten, the caller's choice kept.
SAMPLED = {"OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.1"}


def sampled_target(target: Target, sink: str) -> Target:
    """The traced service keeping one trace in ten, as the rendered README advises under load."""
    return replace(
        traced_target(target, sink),
        name=f"{target.name}-sampled",
        description=f"{target.description}; tracing on, one trace in ten sampled "
        "(parentbased_traceidratio, 0.1) and sent to the sink",
        env={"OTEL_EXPORTER_OTLP_ENDPOINT": sink, **SAMPLED},
    )


def prepare_database(target: Target, server: PostgresServer, work: Path, rows: int) -> str:
    """A fresh database for the target, migrated and seeded; return the URL the app connects with."""
    owner = target.database_of or target.name
    if target.database == "sqlite":
        path = work / f"{owner}.db"
        url = f"{target.url_scheme}:///{path}"
        if not target.database_of:
            target.schema_from.migrate(url)
            seed_sqlite(path, rows)
        return url
    name = "bench_" + owner.replace("-", "_")
    if target.database_of:
        return server.url(name, driver=target.url_scheme)
    server.create_database(name)
    if not target.seeded:
        return server.url(name, driver=target.url_scheme)
    target.schema_from.migrate(server.url(name, driver=target.schema_from.combination.url_scheme))
    seed_postgresql(server.url(name), rows)
    return server.url(name, driver=target.url_scheme)


def benchmark(
    target: Target, server: PostgresServer, work: Path, settings: Settings, cpus: Cpus
) -> AppResult:
    """Prepare the target's database, serve the app, and measure every scenario against it."""
    measured = [scenario for scenario in SCENARIOS if not target.scripts or scenario.name in target.scripts]
    result = AppResult(target.name, target.description, target.database, [s.name for s in measured])
    log = work / f"{target.name}.log"
    try:
        database_url = prepare_database(target, server, work, settings.rows)
        if target.logs_in and not target.database_of:
            create_admin(target, database_url)
        with serving(
            target.app,
            cwd=target.cwd,
            app_dir=target.app_dir,
            log=log,
            env={"DATABASE_URL": database_url, **target.env},
            options=UVICORN_OPTIONS,
            cpu=cpus.service,
            factory=target.factory,
            stop_timeout=STOP_TIMEOUT,
        ) as service:
            token = log_in(service.url) if target.logs_in else ""
            for scenario in measured:
                script = target.scripts.get(scenario.name, scenario.script)
                result.scenarios[scenario.name] = measure(
                    target.name, replace(scenario, script=script), service, token, settings, cpus
                )
                if service.process.poll() is not None:
                    raise ServiceError(f"the service exited with {service.process.returncode} under load")
    except (
        ServiceError, CommandError, WrkError, psycopg.Error, sqlite3.Error, subprocess.TimeoutExpired
    ) as error:  # fmt: skip
        result.error = f"{type(error).__name__}: {error}"
        print(f"[{target.name}] failed: {result.error}", file=sys.stderr, flush=True)
    result.log_tail = log_tail(log, lines=15)
    return result


def create_admin(target: Target, database_url: str) -> None:
    """Create the benchmark's admin with the project's own command."""
    created = target.schema_from.python(
        "-m", target.schema_from.package, "create-admin", ADMIN_EMAIL,
        env={"DATABASE_URL": database_url, "ADMIN_PASSWORD": ADMIN_PASSWORD},
    )  # fmt: skip
    if created.returncode != 0:
        raise CommandError(f"create-admin: {created.stderr[-2000:]}")


def log_in(base_url: str) -> str:
    """The login step: the admin's access token, from the service's token route."""
    form = urllib.parse.urlencode({"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD}).encode()
    with urllib.request.urlopen(f"{base_url}/api/v1/auth/token", data=form, timeout=30) as response:
        return str(json.load(response)["access_token"])


def measure(
    app: str, scenario: Scenario, service: Service, token: str, settings: Settings, cpus: Cpus
) -> ScenarioResult:
    """A warm-up, then the measured runs of one scenario."""
    base_url = service.url
    load = Load(
        connections=settings.connections,
        duration_s=settings.duration,
        rows=settings.rows,
        cpu=cpus.load,
        token=token,
    )
    result = ScenarioResult()
    if settings.warmup:
        try:
            run_wrk(base_url, scenario.script, load, settings.warmup)
        except WrkError as error:
            result.failures.append(f"warm-up: {error}")
    for number in range(1, settings.runs + 1):
        before = cpu_times()
        used_before = process_cpu_seconds(service.process.pid)
        try:
            measured = run_wrk(base_url, scenario.script, load, settings.duration)
        except WrkError as error:
            result.failures.append(f"run {number}: {error}")
            print(f"[{app}] {scenario.name} run {number}: {error}", file=sys.stderr, flush=True)
            continue
        if measured.requests == 0:
            result.failures.append(f"run {number}: the app answered no request")
        busy = busy_percent(before, cpu_times())
        used = process_cpu_seconds(service.process.pid) - used_before
        run = Run(
            measured,
            {"service_cpu": busy.get(cpus.service, 0.0), "wrk_cpu": busy.get(cpus.load, 0.0)},
            round(1e6 * used / measured.requests) if measured.requests else None,
        )
        result.runs.append(run)
        print(f"[{app}] {scenario.name} run {number}/{settings.runs}: {measured.requests_per_s:,.0f} req/s, "
              f"p50 {measured.p50_ms} ms, p99 {measured.p99_ms} ms, non-2xx {measured.non_2xx_3xx}, "
              f"errors {measured.socket_errors}, {run.service_cpu_us_per_request} µs of CPU per request",
              flush=True)  # fmt: skip
    return result


def cpu_times() -> dict[int, tuple[int, int]]:
    """(busy, total) clock ticks of each CPU since boot, from /proc/stat."""
    times = {}
    for line in Path("/proc/stat").read_text().splitlines():
        name, *fields = line.split()
        if name.startswith("cpu") and name != "cpu":
            ticks = [int(value) for value in fields[:8]]
            idle = ticks[3] + ticks[4]  # idle and iowait
            times[int(name[3:])] = (sum(ticks) - idle, sum(ticks))
    return times


def process_cpu_seconds(pid: int) -> float:
    """The user and system CPU time a process has used so far, in seconds, from /proc/<pid>/stat."""
    # The fields after the command's name, which is in parentheses and may hold spaces.
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    utime, stime = int(fields[11]), int(fields[12])
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


def busy_percent(before: dict[int, tuple[int, int]], after: dict[int, tuple[int, int]]) -> dict[int, float]:
    """How busy each CPU was between two readings of cpu_times(), in percent."""
    busy = {}
    for cpu, (busy_after, total_after) in after.items():
        busy_before, total_before = before.get(cpu, (0, 0))
        elapsed = total_after - total_before
        busy[cpu] = round(100 * (busy_after - busy_before) / elapsed, 1) if elapsed else 0.0
    return busy


def postgres_version(server: PostgresServer) -> str:
    with psycopg.connect(server.url()) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "unknown"


def recorded_settings(settings: Settings, cpus: Cpus, argv: list[str]) -> dict[str, object]:
    """The settings as results.json records them, with the placement of every process."""
    return {
        "combinations": [pair(c) for c in settings.combinations],
        "duration_s": settings.duration,
        "warmup_s": settings.warmup,
        "runs": settings.runs,
        "connections": settings.connections,
        "threads": 1,
        "request_timeout": REQUEST_TIMEOUT,
        "rows": settings.rows,
        "service_cpu": cpus.service,
        "wrk_cpu": cpus.load,
        "uvicorn": " ".join(UVICORN_OPTIONS),
        "placement": (
            f"each app alone on CPU {cpus.service} (taskset; uvicorn, 1 worker, uvloop, httptools); "
            f"wrk on CPU {cpus.load} (and with --tracing, the OTLP sink's threads); "
            "PostgreSQL on the same machine over loopback TCP, not pinned "
            "(its backends run wherever the kernel puts them, mostly on wrk's CPU, which is less busy), "
            "fsync off; SQLite in-process, on the app's CPU"
        ),
        "command": shlex.join(["python", "-m", "bench.run", *argv]),
    }


def write_results(data: dict[str, object], output: Path) -> None:
    output.mkdir(parents=True, exist_ok=True)
    (output / "results.json").write_text(json.dumps(data, indent=2) + "\n")
    (output / "results.md").write_text(results_markdown(data))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    settings = parse_settings(argv)
    missing = missing_tools()
    if missing:
        print(
            f"the benchmark needs {' and '.join(missing)} (apt-get install wrk util-linux)", file=sys.stderr
        )
        return 2
    exit_on_sigterm()
    cpus = pick_cpus()
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    template = template_version(REPO)
    with ExitStack() as cleanup:
        work = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="bench-")))
        print("starting a throwaway PostgreSQL", flush=True)
        try:
            server = PostgresServer.start_new()
        except ServerUnavailable as error:
            print(f"the benchmark needs PostgreSQL's initdb and pg_ctl: {error}", file=sys.stderr)
            return 2
        cleanup.callback(server.destroy)
        projects = bake_all(settings.combinations, work)
        sink = cleanup.enter_context(otlp_sink(cpus.load)) if settings.tracing else ""
        apps = [
            benchmark(target, server, work, settings, cpus) for target in targets(settings, projects, sink)
        ]
        machine = machine_info(postgres_version(server))
    data = results_json(
        apps, date=date, template=template, machine=machine, settings=recorded_settings(settings, cpus, argv)
    )
    write_results(data, settings.output)
    print(f"\n{results_table(data)}\n\nwritten to {settings.output / 'results.md'} and results.json")
    return 0 if all(app.complete for app in apps) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
