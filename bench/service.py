"""Start an ASGI app under uvicorn on one CPU, wait until it answers, and always stop it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.servers import free_port

# Seconds a service may take to answer /health, and to stop after SIGTERM.
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
# A log line at INFO level, in uvicorn's plain format or as a JSON record.
INFO_RECORD = re.compile(r'^INFO:|"level": ?"INFO"')


class ServiceError(Exception):
    """The service did not start, or died under load (the message holds the end of its log)."""


@dataclass(frozen=True)
class Service:
    """An ASGI app to serve: `module:attribute`, imported from app_dir, run in cwd."""

    app: str
    app_dir: Path
    cwd: Path
    database_url: str


def uvicorn_command(service: Service, port: int, cpu: int) -> list[str]:
    """The same uvicorn command line for every app: one worker, uvloop, httptools, pinned to cpu."""
    return [
        "taskset", "-c", str(cpu),
        sys.executable, "-m", "uvicorn", service.app, "--app-dir", str(service.app_dir),
        "--host", "127.0.0.1", "--port", str(port), "--loop", "uvloop", "--http", "httptools",
        "--workers", "1", "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip


def service_env(database_url: str) -> dict[str, str]:
    """This process's environment with the app's DATABASE_URL, and nothing else that names a database."""
    env = {
        key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "TEST_DATABASE_URL"}
    }
    env["DATABASE_URL"] = database_url
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


@contextmanager
def serving(service: Service, cpu: int, log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Run the service on a free loopback port; yield its base URL and process; stop it on the way out."""
    port = free_port()
    with log.open("wb") as output:
        process = subprocess.Popen(
            uvicorn_command(service, port, cpu),
            cwd=service.cwd,
            env=service_env(service.database_url),
            stdout=output,
            stderr=subprocess.STDOUT,
            # Out of the terminal's process group: Ctrl-C reaches the benchmark, which stops the service.
            start_new_session=True,
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_for_health(base_url, process, log)
            yield base_url, process
        finally:
            stop(process)


def wait_for_health(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until GET /health answers 200, or raise ServiceError with the service's log."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServiceError(f"the service exited with {process.returncode}:\n{log_tail(log)}")
        try:
            with urllib.request.urlopen(f"{base_url}/health", timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    raise ServiceError(f"the service did not answer /health within {START_TIMEOUT:.0f} s:\n{log_tail(log)}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Send SIGTERM as an orchestrator would; kill the service if it does not stop in time."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)


def log_tail(log: Path, lines: int = 30) -> str:
    """The last lines of a service's log, leaving out records at INFO level (a request log, say)."""
    try:
        text = log.read_text(errors="replace")
    except FileNotFoundError:
        return ""
    kept = [line for line in text.splitlines() if not INFO_RECORD.search(line)]
    return "\n".join(kept[-lines:])
