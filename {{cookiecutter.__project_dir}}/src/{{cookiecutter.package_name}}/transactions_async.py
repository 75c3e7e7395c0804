"""A turn at a connection, and a session in a transaction of its own, taken as a request's are."""

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from .db import Database


def turn(database: Database) -> AbstractAsyncContextManager[None]:
    """Wait for the turn at a connection that a request's session waits for."""
    return database.{{ "write_turn" if cookiecutter.database == "sqlite" else "turn" }}()


@asynccontextmanager
async def transaction(database: Database) -> AsyncIterator[AsyncSession]:
    """A session in a transaction, committed when the block ends, rolled back if it raises."""
    async with turn(database), database.sessions.begin() as session:
        yield session
