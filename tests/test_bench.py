"""The benchmark runs end to end and reads wrk right; no test here looks at timings, which vary by machine."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.scenarios import SCENARIOS
from bench.wrk import WrkError
from bench.wrk import parse_wrk_output
from harness.projects import TEMPLATE
from harness.projects import explain
from harness.servers import ServerUnavailable
from harness.servers import find_program
from harness.servers import unavailable

# --smoke measures one combination of the template and the reference apps.
SMOKE_APPS = {
    "ceiling", "tutorial-async", "sqlalchemy-core", "sqlalchemy-orm-lean", "s3rius-create",
    "postgresql-async", "postgresql-async-unchecked", "postgresql-async-traced", "postgresql-async-sampled",
}  # fmt: skip
REFERENCE_APPS = {"ceiling", "tutorial-async", "sqlalchemy-core", "sqlalchemy-orm-lean", "s3rius-create"}
# The apps made for one comparison, measured in some scenarios only.
PARTIAL_APPS = {"s3rius-create": {"create_item"}, "postgresql-async-unchecked": {"get_item"}}

WRK_REPORT = """\
Running 10s test @ http://127.0.0.1:8000
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    15.20ms    4.10ms   1.02s    91.00%
    Req/Sec     4.21k   310.00     4.80k    72.00%
  Latency Distribution
     50%  812.00us
     75%   14.60ms
     90%   19.90ms
     99%    1.20s
  41890 requests in 10.01s, 12.34MB read
  Socket errors: connect 0, read 2, write 1, timeout 3
  Non-2xx or 3xx responses: 7
Requests/sec:   4184.82
Transfer/sec:      1.23MB
"""


def missing_programs() -> list[str]:
    """What the benchmark needs from the system and does not find."""
    missing = [program for program in ("wrk", "taskset") if shutil.which(program) is None]
    try:
        find_program("initdb", "/usr/lib/postgresql/*/bin")
    except ServerUnavailable:
        missing.append("initdb")
    return missing


@pytest.fixture
def benchmark_programs() -> None:
    """Skip when wrk, taskset or PostgreSQL is missing; under CI=true fail instead."""
    missing = missing_programs()
    if not missing:
        return
    unavailable(f"the benchmark needs {', '.join(missing)} (apt-get install wrk util-linux postgresql)")


@pytest.mark.xdist_group("bench")
@pytest.mark.usefixtures("benchmark_programs")
def test_smoke_run_measures_every_app_in_every_scenario(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.run", "--smoke", "--tracing", "--output", str(tmp_path)],
        cwd=TEMPLATE,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, explain(result)
    data = json.loads((tmp_path / "results.json").read_text())
    assert {app["name"] for app in data["apps"]} == SMOKE_APPS
    for app in data["apps"]:
        assert app["error"] is None, f"{app['name']}: {app['error']}"
        measured = PARTIAL_APPS.get(app["name"], {s.name for s in SCENARIOS})
        assert set(app["measured"]) == measured, app["name"]
        for scenario in [s for s in SCENARIOS if s.name in measured]:
            median = app["scenarios"][scenario.name]["median"]
            assert median is not None, f"{app['name']} {scenario.name}: no run measured"
            assert median["requests"] > 0, f"{app['name']} {scenario.name}: no request answered"
            for number in ("requests_per_s", "p50_ms", "p99_ms", "non_2xx_3xx", "socket_errors"):
                assert isinstance(median[number], int | float), f"{app['name']} {scenario.name}: {number}"
            assert median["service_cpu_us_per_request"] > 0, f"{app['name']} {scenario.name}: no CPU time"
            # The reference apps are the benchmark's own: a refused request there is a bug in it.
            if app["name"] in REFERENCE_APPS:
                assert median["non_2xx_3xx"] == 0, f"{app['name']} {scenario.name} answered errors"
    table = (tmp_path / "results.md").read_text()
    assert all(f"| {name} |" in table for name in SMOKE_APPS)
    assert "The app's CPU time per request" in table
    # The figures the issues ask for, each computed from this one run.
    comparisons = data["comparisons"]
    assert set(comparisons["tracing"]["postgresql-async"]) == {s.name for s in SCENARIOS}
    assert set(comparisons["tracing_sampled"]["postgresql-async"]) == {s.name for s in SCENARIOS}
    assert isinstance(comparisons["account_check"]["postgresql-async"]["get_item"], float)
    assert isinstance(comparisons["create_vs_s3rius"]["postgresql-async"], float)
    tutorial = comparisons["vs_tutorial"]["postgresql-async"]
    assert all(isinstance(tutorial[s.name]["multiple"], float) for s in SCENARIOS)


@pytest.mark.xdist_group("bench")
@pytest.mark.usefixtures("benchmark_programs")
def test_profile_writes_where_the_time_goes(tmp_path: Path) -> None:
    # py-spy reads another process's memory: allowed for root, or anyone where Yama permits it.
    scope = Path("/proc/sys/kernel/yama/ptrace_scope")
    if os.geteuid() != 0 and scope.exists() and scope.read_text().strip() != "0":
        pytest.skip("py-spy may not read the app's process here (kernel.yama.ptrace_scope)")
    result = subprocess.run(
        [sys.executable, "-m", "bench.profile", "postgresql-async", "get_item",
         "--seconds", "2", "--output", str(tmp_path)],
        cwd=TEMPLATE, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip

    assert result.returncode == 0, explain(result)
    summary = (tmp_path / "postgresql-async-get_item.txt").read_text()
    samples = re.search(r"^# postgresql-async, get_item: (\d+) samples", summary, re.MULTILINE)
    assert samples is not None, summary
    assert int(samples.group(1)) > 0, summary
    layers = summary.split("## Running, by layer")[1].split("##")[0]
    # The service's own code and SQLAlchemy ran while it served: the layers are told apart.
    assert "the app's own code" in layers, summary
    assert "SQLAlchemy" in layers, summary


def test_wrk_report_is_read_with_latencies_in_milliseconds_and_every_error_count() -> None:
    result = parse_wrk_output(WRK_REPORT)

    assert result.requests == 41890
    assert result.duration_s == 10.01
    assert result.requests_per_s == 4184.82
    assert (result.p50_ms, result.p75_ms, result.p90_ms, result.p99_ms) == (0.812, 14.6, 19.9, 1200.0)
    assert result.non_2xx_3xx == 7
    assert (result.connect_errors, result.read_errors, result.write_errors, result.timeouts) == (0, 2, 1, 3)
    assert result.socket_errors == 6


def test_wrk_report_without_errors_counts_none() -> None:
    clean = "\n".join(
        line for line in WRK_REPORT.splitlines() if "errors" not in line and "Non-2xx" not in line
    )

    result = parse_wrk_output(clean)

    assert (result.non_2xx_3xx, result.socket_errors) == (0, 0)


def test_wrk_report_without_a_latency_distribution_is_refused() -> None:
    without_latency = "\n".join(line for line in WRK_REPORT.splitlines() if "%  " not in line)

    with pytest.raises(WrkError, match="unexpected wrk output"):
        parse_wrk_output(without_latency)
