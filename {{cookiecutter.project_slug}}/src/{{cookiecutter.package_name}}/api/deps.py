"""Dependencies the routes share."""

from typing import Annotated

from fastapi import Depends
from fastapi import Query
{% if cookiecutter.driver == "async" %}
from sqlalchemy.ext.asyncio import AsyncSession
{% else %}
from sqlalchemy.orm import Session
{% endif %}

{% if cookiecutter.driver == "sync" %}
from ..db import MAX_SESSIONS
{% endif %}
from ..db import get_session
from ..schemas import MAX_ID

{% if cookiecutter.driver == "async" %}
# scope="function": the transaction ends before the response is sent, so a
# client never sees a success for a write that did not commit.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
{% else %}
# scope="function": the transaction ends before the response is sent, so a
# client never sees a success for a write that did not commit.
# max_concurrency: no more sessions than pooled connections, so a request waits
# for a session without holding a worker thread, and a thread that has a
# session never waits for a connection (which could starve the thread pool).
SessionDep = Annotated[
    Session, Depends(get_session, scope="function", max_concurrency=MAX_SESSIONS)
]
{% endif %}

Limit = Annotated[int, Query(ge=1, le=100, description="How many rows to return at most.")]
Offset = Annotated[int, Query(ge=0, le=MAX_ID, description="How many rows to skip.")]
