"""Run wrk against a URL with one of the Lua scripts, and read its report."""

from __future__ import annotations

import re
import subprocess
import time
from dataclasses import asdict
from dataclasses import dataclass
from pathlib import Path

LUA = Path(__file__).resolve().parent / "lua"
# A request that takes longer counts as a timeout error instead of a latency.
REQUEST_TIMEOUT = "5s"
# Seconds a wrk run may take beyond its duration (start-up, closing connections) before it is killed.
GRACE = 30

UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
DURATION_S = {"us": 1e-6, "ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
NUMBER_WITH_UNIT = r"([\d.]+)([a-z]+)"

PERCENTILE = re.compile(rf"^\s*(50|75|90|99)%\s+{NUMBER_WITH_UNIT}\s*$", re.MULTILINE)
TOTAL = re.compile(rf"^\s*(\d+) requests in {NUMBER_WITH_UNIT},", re.MULTILINE)
RATE = re.compile(r"^Requests/sec:\s+([\d.]+)\s*$", re.MULTILINE)
NON_2XX = re.compile(r"^\s*Non-2xx or 3xx responses: (\d+)\s*$", re.MULTILINE)
SOCKET_ERRORS = re.compile(
    r"^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)\s*$", re.MULTILINE
)


class WrkError(Exception):
    """wrk failed, stalled, or printed a report this module cannot read."""


@dataclass(frozen=True)
class Load:
    """How hard wrk pushes: the same for every app and scenario of a run."""

    connections: int
    duration_s: int
    rows: int
    cpu: int
    threads: int = 1
    # A bearer token the requests carry (the scripts add the header); none if empty.
    token: str = ""


@dataclass(frozen=True)
class WrkResult:
    """The numbers of one wrk run; latencies in milliseconds."""

    requests: int
    duration_s: float
    requests_per_s: float
    p50_ms: float
    p75_ms: float
    p90_ms: float
    p99_ms: float
    non_2xx_3xx: int
    connect_errors: int
    read_errors: int
    write_errors: int
    timeouts: int

    @property
    def socket_errors(self) -> int:
        """Every connect, read, write and timeout error together."""
        return self.connect_errors + self.read_errors + self.write_errors + self.timeouts

    def as_dict(self) -> dict[str, float | int]:
        return {**asdict(self), "socket_errors": self.socket_errors}


def wrk_command(base_url: str, script: str, load: Load, duration_s: int, run_id: str) -> list[str]:
    """The command line of one wrk run on the load generator's CPU; the script gets rows and run_id."""
    return [
        "taskset", "-c", str(load.cpu),
        "wrk", f"-t{load.threads}", f"-c{load.connections}", f"-d{duration_s}s",
        "--latency", "--timeout", REQUEST_TIMEOUT, "-s", str(LUA / script),
        base_url, "--", str(load.rows), run_id, load.token,
    ]  # fmt: skip


def run_wrk(base_url: str, script: str, load: Load, duration_s: int) -> WrkResult:
    """Load the URL for duration_s seconds and return what wrk measured."""
    # Microseconds since the epoch: unique to the run, and exact as a Lua number.
    run_id = str(time.time_ns() // 1000)
    command = wrk_command(base_url, script, load, duration_s, run_id)
    try:
        finished = subprocess.run(
            command, capture_output=True, text=True, timeout=duration_s + GRACE, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise WrkError(f"wrk did not finish within {duration_s + GRACE} s") from error
    if finished.returncode != 0:
        raise WrkError(
            f"wrk exited with {finished.returncode}: {(finished.stderr or finished.stdout)[-500:]}"
        )
    return parse_wrk_output(finished.stdout)


def parse_wrk_output(output: str) -> WrkResult:
    """Read requests/s, the latency distribution and the error counts from wrk's --latency report."""
    total = TOTAL.search(output)
    rate = RATE.search(output)
    percentiles = {int(p): to_ms(value, unit) for p, value, unit in PERCENTILE.findall(output)}
    if total is None or rate is None or set(percentiles) != {50, 75, 90, 99}:
        raise WrkError(f"unexpected wrk output:\n{output[-1500:]}")
    non_2xx = NON_2XX.search(output)
    # wrk prints these two lines only when their counts are not zero.
    errors = SOCKET_ERRORS.search(output)
    connect, read, write, timeout = (int(n) for n in errors.groups()) if errors else (0, 0, 0, 0)
    return WrkResult(
        requests=int(total.group(1)),
        duration_s=round(float(total.group(2)) * DURATION_S[total.group(3)], 3),
        requests_per_s=float(rate.group(1)),
        p50_ms=percentiles[50],
        p75_ms=percentiles[75],
        p90_ms=percentiles[90],
        p99_ms=percentiles[99],
        non_2xx_3xx=int(non_2xx.group(1)) if non_2xx else 0,
        connect_errors=connect,
        read_errors=read,
        write_errors=write,
        timeouts=timeout,
    )


def to_ms(value: str, unit: str) -> float:
    """Convert one of wrk's latencies (e.g. `812.00us`, `1.20s`) to milliseconds."""
    if unit not in UNIT_MS:
        raise WrkError(f"unknown latency unit {unit!r} in wrk output")
    return round(float(value) * UNIT_MS[unit], 3)
