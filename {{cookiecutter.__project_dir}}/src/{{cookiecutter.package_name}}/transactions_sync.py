"""A session in a transaction of its own, in the queue for a connection as a request's is."""

from collections.abc import Iterator
from contextlib import contextmanager

import anyio.from_thread
from sqlalchemy.orm import Session

from .db import Database


@contextmanager
def transaction(database: Database) -> Iterator[Session]:
    """A session in a transaction, committed when the block ends, rolled back if it raises.

    For a worker thread of the event loop: it waits on the loop, where the queue is.
    """
    turn = database.{{ "write_turn" if cookiecutter.database == "sqlite" else "turn" }}()
    anyio.from_thread.run(turn.__aenter__)
    try:
        with database.sessions.begin() as session:
            yield session
    finally:
        anyio.from_thread.run(turn.__aexit__, None, None, None)
