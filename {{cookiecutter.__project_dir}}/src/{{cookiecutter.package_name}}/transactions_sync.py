"""A turn at a connection, and a session in a transaction of its own, taken as a request's are."""

from collections.abc import Iterator
from contextlib import contextmanager

import anyio.from_thread
from sqlalchemy.orm import Session

from .db import Database


@contextmanager
def turn(database: Database) -> Iterator[None]:
    """Wait for the turn at a connection that a request's session waits for.

    For a worker thread of the event loop: it waits on the loop, where the queue is.
    """
    taken = database.{{ "write_turn" if cookiecutter.database == "sqlite" else "turn" }}()
    anyio.from_thread.run(taken.__aenter__)
    try:
        yield
    finally:
        anyio.from_thread.run(taken.__aexit__, None, None, None)


@contextmanager
def transaction(database: Database) -> Iterator[Session]:
    """A session in a transaction, committed when the block ends, rolled back if it raises.

    For a worker thread of the event loop, as `turn` is.
    """
    with turn(database), database.sessions.begin() as session:
        yield session
