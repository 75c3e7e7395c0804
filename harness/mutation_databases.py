"""A pytest plugin for mutation runs on a database server: each run of the tests has a database of its own.

mutmut forks a process per mutant and runs the project's tests in it, several at once. The
tests migrate their database up and down and commit rows in it, so two runs on one database
would see each other's rows. harness.mutation loads this plugin (PYTEST_ADDOPTS) with the
server's URL in the environment; each run takes a free slot, a lock on a file that the
kernel releases when the process ends, even when mutmut kills it for a timeout, and tests
on that slot's database, made new (empty) for it.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

import pytest

from harness.servers import MariaDBServer
from harness.servers import PostgresServer

# Set by harness.mutation: the server (a URL allowed to create databases), the service's URL
# scheme, how many runs there are at once, and where their locks are.
SERVER = "MUTATION_SERVER_URL"
SCHEME = "MUTATION_URL_SCHEME"
SLOTS = "MUTATION_SLOTS"
LOCKS = "MUTATION_LOCKS"

# The lock this process holds while its tests run.
_held: list[IO[bytes]] = []


def database_name(slot: int) -> str:
    """The database of a slot."""
    return f"mutation_{slot}"


def take_slot(locks: Path, slots: int) -> tuple[int, IO[bytes]]:
    """Lock the first free slot's file; return the slot and the open file that holds the lock."""
    for slot in range(slots):
        lock = (locks / f"slot-{slot}.lock").open("wb")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            continue
        return slot, lock
    raise RuntimeError(f"all {slots} mutation database slots in {locks} are taken")


def pytest_configure(config: pytest.Config) -> None:
    """Before the session's fixtures read TEST_DATABASE_URL: point it at a new database of our own."""
    url, scheme = os.environ[SERVER], os.environ[SCHEME]
    slot, lock = take_slot(Path(os.environ[LOCKS]), int(os.environ[SLOTS]))
    _held.append(lock)
    server = PostgresServer.from_url(url) if url.startswith("postgresql") else MariaDBServer.from_url(url)
    server.create_database(database_name(slot))  # dropping what a killed run left there
    os.environ["TEST_DATABASE_URL"] = server.url(database_name(slot), driver=scheme)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Free the slot: the fork server runs pytest too, and its children must not inherit the lock."""
    while _held:
        _held.pop().close()
