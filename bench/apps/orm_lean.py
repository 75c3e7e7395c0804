"""A reference: FastAPI on the SQLAlchemy async ORM, used leanly.

The split of the Core reference, with the ORM's own calls: `session.get` and `select(Item)` in a
session on an AUTOCOMMIT connection for reads, `add` and `flush` in a transaction for writes.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends
from fastapi import HTTPException
from fastapi import Path
from fastapi import Query
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine

from bench.apps.models import Item
from bench.apps.models import ItemCreate
from bench.apps.models import ItemRead
from bench.apps.models import app_serving

# As many connections as the ceiling's pool: enough to keep one core busy.
engine = create_async_engine(os.environ["DATABASE_URL"], pool_size=16, max_overflow=0)
write_sessions = async_sessionmaker(engine, expire_on_commit=False)
read_sessions = async_sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"))


async def reading() -> AsyncIterator[AsyncSession]:
    async with read_sessions() as session:
        yield session


async def writing() -> AsyncIterator[AsyncSession]:
    async with write_sessions.begin() as session:
        yield session


ReadSession = Annotated[AsyncSession, Depends(reading)]
WriteSession = Annotated[AsyncSession, Depends(writing, scope="function")]


app = app_serving(engine)


@app.post("/api/v1/items", status_code=201)
async def create_item(data: ItemCreate, session: WriteSession) -> ItemRead:
    item = Item(**data.model_dump())
    session.add(item)
    await session.flush()
    return ItemRead.model_validate(item)


@app.get("/api/v1/items")
async def list_items(
    session: ReadSession,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[ItemRead]:
    found = await session.scalars(select(Item).order_by(Item.id).limit(limit).offset(offset))
    return [ItemRead.model_validate(item) for item in found]


@app.get("/api/v1/items/{item_id}")
async def read_item(item_id: Annotated[int, Path(ge=1)], session: ReadSession) -> ItemRead:
    item = await session.get(Item, item_id)
    if item is None:
        raise HTTPException(status_code=404, detail=f"Item {item_id} not found.")
    return ItemRead.model_validate(item)
