"""A session in a transaction of its own, in the queue for a connection as a request's is."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from .db import Database


@asynccontextmanager
async def transaction(database: Database) -> AsyncIterator[AsyncSession]:
    """A session in a transaction, committed when the block ends, rolled back if it raises."""
    async with database.{{ "write_turn" if cookiecutter.database == "sqlite" else "turn" }}(), database.sessions.begin() as session:
        yield session
