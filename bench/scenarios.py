"""The requests the benchmark sends to every app: one scenario per endpoint, one Lua script each."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    """One kind of request, sent over and over by wrk through a Lua script in bench/lua."""

    name: str
    short: str
    request: str
    script: str


SCENARIOS = (
    Scenario("get_item", "get", "GET /api/v1/items/{id}, id at random in 1..rows", "get_item.lua"),
    Scenario(
        "list_items", "list", "GET /api/v1/items?limit=20&offset={random, a full page}", "list_items.lua"
    ),
    Scenario(
        "create_item",
        "create",
        'POST /api/v1/items {"title": ..., "owner_id": random in 1..rows}, JSON',
        "create_item.lua",
    ),
)
