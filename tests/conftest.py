"""Fixtures of the template's suite: real database servers, and projects baked once per worker."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from tests.combinations import Combination
from tests.servers import MariaDBServer
from tests.servers import PostgresServer
from tests.servers import ServerUnavailable
from tests.servers import free_port

TEMPLATE = Path(__file__).resolve().parents[1]
# Under CI a missing database server fails the run instead of skipping its cases.
CI = os.environ.get("CI") == "true"


@dataclass
class Baked:
    """A project baked from one combination of answers."""

    combination: Combination
    path: Path
    context: dict[str, Any]

    @property
    def package(self) -> str:
        return str(self.context["package_name"])

    def run(
        self, *args: str, env: dict[str, str] | None = None, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        """Run a command in the project directory with the suite's Python; never raises on failure."""
        return subprocess.run(
            args,
            cwd=self.path,
            env=project_env(env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def python(self, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        """Run `python <args>` in the project, with the suite's interpreter and packages."""
        return self.run(sys.executable, *args, **kwargs)


def project_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a baked project's commands: the suite's, minus what would leak in."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PYTEST_") and key not in {"DATABASE_URL", "TEST_DATABASE_URL"}
    }
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra or {})
    return env


def explain(result: subprocess.CompletedProcess[str]) -> str:
    """The end of a command's output, for an assertion message."""
    output = (result.stdout + result.stderr).strip()
    return f"exit {result.returncode}:\n{output[-6000:]}"


class Bakery:
    """Bakes each combination once per worker and hands out the same project after that."""

    def __init__(self, cookies: Any) -> None:
        self._cookies = cookies
        self._baked: dict[Combination, Baked] = {}

    def bake(self, combination: Combination) -> Baked:
        if combination not in self._baked:
            result = self._cookies.bake(extra_context=combination.answers)
            assert result.exit_code == 0, f"baking {combination.id} failed: {result.exception!r}"
            self._baked[combination] = Baked(combination, Path(result.project_path), result.context)
        return self._baked[combination]


@pytest.fixture(scope="session")
def bakery(cookies_session: Any) -> Bakery:
    """The projects baked so far by this worker."""
    return Bakery(cookies_session)


@pytest.fixture
def baked(bakery: Bakery, combination: Combination) -> Baked:
    """The project baked from the test's combination of answers."""
    return bakery.bake(combination)


def running_server(
    server_class: type[PostgresServer] | type[MariaDBServer], url_variable: str | None, package: str
) -> Iterator[Any]:
    """Yield the server at $url_variable, or a throwaway one started here and destroyed after."""
    url = os.environ.get(url_variable) if url_variable else None
    if url:
        yield server_class.from_url(url)
        return
    try:
        server = server_class.start_new()
    except ServerUnavailable as error:
        reason = f"these cases need a server: {error} (install {package}, or set {url_variable})"
        if CI:
            pytest.fail(f"{reason}; under CI=true this is a failure", pytrace=False)
        pytest.skip(reason)
    yield server
    server.destroy()


@pytest.fixture(scope="session")
def postgresql() -> Iterator[PostgresServer]:
    """A PostgreSQL server: TEST_POSTGRES_URL's, or a throwaway cluster this worker starts."""
    yield from running_server(PostgresServer, "TEST_POSTGRES_URL", "postgresql")


@pytest.fixture(scope="session")
def mysql() -> Iterator[MariaDBServer]:
    """A MariaDB server: TEST_MYSQL_URL's, or a throwaway server this worker starts."""
    yield from running_server(MariaDBServer, "TEST_MYSQL_URL", "mariadb-server")


@pytest.fixture
def database_url(request: pytest.FixtureRequest, baked: Baked, tmp_path: Path) -> Any:
    """A factory of fresh, empty databases of the project's kind, one per purpose, as URLs."""

    def make(purpose: str) -> str:
        combination = baked.combination
        if combination.database == "sqlite":
            return f"{combination.url_scheme}:///{tmp_path / purpose}.db"
        server: PostgresServer | MariaDBServer = request.getfixturevalue(combination.database)
        name = re.sub(r"[^a-z0-9]+", "_", f"{combination.id}_{purpose}")
        server.create_database(name)
        return server.url(name, driver=combination.url_scheme)

    return make


@dataclass
class Service:
    """A baked service running under uvicorn."""

    url: str
    process: subprocess.Popen[str]
    log: Path

    def problems(self, limit: int = 5) -> str:
        """The first warnings and errors the service logged, for a failure message."""
        lines = self.log.read_text().splitlines()
        return "\n".join([line for line in lines if '"WARNING"' in line or '"ERROR"' in line][:limit])


@contextmanager
def serving(baked: Baked, database_url: str, **env: str) -> Iterator[Service]:
    """Run the baked service with uvicorn on a free loopback port, until the block ends.

    On the way out the service gets SIGTERM, as an orchestrator would send it, and
    must stop by itself within ten seconds.
    """
    port = free_port()
    log = baked.path / f"uvicorn-{port}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", f"{baked.package}.main:app", "--app-dir", "src",
             "--host", "127.0.0.1", "--port", str(port)],
            cwd=baked.path,
            env=project_env({"DATABASE_URL": database_url, **env}),
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )  # fmt: skip
        base_url = f"http://127.0.0.1:{port}"
        try:
            wait_for_health(base_url, process, log)
            yield Service(base_url, process, log)
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
                    pytest.fail(f"the service ignored SIGTERM for 10 s:\n{log.read_text()[-3000:]}")


def wait_for_health(base_url: str, process: subprocess.Popen[str], log: Path, timeout: float = 30) -> None:
    """Wait until the service answers /health, or fail with its log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the service exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"the service did not answer /health within {timeout} s:\n{log.read_text()[-3000:]}")
