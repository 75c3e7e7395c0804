"""The ceiling: Starlette on a raw asyncpg pool with hand-written SQL, serving the same item endpoints."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

# Enough connections to keep one core busy; more only adds contention in PostgreSQL.
POOL_SIZE = 16
MAX_ID = 2**31 - 1
MAX_TITLE = 200
STATUSES = {"public", "private"}
ITEM_COLUMNS = "id, title, description, status, owner_id, created_at"

READ_ITEM = f"SELECT {ITEM_COLUMNS} FROM items WHERE id = $1"
LIST_ITEMS = f"SELECT {ITEM_COLUMNS} FROM items ORDER BY id LIMIT $1 OFFSET $2"
CREATE_ITEM = (
    "INSERT INTO items (title, description, status, owner_id, created_at) "
    f"VALUES ($1, $2, $3, $4, now()) RETURNING {ITEM_COLUMNS}"
)


class Invalid(Exception):
    """A request the API refuses with 422; the message says why."""


def item_json(row: asyncpg.Record) -> dict[str, Any]:
    """An item as the template's API shows it."""
    return {
        "id": row["id"],
        "title": row["title"],
        "description": row["description"],
        "status": row["status"],
        "owner_id": row["owner_id"],
        "created_at": row["created_at"].isoformat(),
    }


def unprocessable(message: str) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=422)


def not_found(item_id: int) -> JSONResponse:
    return JSONResponse({"detail": f"Item {item_id} not found."}, status_code=404)


def query_int(request: Request, name: str, default: int, low: int, high: int) -> int:
    """An integer query parameter within [low, high]."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Invalid(f"{name} must be an integer") from None
    if not low <= value <= high:
        raise Invalid(f"{name} must be between {low} and {high}")
    return value


def item_fields(body: Any) -> tuple[str, str | None, str, int]:
    """The title, description, status and owner_id of a new item, checked as the template checks them."""
    if not isinstance(body, dict):
        raise Invalid("the body must be a JSON object")
    title, description = body.get("title"), body.get("description")
    status, owner_id = body.get("status", "private"), body.get("owner_id")
    if not isinstance(title, str) or not 1 <= len(title.strip()) <= MAX_TITLE:
        raise Invalid(f"title must be a string of 1 to {MAX_TITLE} characters")
    if description is not None and not isinstance(description, str):
        raise Invalid("description must be a string or null")
    if status not in STATUSES:
        raise Invalid("status must be 'public' or 'private'")
    if not isinstance(owner_id, int) or isinstance(owner_id, bool) or not 1 <= owner_id <= MAX_ID:
        raise Invalid(f"owner_id must be an integer between 1 and {MAX_ID}")
    return title.strip(), description, status, owner_id


async def health(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def read_item(request: Request) -> JSONResponse:
    item_id: int = request.path_params["item_id"]
    if not 1 <= item_id <= MAX_ID:
        return not_found(item_id)
    row = await request.app.state.pool.fetchrow(READ_ITEM, item_id)
    if row is None:
        return not_found(item_id)
    return JSONResponse(item_json(row))


async def list_items(request: Request) -> JSONResponse:
    try:
        limit = query_int(request, "limit", 50, 1, 100)
        offset = query_int(request, "offset", 0, 0, MAX_ID)
    except Invalid as error:
        return unprocessable(str(error))
    rows = await request.app.state.pool.fetch(LIST_ITEMS, limit, offset)
    return JSONResponse([item_json(row) for row in rows])


async def create_item(request: Request) -> JSONResponse:
    try:
        title, description, status, owner_id = item_fields(json.loads(await request.body()))
    except json.JSONDecodeError:
        return unprocessable("the body is not valid JSON")
    except Invalid as error:
        return unprocessable(str(error))
    try:
        row = await request.app.state.pool.fetchrow(CREATE_ITEM, title, description, status, owner_id)
    except asyncpg.ForeignKeyViolationError:
        return unprocessable(f"User {owner_id} does not exist.")
    return JSONResponse(item_json(row), status_code=201)


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    """Open the pool's connections before the first request, and close them at the end."""
    async with asyncpg.create_pool(
        os.environ["DATABASE_URL"], min_size=POOL_SIZE, max_size=POOL_SIZE
    ) as pool:
        app.state.pool = pool
        yield


app = Starlette(
    routes=[
        Route("/health", health),
        Route("/api/v1/items", list_items, methods=["GET"]),
        Route("/api/v1/items", create_item, methods=["POST"]),
        Route("/api/v1/items/{item_id:int}", read_item, methods=["GET"]),
    ],
    lifespan=lifespan,
)
