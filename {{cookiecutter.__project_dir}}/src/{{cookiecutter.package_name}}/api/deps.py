"""Dependencies the routes share: sessions and connections, paging, ids in paths."""

from collections.abc import AsyncIterator
{% if cookiecutter.driver == "sync" %}
from collections.abc import Iterator
{% endif %}
from typing import Annotated

from fastapi import Depends
from fastapi import Path
from fastapi import Query
from fastapi import Request
{% if cookiecutter.driver == "async" %}
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.ext.asyncio import AsyncSession
{% else %}
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
{% endif %}

from ..db import Database
from ..schemas import MAX_ID

# The sessions and connections read the app's state themselves rather than depend on a
# dependency that reads it: each dependency costs FastAPI some work on every request.
{% if cookiecutter.driver == "async" %}


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """Yield a session in a transaction: committed if the request succeeds, else rolled back."""
    database: Database = request.app.state.database
{% if cookiecutter.database == "sqlite" %}
    async with database.write_turn(), database.sessions.begin() as session:
{% else %}
    async with database.turn(), database.sessions.begin() as session:
{% endif %}
        yield session


async def get_connection(request: Request) -> AsyncIterator[AsyncConnection]:
    """Yield a connection for reads of one statement each; it never writes."""
    database: Database = request.app.state.database
    async with database.turn(), database.read_connection() as connection:
        yield connection


# scope="function": the transaction ends before the response is sent, so a
# client never sees a success for a write that did not commit.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
ConnectionDep = Annotated[AsyncConnection, Depends(get_connection, scope="function")]
{% else %}


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


{% if cookiecutter.database == "sqlite" %}
def get_session(request: Request, _turn: WriteTurn) -> Iterator[Session]:
{% else %}
def get_session(request: Request, _turn: Turn) -> Iterator[Session]:
{% endif %}
    """Yield a session in a transaction: committed if the request succeeds, else rolled back."""
    database: Database = request.app.state.database
    with database.sessions.begin() as session:
        yield session


def get_connection(request: Request, _turn: Turn) -> Iterator[Connection]:
    """Yield a connection for reads of one statement each; it never writes."""
    database: Database = request.app.state.database
    with database.read_connection() as connection:
        yield connection


# scope="function": the transaction ends before the response is sent, so a
# client never sees a success for a write that did not commit.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ConnectionDep = Annotated[Connection, Depends(get_connection, scope="function")]
{% endif %}

Limit = Annotated[int, Query(ge=1, le=100, description="How many rows to return at most.")]
Offset = Annotated[int, Query(ge=0, le=MAX_ID, description="How many rows to skip.")]
# A user's or an item's id in the path; one out of the keys' range is refused, never looked up.
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
