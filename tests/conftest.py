"""Fixtures of the template's suite: real database servers, and projects baked once per worker.

The machinery behind them (servers, combinations, baking, serving) is in harness/.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.combinations import Combination
from harness.identities import Callers
from harness.identities import IdentityProvider
from harness.identities import identity_provider
from harness.projects import CI
from harness.projects import Baked
from harness.projects import bake
from harness.servers import DatabaseFactory
from harness.servers import DatabaseServer
from harness.servers import MariaDBServer
from harness.servers import PostgresServer
from harness.servers import ServerUnavailable


class Bakery:
    """Bakes each combination once per worker and hands out the same project after that."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._baked: dict[Combination, Baked] = {}

    def bake(self, combination: Combination) -> Baked:
        """The project of this combination, baked on first use."""
        if combination not in self._baked:
            self._baked[combination] = bake(combination, self._directory / combination.id)
        return self._baked[combination]


@pytest.fixture(scope="session")
def bakery(tmp_path_factory: pytest.TempPathFactory) -> Bakery:
    """The projects baked so far by this worker."""
    return Bakery(tmp_path_factory.mktemp("baked"))


@pytest.fixture
def baked(bakery: Bakery, combination: Combination) -> Baked:
    """The project baked from the test's combination of answers."""
    return bakery.bake(combination)


def running_server(
    server_class: type[PostgresServer | MariaDBServer], url_variable: str | None, package: str
) -> Iterator[DatabaseServer]:
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
def postgresql() -> Iterator[DatabaseServer]:
    """A PostgreSQL server: TEST_POSTGRES_URL's, or a throwaway cluster this worker starts."""
    yield from running_server(PostgresServer, "TEST_POSTGRES_URL", "postgresql")


@pytest.fixture(scope="session")
def mysql() -> Iterator[DatabaseServer]:
    """A MariaDB server: TEST_MYSQL_URL's, or a throwaway server this worker starts."""
    yield from running_server(MariaDBServer, "TEST_MYSQL_URL", "mariadb-server")


@pytest.fixture
def own_server(baked: Baked) -> Iterator[DatabaseServer]:
    """A database server of the project's kind for this test alone: the test stops and starts it."""
    server_class, package = {
        "postgresql": (PostgresServer, "postgresql"),
        "mysql": (MariaDBServer, "mariadb-server"),
    }[baked.combination.database]
    # Never an outside server (TEST_*_URL): the suite may not stop those.
    yield from running_server(server_class, None, package)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, baked: Baked, tmp_path: Path) -> DatabaseFactory:
    """A factory of fresh, empty databases of the project's kind, one per purpose, as URLs."""

    def make(purpose: str) -> str:
        combination = baked.combination
        if combination.database == "sqlite":
            return f"{combination.url_scheme}:///{tmp_path / purpose}.db"
        server: DatabaseServer = request.getfixturevalue(combination.database)
        name = re.sub(r"[^a-z0-9]+", "_", f"{combination.id}_{purpose}")[:63]
        server.create_database(name)
        return server.url(name, driver=combination.url_scheme)

    return make


@pytest.fixture(scope="session")
def provider() -> Iterator[IdentityProvider]:
    """A local OpenID Connect provider, for the services baked with `auth=oidc`."""
    with identity_provider() as running:
        yield running


@pytest.fixture
def callers(request: pytest.FixtureRequest, baked: Baked) -> Callers:
    """Credentials for the clients of the baked service, by its answer to `auth`."""
    auth = baked.combination.auth
    provider = request.getfixturevalue("provider") if auth == "oidc" else None
    return Callers(auth, provider)
