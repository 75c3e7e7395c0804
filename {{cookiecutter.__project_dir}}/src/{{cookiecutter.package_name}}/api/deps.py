"""Dependencies the routes share: the request's database session, and paging."""

{% if cookiecutter.driver == "async" %}
from collections.abc import AsyncIterator
{% else %}
from collections.abc import AsyncIterator
from collections.abc import Iterator
{% endif %}
from typing import Annotated

from fastapi import Depends
from fastapi import Query
from fastapi import Request
{% if cookiecutter.driver == "async" %}
from sqlalchemy.ext.asyncio import AsyncSession
{% else %}
from sqlalchemy.orm import Session
{% endif %}

from ..db import Database
from ..schemas import MAX_ID
from ..security import Passwords


def database(request: Request) -> Database:
    """The database the app was built with."""
    built: Database = request.app.state.database
    return built


async def passwords(request: Request) -> Passwords:
    """The password hasher the app was built with."""
    built: Passwords = request.app.state.passwords
    return built


{% if cookiecutter.driver == "async" %}
async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """Yield a session in a transaction: committed if the request succeeds, else rolled back."""
    async with database(request).sessions.begin() as session:
        yield session


# scope="function": the transaction ends before the response is sent, so a
# client never sees a success for a write that did not commit.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
{% else %}
async def _session_slot(request: Request) -> AsyncIterator[None]:
    # Waits on the event loop, not in a worker thread, until a pooled connection is free.
    async with database(request).session_slots:
        yield


def get_session(
    request: Request, _slot: Annotated[None, Depends(_session_slot, scope="function")]
) -> Iterator[Session]:
    """Yield a session in a transaction: committed if the request succeeds, else rolled back."""
    with database(request).sessions.begin() as session:
        yield session


# scope="function": the transaction ends before the response is sent, so a
# client never sees a success for a write that did not commit.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
{% endif %}
PasswordsDep = Annotated[Passwords, Depends(passwords)]

Limit = Annotated[int, Query(ge=1, le=100, description="How many rows to return at most.")]
Offset = Annotated[int, Query(ge=0, le=MAX_ID, description="How many rows to skip.")]
