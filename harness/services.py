"""Serving an ASGI app with uvicorn on a free loopback port, and always stopping it."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from harness.projects import Baked
from harness.projects import project_env
from harness.servers import free_port

# Seconds a service may take to answer /health, and to stop after SIGTERM.
START_TIMEOUT = 30.0
# Every caller of a test comes from 127.0.0.1: the per-client limits of the password answer
# would refuse a load test's sign-ups and logins. Given first, a test can still set its own.
ONE_ADDRESS_FOR_ALL_CALLERS = {"CLIENT_SIGNUPS_PER_HOUR": "1000000", "CLIENT_LOGINS_PER_MINUTE": "1000000"}
STOP_TIMEOUT = 10.0
# A log line at INFO level, in uvicorn's plain format or as a JSON record.
INFO_RECORD = re.compile(r'^INFO:|"level": ?"INFO"')


class ServiceError(Exception):
    """The service did not start, died, or did not stop (the message holds the end of its log)."""


@dataclass
class Service:
    """An app served by uvicorn."""

    url: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def problems(self, limit: int = 5) -> str:
        """The first warnings and errors the service logged, for a failure message."""
        lines = self.log.read_text(errors="replace").splitlines()
        return "\n".join([line for line in lines if '"WARNING"' in line or '"ERROR"' in line][:limit])

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of the log, leaving out records at INFO level (a request log, say)."""
        return log_tail(self.log, lines)


@contextmanager
def serving(
    app: str,
    *,
    cwd: Path,
    app_dir: Path,
    log: Path,
    env: dict[str, str] | None = None,
    options: Sequence[str] = (),
    cpu: int | None = None,
    port: int | None = None,
    factory: bool = False,
    stop_timeout: float = STOP_TIMEOUT,
) -> Iterator[Service]:
    """Run `uvicorn app` (`--factory`: app names a function that builds it) on a loopback port
    until the block ends, then stop it with SIGTERM.

    On the way out the service gets SIGTERM, as an orchestrator would send it, and must
    stop by itself within `stop_timeout` seconds; otherwise it is killed and ServiceError raised.
    """
    port = port or free_port()
    command = [
        sys.executable, "-m", "uvicorn", app, "--app-dir", str(app_dir),
        "--host", "127.0.0.1", "--port", str(port), *(["--factory"] if factory else []), *options,
    ]  # fmt: skip
    if cpu is not None:
        command = ["taskset", "-c", str(cpu), *command]
    with running(command, cwd=cwd, log=log, env=env or {}, port=port, stop_timeout=stop_timeout) as service:
        yield service


@contextmanager
def running(
    command: list[str],
    *,
    cwd: Path,
    log: Path,
    env: dict[str, str],
    port: int,
    stop_timeout: float = STOP_TIMEOUT,
) -> Iterator[Service]:
    """Run a command that serves HTTP on a loopback port until the block ends; stop it with SIGTERM."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=cwd, env=project_env(env), stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        service = Service(f"http://127.0.0.1:{port}", port, process, log)
        try:
            wait_for_health(service)
            yield service
        finally:
            stop(service, stop_timeout)


@contextmanager
def serving_with_workers(baked: Baked, database_url: str, workers: int = 2, **env: str) -> Iterator[Service]:
    """Serve a baked project as its image does: `python -m <package> serve`, with `workers` processes."""
    port = free_port()
    settings = {
        **ONE_ADDRESS_FOR_ALL_CALLERS,
        "DATABASE_URL": database_url,
        "PORT": str(port),
        "WEB_CONCURRENCY": str(workers),
        **env,
    }
    with running(
        [sys.executable, "-m", baked.package, "serve"],
        cwd=baked.path,
        log=baked.path.parent / f"serve-{port}.log",
        env={"PYTHONPATH": str(baked.path / "src"), **settings},
        port=port,
    ) as service:
        yield service


@contextmanager
def serving_baked(baked: Baked, database_url: str, **env: str) -> Iterator[Service]:
    """Serve a baked project's app against a database, with any more settings."""
    port = free_port()
    with serving(
        f"{baked.package}.main:create_app",
        factory=True,
        cwd=baked.path,
        app_dir=baked.path / "src",
        log=baked.path.parent / f"uvicorn-{port}.log",
        env={**ONE_ADDRESS_FOR_ALL_CALLERS, "DATABASE_URL": database_url, **env},
        port=port,
    ) as service:
        yield service


def wait_for_health(service: Service, timeout: float = START_TIMEOUT) -> None:
    """Wait until GET /health answers 200, or raise ServiceError with the service's log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if service.process.poll() is not None:
            raise ServiceError(f"the service exited with {service.process.returncode}:\n{service.log_tail()}")
        try:
            with urllib.request.urlopen(f"{service.url}/health", timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    raise ServiceError(f"the service did not answer /health within {timeout:.0f} s:\n{service.log_tail()}")


def stop(service: Service, timeout: float = STOP_TIMEOUT) -> None:
    """Send SIGTERM as an orchestrator would; kill the service if it does not stop within `timeout` s."""
    if service.process.poll() is not None:
        return
    service.process.send_signal(signal.SIGTERM)
    try:
        service.process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        service.process.kill()
        service.process.wait(timeout=STOP_TIMEOUT)
        message = f"the service ignored SIGTERM for {timeout:.0f} s:\n{service.log_tail()}"
        raise ServiceError(message) from None


def log_tail(log: Path, lines: int = 30) -> str:
    """The last lines of a log, leaving out records at INFO level (a request log, say)."""
    try:
        text = log.read_text(errors="replace")
    except FileNotFoundError:
        return ""
    kept = [line for line in text.splitlines() if not INFO_RECORD.search(line)]
    return "\n".join(kept[-lines:])
