"""The benchmark's results: what was measured where, as JSON and as a markdown table."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from dataclasses import dataclass
from dataclasses import field
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench.scenarios import SCENARIOS
from bench.wrk import WrkResult

CEILING = "ceiling"
TUTORIAL = "tutorial-async"
S3RIUS = "s3rius-create"
# What a bake reads: a change here changes the service under test.
TEMPLATE_PATHS = ("{{cookiecutter.__project_dir}}", "hooks", "templates", "cookiecutter.json")
LIBRARIES = ("fastapi", "starlette", "pydantic", "sqlalchemy", "asyncpg", "psycopg", "aiosqlite", "uvicorn")


@dataclass(frozen=True)
class Run:
    """One measured wrk run, and how busy the service's and wrk's CPUs were (with whatever else ran there)."""

    wrk: WrkResult
    cpu_busy_percent: dict[str, float]
    # The CPU time the app's process used (user and system) per request answered, in µs: what
    # another process on the same CPU changes least, unlike req/s.
    service_cpu_us_per_request: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.wrk.as_dict(),
            "cpu_busy_percent": self.cpu_busy_percent,
            "service_cpu_us_per_request": self.service_cpu_us_per_request,
        }


@dataclass
class ScenarioResult:
    """The runs of one scenario against one app, and the runs that failed."""

    runs: list[Run] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def median(self) -> Run | None:
        """The run with the median requests/s (the lower middle one for an even count)."""
        if not self.runs:
            return None
        ranked = sorted(self.runs, key=lambda run: run.wrk.requests_per_s)
        return ranked[(len(ranked) - 1) // 2]


@dataclass
class AppResult:
    """Everything measured for one app, or why it could not be measured."""

    name: str
    description: str
    database: str
    # The scenarios the app is measured in (a reference made for one comparison has fewer).
    measured: list[str] = field(default_factory=lambda: [s.name for s in SCENARIOS])
    scenarios: dict[str, ScenarioResult] = field(default_factory=dict)
    error: str | None = None
    log_tail: str = ""

    @property
    def complete(self) -> bool:
        """Whether every scenario it is measured in has a median run that served requests."""
        medians = [self.scenarios.get(name, ScenarioResult()).median for name in self.measured]
        return self.error is None and all(run is not None and run.wrk.requests > 0 for run in medians)


def machine_info(postgres_version: str) -> dict[str, Any]:
    """The hardware and software the numbers were measured on."""
    return {
        "cpu_model": cpu_model(),
        "cores": os.cpu_count(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgresql": postgres_version,
        "sqlite": sqlite3.sqlite_version,
        "wrk": wrk_version(),
        "libraries": {name: version(name) for name in LIBRARIES},
    }


def template_version(repository: Path) -> str:
    """The commit the template was baked from, and whether the template had changes on top of it."""
    commit = git(repository, "rev-parse", "--short", "HEAD")
    if not commit:
        return "unknown (not a git work tree)"
    changed = git(repository, "status", "--porcelain", "--", *TEMPLATE_PATHS)
    return f"{commit} with uncommitted changes" if changed else commit


def git(repository: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(repository), *args], capture_output=True, text=True, timeout=30, check=False
    )
    return result.stdout.strip() if result.returncode == 0 else ""


def cpu_model() -> str:
    """The CPU's model name, as /proc/cpuinfo gives it."""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name":
            return value.strip()
    return platform.processor() or "unknown"


def wrk_version() -> str:
    # wrk has no --version: it prints its version above the usage text, and exits with 1.
    result = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10, check=False)
    lines = (result.stdout or result.stderr).splitlines()
    return lines[0].partition(" Copyright")[0].strip() if lines else "unknown"


