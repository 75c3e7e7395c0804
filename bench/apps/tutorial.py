"""The tutorial app: FastAPI on the SQLAlchemy async ORM as the tutorials teach it, default pool and all."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends
from fastapi import HTTPException
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine

from bench.apps.models import Item
from bench.apps.models import ItemCreate
from bench.apps.models import ItemRead
from bench.apps.models import app_serving

engine = create_async_engine(os.environ["DATABASE_URL"])
async_session = async_sessionmaker(engine, expire_on_commit=False)


async def get_db() -> AsyncIterator[AsyncSession]:
    async with async_session() as session, session.begin():
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_db)]


app = app_serving(engine)


@app.post("/api/v1/items", status_code=201, response_model=ItemRead)
async def create_item(data: ItemCreate, db: SessionDep) -> Item:
    item = Item(**data.model_dump())
    db.add(item)
    await db.flush()
    await db.refresh(item)
    return item


@app.get("/api/v1/items", response_model=list[ItemRead])
async def list_items(db: SessionDep, limit: int = 50, offset: int = 0) -> list[Item]:
    result = await db.execute(select(Item).order_by(Item.id).limit(limit).offset(offset))
    return list(result.scalars().all())


@app.get("/api/v1/items/{item_id}", response_model=ItemRead)
async def read_item(item_id: int, db: SessionDep) -> Item:
    item = await db.get(Item, item_id)
    if item is None:
        raise HTTPException(status_code=404, detail="Item not found")
    return item
