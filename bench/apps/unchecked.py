"""A baked service with its per-request account check skipped: what that check costs, by difference.

The same app and the same requests, less the read of the caller's account: the account the
benchmark's token names is taken to be what `create-admin` made it (active, an admin, token version
0) without reading its row. A GET of one item and a list, which read the account with the item or
the page in one statement, read the item or the page alone (an admin's page: of all items); a
create, whose insert checks the account in the same statement, inserts the item alone. Only for
the benchmark: the service itself never skips the check. The baked package is named by
BENCH_PACKAGE and found on PYTHONPATH.
"""

from __future__ import annotations

import importlib
import inspect
import os
from typing import Any

from fastapi import FastAPI
from sqlalchemy import bindparam
from sqlalchemy import select


def create_app() -> FastAPI:
    package = os.environ["BENCH_PACKAGE"]
    accounts: Any = importlib.import_module(f"{package}.accounts")
    crud: Any = importlib.import_module(f"{package}.crud")
    item_creates: Any = importlib.import_module(f"{package}.api.item_creates")
    models: Any = importlib.import_module(f"{package}.models")
    # The item alone, as a service without accounts reads it (item_reads.py).
    read_item = select(*crud.ITEM_COLUMNS).where(models.Item.id == bindparam("item_id"))

    def account(user_id: int) -> Any:
        return accounts.Account(id=user_id, is_active=True, is_superuser=True, token_version=0)

    async def read_account_async(_connection: object, *, user_id: int) -> Any:
        return account(user_id)

    def read_account_sync(_connection: object, *, user_id: int) -> Any:
        return account(user_id)

    async def read_account_and_page_async(connection: Any, *, user_id: int, limit: int, offset: int) -> Any:
        result = await connection.execute(crud.LIST_ITEMS, {"limit": limit, "offset": offset})
        return account(user_id), [crud.item_read(row) for row in result]

    def read_account_and_page_sync(connection: Any, *, user_id: int, limit: int, offset: int) -> Any:
        result = connection.execute(crud.LIST_ITEMS, {"limit": limit, "offset": offset})
        return account(user_id), [crud.item_read(row) for row in result]

    def item(row: Any) -> Any:
        return None if row is None else crud.item_read(row)

    async def read_account_and_item_async(connection: Any, *, user_id: int, item_id: int) -> Any:
        result = await connection.execute(read_item, {"item_id": item_id})
        return account(user_id), item(result.first())

    def read_account_and_item_sync(connection: Any, *, user_id: int, item_id: int) -> Any:
        result = connection.execute(read_item, {"item_id": item_id})
        return account(user_id), item(result.first())

    # The item alone, as a service without accounts inserts it (crud.create_item's statement).
    def values(data: Any, owner_id: int) -> dict[str, Any]:
        return {**data.model_dump(exclude={"owner_id"}), "owner_id": owner_id}

    async def insert_item_async(connection: Any, *, data: Any, owner_id: int, **_: int) -> Any:
        result = await connection.execute(crud.INSERT_ITEM, values(data, owner_id))
        return crud.item_read(result.one())

    def insert_item_sync(connection: Any, *, data: Any, owner_id: int, **_: int) -> Any:
        result = connection.execute(crud.INSERT_ITEM, values(data, owner_id))
        return crud.item_read(result.one())

    asynchronous = inspect.iscoroutinefunction(accounts.read_account)
    accounts.read_account = read_account_async if asynchronous else read_account_sync
    accounts.read_account_and_item = (
        read_account_and_item_async if asynchronous else read_account_and_item_sync
    )
    accounts.read_account_and_page = (
        read_account_and_page_async if asynchronous else read_account_and_page_sync
    )
    item_creates.insert_item_if_allowed = insert_item_async if asynchronous else insert_item_sync
    app: FastAPI = importlib.import_module(f"{package}.main").create_app()
    return app