def results_json(
    apps: list[AppResult], *, date: str, template: str, machine: dict[str, Any], settings: dict[str, Any]
) -> dict[str, Any]:
    """All the numbers of a benchmark run, each app's median runs compared with the ceiling's."""
    ceiling = next((app for app in apps if app.name == CEILING), None)
    data: dict[str, Any] = {
        "date": date,
        "template": template,
        "machine": machine,
        "settings": settings,
        "scenarios": [{"name": s.name, "short": s.short, "request": s.request} for s in SCENARIOS],
        "apps": [app_json(app, ceiling) for app in apps],
    }
    data["comparisons"] = comparisons(data)
    return data


def app_json(app: AppResult, ceiling: AppResult | None) -> dict[str, Any]:
    scenarios = {}
    for scenario in SCENARIOS:
        result = app.scenarios.get(scenario.name, ScenarioResult())
        median = result.median
        scenarios[scenario.name] = {
            "median": median.as_dict() if median else None,
            "ratio_to_ceiling": ratio(median, ceiling.scenarios.get(scenario.name) if ceiling else None),
            "runs": [run.as_dict() for run in result.runs],
            "failures": result.failures,
        }
    return {
        "name": app.name,
        "description": app.description,
        "database": app.database,
        "measured": app.measured,
        "complete": app.complete,
        "error": app.error,
        "scenarios": scenarios,
        "log_tail": app.log_tail,
    }


def comparisons(data: dict[str, Any]) -> dict[str, Any]:
    """Each baked pair against what it is held to, from the median runs of this one run.

    - tracing: the share of req/s lost with tracing on (`<pair>-traced` vs `<pair>`);
    - tracing_sampled: the same with one trace in ten sampled (`<pair>-sampled` vs `<pair>`);
    - account_check: the share of GET's req/s the per-request read of the caller's account costs
      (`<pair>` vs `<pair>-unchecked`, the same service with that read skipped);
    - vs_tutorial: req/s as a multiple of the tutorial-style app's, and p99 / p50, per scenario;
    - create_vs_s3rius: create's req/s as a multiple of s3rius/FastAPI-template's create.
    """
    medians = {
        app["name"]: {name: result["median"] for name, result in app["scenarios"].items() if result["median"]}
        for app in data["apps"]
    }

    def rate(app: str, scenario: str) -> float | None:
        median = medians.get(app, {}).get(scenario)
        return median["requests_per_s"] if median else None

    def share_lost(app: str, baseline: str, scenario: str) -> float | None:
        measured, base = rate(app, scenario), rate(baseline, scenario)
        return None if measured is None or not base else round(1 - measured / base, 3)

    def multiple(app: str, reference: str, scenario: str) -> float | None:
        measured, base = rate(app, scenario), rate(reference, scenario)
        return None if measured is None or not base else round(measured / base, 2)

    names = [s.name for s in SCENARIOS]
    pairs = [name for name in data["settings"]["combinations"] if name in medians]
    return {
        "tracing": {
            pair: {s: share_lost(f"{pair}-traced", pair, s) for s in names}
            for pair in pairs
            if f"{pair}-traced" in medians
        },
        "tracing_sampled": {
            pair: {s: share_lost(f"{pair}-sampled", pair, s) for s in names}
            for pair in pairs
            if f"{pair}-sampled" in medians
        },
        "account_check": {
            pair: {"get_item": share_lost(pair, f"{pair}-unchecked", "get_item")}
            for pair in pairs
            if f"{pair}-unchecked" in medians
        },
        "vs_tutorial": {
            pair: {
                s: {
                    "multiple": multiple(pair, TUTORIAL, s),
                    "p99_over_p50": round(m["p99_ms"] / m["p50_ms"], 2)
                    if (m := medians[pair].get(s))
                    else None,
                }
                for s in names
            }
            for pair in pairs
            if pair.endswith("-async")
        },
        "create_vs_s3rius": {pair: multiple(pair, S3RIUS, "create_item") for pair in pairs},
    }


