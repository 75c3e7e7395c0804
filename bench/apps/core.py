"""A reference: FastAPI on SQLAlchemy Core over asyncpg, statements built once, reads outside transactions.

What SQLAlchemy allows without the ORM: a read that is one statement runs on an AUTOCOMMIT
connection (no BEGIN and COMMIT round trips), a write runs in a transaction, and the rows
validate straight into the response model.
"""

from __future__ import annotations

import os
from typing import Annotated

from fastapi import HTTPException
from fastapi import Path
from fastapi import Query
from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from bench.apps.models import Base
from bench.apps.models import ItemCreate
from bench.apps.models import ItemRead
from bench.apps.models import app_serving

# As many connections as the ceiling's pool: enough to keep one core busy.
engine = create_async_engine(os.environ["DATABASE_URL"], pool_size=16, max_overflow=0)
reads = engine.execution_options(isolation_level="AUTOCOMMIT")
items = Base.metadata.tables["items"]

READ_ITEM = select(items).where(items.c.id == bindparam("item_id"))
LIST_ITEMS = select(items).order_by(items.c.id).limit(bindparam("limit")).offset(bindparam("offset"))
CREATE_ITEM = insert(items).values(created_at=func.now()).returning(*items.c)


app = app_serving(engine)


@app.post("/api/v1/items", status_code=201)
async def create_item(data: ItemCreate) -> ItemRead:
    async with engine.begin() as connection:
        row = (await connection.execute(CREATE_ITEM, data.model_dump())).one()
    return ItemRead.model_validate(row)


@app.get("/api/v1/items")
async def list_items(
    limit: Annotated[int, Query(ge=1, le=100)] = 50, offset: Annotated[int, Query(ge=0)] = 0
) -> list[ItemRead]:
    async with reads.connect() as connection:
        rows = await connection.execute(LIST_ITEMS, {"limit": limit, "offset": offset})
    return [ItemRead.model_validate(row) for row in rows]


@app.get("/api/v1/items/{item_id}")
async def read_item(item_id: Annotated[int, Path(ge=1)]) -> ItemRead:
    async with reads.connect() as connection:
        row = (await connection.execute(READ_ITEM, {"item_id": item_id})).first()
    if row is None:
        raise HTTPException(status_code=404, detail=f"Item {item_id} not found.")
    return ItemRead.model_validate(row)
