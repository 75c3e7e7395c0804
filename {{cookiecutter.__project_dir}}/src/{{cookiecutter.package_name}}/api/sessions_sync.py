"""A request's session and connection, each in the queue for one of the pool's connections."""

from collections.abc import AsyncIterator
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Annotated

from fastapi import Depends
from fastapi import Request
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ..db import Database

# The sessions and connections read the app's state themselves rather than depend on
# `database`: each dependency costs FastAPI some work on every request.


async def _turn(request: Request) -> AsyncIterator[None]:
    # Waits on the event loop, not in a worker thread, until a pooled connection is free: a
    # worker thread then never waits for one (which could starve the thread pool).
    database: Database = request.app.state.database
    async with database.turn():
        yield


Turn = Annotated[None, Depends(_turn, scope="function")]
{% if cookiecutter.database == "sqlite" %}


async def _write_turn(request: Request) -> AsyncIterator[None]:
    # SQLite writes one transaction at a time: the sessions of this process queue for it here.
    database: Database = request.app.state.database
    async with database.write_turn():
        yield


WriteTurn = Annotated[None, Depends(_write_turn, scope="function")]
{% endif %}


def get_session(request: Request, _turn: {{ "WriteTurn" if cookiecutter.database == "sqlite" else "Turn" }}) -> Iterator[Session]:
    """Yield a session in a transaction: committed if the request succeeds, else rolled back."""
    database: Database = request.app.state.database
    with database.sessions.begin() as session:
        yield session


def get_connection(request: Request, _turn: Turn) -> Iterator[Connection]:
    """Yield a connection for reads of one statement each; it never writes."""
    database: Database = request.app.state.database
    with database.read_connection() as connection:
        yield connection


# For a dependency that reads once and is done, `with reads() as connection:`: the connection
# is given back as soon as the read ends. The turn is taken on the event loop before the
# dependency runs in its worker thread, and held until the request ends.
Reads = Callable[[], AbstractContextManager[Connection]]


async def get_reads(request: Request) -> AsyncIterator[Reads]:
    """What opens a connection for reads of one statement each, once the request's turn came."""
    database: Database = request.app.state.database
    async with database.turn():
        yield database.read_connection


# scope="function": the transaction ends before the response is sent, so a
# client never sees a success for a write that did not commit.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ConnectionDep = Annotated[Connection, Depends(get_connection, scope="function")]
ReadsDep = Annotated[Reads, Depends(get_reads, scope="function")]