def comparison_lines(data: dict[str, Any]) -> list[str]:
    """The comparisons as markdown tables (nothing for what was not measured)."""
    found = data.get("comparisons", {})
    shorts = {s["name"]: s["short"] for s in data["scenarios"]}

    def percent(value: float | None) -> str:
        return "" if value is None else f"{-100 * value:+.0f} %"

    def times(value: float | None) -> str:
        return "" if value is None else f"{value:.2f}x"

    lines = []
    if found.get("tracing"):
        lines += [
            "",
            "Tracing's cost: req/s with tracing on (spans exported to a sink that drops them) vs off:",
            "",
        ]
        lines += ["| pair | " + " | ".join(shorts.values()) + " |", "|---|" + "---:|" * len(shorts)]
        lines += [f"| {pair} | " + " | ".join(percent(v) for v in row.values()) + " |"
                  for pair, row in found["tracing"].items()]  # fmt: skip
        lines += [f"| {pair}, 1 trace in 10 | " + " | ".join(percent(v) for v in row.values()) + " |"
                  for pair, row in found.get("tracing_sampled", {}).items()]  # fmt: skip
    if found.get("account_check"):
        lines += ["", "The per-request account check's cost on GET one item: req/s vs the same service "
                  "with that read skipped:", "", "| pair | get |", "|---|---:|"]  # fmt: skip
        lines += [f"| {pair} | {percent(row['get_item'])} |" for pair, row in found["account_check"].items()]
    if found.get("vs_tutorial"):
        lines += ["", f"Against `{TUTORIAL}` (req/s as a multiple of its) and the tail (p99 / p50):", ""]
        lines += ["| pair | " + " | ".join(f"{s} x tutorial | {s} p99/p50" for s in shorts.values()) + " |"]
        lines += ["|---|" + "---:|---:|" * len(shorts)]
        lines += [f"| {pair} | " + " | ".join(f"{times(v['multiple'])} | {v['p99_over_p50'] or ''}"
                                              for v in row.values()) + " |"
                  for pair, row in found["vs_tutorial"].items()]  # fmt: skip
    lines += cpu_lines(data, shorts)
    if any(value is not None for value in found.get("create_vs_s3rius", {}).values()):
        lines += [
            "",
            f"create against `{S3RIUS}` (req/s as a multiple of its):",
            "",
            "| pair | create |",
            "|---|---:|",
        ]
        lines += [f"| {pair} | {times(value)} |" for pair, value in found["create_vs_s3rius"].items()]
    return lines


def cpu_lines(data: dict[str, Any], shorts: dict[str, str]) -> list[str]:
    """The app's CPU time per request in each scenario's median run, as a markdown table."""

    def cell(app: dict[str, Any], scenario: str) -> str:
        median = app["scenarios"][scenario]["median"]
        value = median.get("service_cpu_us_per_request") if median else None
        return "" if value is None else f"{value:,.0f}"

    rows = [
        f"| {app['name']} | " + " | ".join(cell(app, name) for name in shorts) + " |" for app in data["apps"]
    ]
    if not any(cell(app, name) for app in data["apps"] for name in shorts):
        return []
    return [
        "",
        "The app's CPU time per request, in µs (its process's user + system time over the median "
        "run, divided by the requests answered): other processes on its CPU move it far less than req/s.",
        "",
        "| app | " + " | ".join(shorts.values()) + " |",
        "|---|" + "---:|" * len(shorts),
        *rows,
    ]


def ratio(median: Run | None, ceiling: ScenarioResult | None) -> float | None:
    """The app's requests/s as a fraction of the ceiling's in the same scenario."""
    ceiling_median = ceiling.median if ceiling else None
    if median is None or ceiling_median is None or ceiling_median.wrk.requests_per_s == 0:
        return None
    return round(median.wrk.requests_per_s / ceiling_median.wrk.requests_per_s, 3)


