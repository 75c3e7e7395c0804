"""A request's session and connection, each in the queue for one of the pool's connections."""

from collections.abc import AsyncIterator
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends
from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.ext.asyncio import AsyncSession

from ..db import Database

# The sessions and connections read the app's state themselves rather than depend on
# `database`: each dependency costs FastAPI some work on every request.


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """Yield a session in a transaction: committed if the request succeeds, else rolled back."""
    database: Database = request.app.state.database
    async with database.{{ "write_turn" if cookiecutter.database == "sqlite" else "turn" }}():
        # Not `database.sessions.begin()`: on exit it commits and closes in two asyncio tasks
        # of their own, so that a cancellation cannot cut them short. FastAPI already shields
        # a dependency's exit from cancellation.
        session = database.sessions()
        try:
            async with session.begin():
                yield session
        finally:
            await session.close()


async def get_connection(request: Request) -> AsyncIterator[AsyncConnection]:
    """Yield a connection for reads of one statement each; it never writes."""
    database: Database = request.app.state.database
    async with database.turn(), database.read_connection() as connection:
        yield connection


# For a dependency that reads once and is done, `async with reads() as connection:`: the
# connection is given back as soon as the read ends, and the dependency pays none of what
# FastAPI does around a dependency with `yield`.
Reads = Callable[[], AbstractAsyncContextManager[AsyncConnection]]


async def get_reads(request: Request) -> Reads:
    """What opens a connection for reads of one statement each, in the queue for it."""
    database: Database = request.app.state.database

    @asynccontextmanager
    async def read_connection() -> AsyncIterator[AsyncConnection]:
        async with database.turn(), database.read_connection() as connection:
            yield connection

    return read_connection


# scope="function": the transaction ends before the response is sent, so a
# client never sees a success for a write that did not commit.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
ConnectionDep = Annotated[AsyncConnection, Depends(get_connection, scope="function")]
ReadsDep = Annotated[Reads, Depends(get_reads)]
