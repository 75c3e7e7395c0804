"""Profile one app of the benchmark under load: py-spy samples the pinned uvicorn process while wrk runs.

    .venv/bin/python -m bench.profile postgresql-async get_item --seconds 10
    .venv/bin/python -m bench.profile postgresql-async-traced get_item   # tracing on, into a sink
    .venv/bin/python -m bench.profile postgresql-async-sampled get_item  # one trace in ten

It prepares the app exactly as `bench.run` does (its database, seeded; the admin's token), loads
it with one scenario, and writes a summary of where py-spy's samples fall (by layer, by file and
by function) to bench/profiles/<app>-<scenario>.txt.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import nullcontext
from pathlib import Path

from bench import run
from bench.otlp_sink import otlp_sink
from bench.scenarios import SCENARIOS
from bench.wrk import Load
from bench.wrk import WrkResult
from bench.wrk import run_wrk
from harness.combinations import Combination
from harness.servers import PostgresServer
from harness.services import serving

PROFILES = run.BENCH / "profiles"
# Samples per second; py-spy reads the process from outside, without slowing it down much.
RATE = 200
# Distributions grouped into the layers a request passes through; the rest is "other".
LAYERS = {
    "HTTP server and event loop": ("uvicorn", "httptools", "uvloop", "asyncio", "h11", "selectors"),
    "FastAPI and Starlette": ("fastapi", "starlette"),
    "Pydantic": ("pydantic", "pydantic_core"),
    "SQLAlchemy": ("sqlalchemy", "greenlet"),
    "database driver": ("asyncpg", "psycopg", "psycopg_binary", "aiosqlite", "sqlite3"),
    "anyio": ("anyio",),
    "access log": ("logging", "pythonjsonlogger"),
    "metrics": ("prometheus_client",),
    "tokens": ("jwt", "cryptography"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "app", help="an app of bench.run: ceiling, tutorial-async, ..., postgresql-async, ..."
    )
    parser.add_argument("scenario", choices=[s.name for s in SCENARIOS])
    parser.add_argument("--seconds", type=int, default=10, help="seconds sampled (default: 10)")
    parser.add_argument(
        "--output", type=Path, default=PROFILES, help="directory for the summary (default: bench/profiles)"
    )
    args = parser.parse_args(argv)
    if not Path(py_spy()).exists():
        print("profiling needs py-spy: .venv/bin/pip install py-spy", file=sys.stderr)
        return 2
    scenario = next(s for s in SCENARIOS if s.name == args.scenario)
    name = args.app
    # `<pair>-traced` (or `-sampled`): the pair's service with tracing on, its spans sent to a sink
    # that drops them.
    traced = name.endswith(("-traced", "-sampled"))
    baked_pair = name.removesuffix("-traced").removesuffix("-sampled")
    combination = (
        Combination(*baked_pair.split("-", 1)) if baked_pair in run.URL_SCHEMES else run.REFERENCE_SCHEMA
    )
    settings = run.Settings(
        combinations=(combination,), duration=args.seconds, warmup=0, runs=1, connections=64,
        rows=1000, output=run.BENCH,
    )  # fmt: skip
    cpus = run.pick_cpus()
    with (
        tempfile.TemporaryDirectory(prefix="bench-profile-") as scratch,
        otlp_sink(cpus.load) if traced else nullcontext("") as sink,
    ):
        work = Path(scratch)
        server = PostgresServer.start_new()
        try:
            projects = run.bake_all(settings.combinations, work)
            target = next((t for t in run.targets(settings, projects, sink) if t.name == name), None)
            if target is None:
                parser.error(f"no app named {name!r}")
            url = run.prepare_database(target, server, work, settings.rows)
            if target.logs_in and not target.database_of:
                run.create_admin(target, url)
            with serving(
                target.app, cwd=target.cwd, app_dir=target.app_dir, log=work / "app.log",
                env={"DATABASE_URL": url, **target.env}, options=run.UVICORN_OPTIONS, cpu=cpus.service,
                factory=target.factory, stop_timeout=run.STOP_TIMEOUT,
            ) as service:  # fmt: skip
                token = run.log_in(service.url) if target.logs_in else ""
                stacks, measured = sample(
                    service.process.pid, service.url, scenario.script, token, args.seconds, cpus
                )
        finally:
            server.destroy()
    args.output.mkdir(parents=True, exist_ok=True)
    destination = args.output / f"{name}-{scenario.name}.txt"
    destination.write_text(
        summary(name, scenario.name, stacks, measured, own=target.app.split(".")[0]) + "\n"
    )
    print(f"written to {destination}")
    return 0


def py_spy() -> str:
    """py-spy's program: on PATH, or next to this Python."""
    return shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")