def results_markdown(data: dict[str, Any]) -> str:
    """results.md: when and where, the table, and how to read it."""
    machine, settings = data["machine"], data["settings"]
    lines = [
        "# Benchmark results",
        "",
        f"- Date: {data['date']}",
        f"- Template: commit {data['template']}",
        f"- Machine: {machine['cpu_model']}, {machine['cores']} cores, Linux {machine['kernel']}, "
        f"Python {machine['python']}, PostgreSQL {machine['postgresql']}, SQLite {machine['sqlite']}, "
        f"{machine['wrk']}",
        f"- Load: wrk, {settings['threads']} thread, {settings['connections']} connections, "
        f"{settings['warmup_s']} s warm-up (not reported), then {settings['runs']} runs of "
        f"{settings['duration_s']} s per scenario; the median run (by req/s) is shown. "
        f"Request timeout {settings['request_timeout']}; "
        f"{settings['rows']} users and {settings['rows']} items seeded.",
        f"- Placement: {settings['placement']}",
        f"- Command: `{settings['command']}`",
        "",
        results_table(data),
        *comparison_lines(data),
        "",
        "Scenarios:",
        "",
        *(f"- `{s['short']}`: {s['request']}" for s in data["scenarios"]),
        "",
        "Apps:",
        "",
        *(f"- `{app['name']}`: {app['description']}" for app in data["apps"]),
        "",
        "How to read it:",
        "",
        "- req/s counts every response, whatever its status: read it together with non-2xx "
        "(responses other than 2xx/3xx) and errors (socket connect/read/write errors and requests "
        f"that took longer than {settings['request_timeout']}).",
        "- p50 and p99 are wrk's latency percentiles, in milliseconds, of the median run.",
        "- vs ceiling is the app's req/s divided by the ceiling's in the same scenario. The SQLite "
        "combinations are compared with the PostgreSQL ceiling too: their database works "
        "in-process, on the service's own CPU, with no network round trip.",
        "- The numbers are those of this machine at that time; compare rows with each other, not "
        "with another machine's results.",
        *failure_lines(data["apps"]),
    ]
    return "\n".join(lines) + "\n"


def results_table(data: dict[str, Any]) -> str:
    """One row per app; for each scenario req/s, p50, p99, non-2xx, errors and the ratio to the ceiling."""
    header = ["app"]
    for scenario in data["scenarios"]:
        short = scenario["short"]
        header += [f"{short} req/s", f"{short} p50 ms", f"{short} p99 ms", f"{short} non-2xx",
                   f"{short} errors", f"{short} vs ceiling"]  # fmt: skip
    rows = [header, ["---", *["---:"] * (len(header) - 1)]]
    for app in data["apps"]:
        row = [app["name"]]
        for scenario in data["scenarios"]:
            if scenario["name"] in app.get("measured", [scenario["name"]]):
                row += scenario_cells(app["scenarios"][scenario["name"]])
            else:
                row += ["-", "", "", "", "", ""]
        rows.append(row)
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


def scenario_cells(result: dict[str, Any]) -> list[str]:
    median = result["median"]
    if median is None:
        return ["failed", "", "", "", "", ""]
    ratio = result["ratio_to_ceiling"]
    return [
        f"{median['requests_per_s']:,.0f}",
        latency(median["p50_ms"]),
        latency(median["p99_ms"]),
        str(median["non_2xx_3xx"]),
        str(median["socket_errors"]),
        "" if ratio is None else f"{ratio:.2f}",
    ]


def latency(ms: float) -> str:
    return f"{ms:.2f}" if ms < 10 else f"{ms:.1f}"


def failure_lines(apps: list[dict[str, Any]]) -> list[str]:
    """What went wrong, if anything did, under a heading of its own."""
    lines = []
    for app in apps:
        if app["error"]:
            lines.append(f"- `{app['name']}` could not be measured: {app['error'].splitlines()[0]}")
        for name, result in app["scenarios"].items():
            lines += [
                f"- `{app['name']}` {name}: {failure.splitlines()[0]}" for failure in result["failures"]
            ]
    return ["", "Failures:", "", *lines] if lines else []