def sample(
    pid: int, url: str, script: str, token: str, seconds: int, cpus: run.Cpus
) -> tuple[str, WrkResult | None]:
    """py-spy's collapsed stacks of the process while wrk loads it, and what wrk measured."""
    # wrk starts first and runs past the sampling on both sides: every sample falls under load.
    load = Load(connections=64, duration_s=seconds + 4, rows=1000, cpu=cpus.load, token=token)
    measured: list[WrkResult] = []
    loading = threading.Thread(target=lambda: measured.append(run_wrk(url, script, load, seconds + 4)))
    loading.start()
    time.sleep(2)
    with tempfile.NamedTemporaryFile(suffix=".txt") as raw:
        subprocess.run(
            [py_spy(), "record", "--pid", str(pid), "--duration", str(seconds), "--rate", str(RATE),
             "--format", "raw", "--output", raw.name, "--nonblocking"],
            capture_output=True, check=True, timeout=seconds + 60,
        )  # fmt: skip
        stacks = Path(raw.name).read_text()
    loading.join()
    return stacks, measured[0] if measured else None


def summary(app: str, scenario: str, stacks: str, measured: WrkResult | None, *, own: str) -> str:
    """Where the samples fall: by package (the frame running), by function (anywhere on the stack)."""
    total = 0
    by_file: Counter[str] = Counter()
    by_layer: Counter[str] = Counter()
    by_function: Counter[str] = Counter()
    for line in stacks.splitlines():
        frames_text, _, count_text = line.rpartition(" ")
        count = int(count_text)
        total += count
        frames = frames_text.split(";")
        by_file[frames[-1].partition(" (")[2].split(":")[0]] += count
        by_layer[layer(frames[-1], own)] += count
        for function in {frame.split(":")[0] + ")" for frame in frames}:
            by_function[function] += count
    lines = [f"# {app}, {scenario}: {total} samples at {RATE}/s"]
    if measured is not None:
        rate, p50, p99 = measured.requests_per_s, measured.p50_ms, measured.p99_ms
        lines.append(f"# under wrk: {rate:,.0f} req/s, p50 {p50} ms, p99 {p99} ms")
    lines += ["", "## Running, by layer (share of samples)"]
    lines += [f"{100 * n / total:5.1f}%  {name}" for name, n in by_layer.most_common()]
    lines += ["", "## Running, by file (share of samples)"]
    lines += [f"{100 * n / total:5.1f}%  {file}" for file, n in by_file.most_common(20)]
    lines += ["", "## On the stack, by function (share of samples; nested calls count in each)"]
    lines += [f"{100 * n / total:5.1f}%  {function}" for function, n in by_function.most_common(60)]
    return "\n".join(lines)


def layer(frame: str, own: str) -> str:
    """The layer of a frame (`function (path:line)`), by the top package of its path."""
    path = frame.partition(" (")[2].split(":")[0]
    top = path.split("/")[0].removesuffix(".py")
    if top == own:
        return "the app's own code"
    if not top:
        # A frame py-spy found no Python file for: C code, mostly the event loop's.
        return "native code"
    return next((name for name, tops in LAYERS.items() if top in tops), f"other: {top}")


if __name__ == "__main__":
    sys.exit(main())
