"""Who may do what, over HTTP against a real service on PostgreSQL and MariaDB.

With `auth=password` (tokens of the service's login route, the first admin made by its
create-admin command) and `auth=oidc` (tokens of a local identity provider).
"""

from __future__ import annotations

from typing import Any

import httpx2 as httpx
import pytest

from harness.combinations import COMBINATIONS
from harness.combinations import DEFAULT_PYTHON
from harness.combinations import parametrize_combinations
from harness.identities import PASSWORD
from harness.identities import Callers
from harness.projects import Baked
from harness.servers import DatabaseFactory
from harness.services import serving_baked

pytestmark = pytest.mark.live

WITH_ACCOUNTS = [
    c
    for c in COMBINATIONS
    if c.database != "sqlite" and c.auth != "none" and c.python_version == DEFAULT_PYTHON
    and c.include_docker and c.include_github_actions
]  # fmt: skip
WITH_PASSWORDS = [c for c in WITH_ACCOUNTS if c.auth == "password" and c.driver == "async"]
CHEAP_HASHES = {"PASSWORD_HASH_MEMORY_KIB": "1024", "PASSWORD_HASH_TIME_COST": "1"}
TOKEN = "/api/v1/auth/token"


@parametrize_combinations(WITH_ACCOUNTS)
def test_who_may_do_what_holds_over_http(
    baked: Baked, database_url: DatabaseFactory, callers: Callers, record_property: Any
) -> None:
    url = database_url("rules")
    baked.migrate(url)

    with (
        serving_baked(baked, url, **callers.settings, **CHEAP_HASHES) as service,
        httpx.Client(base_url=service.url, timeout=30) as http,
    ):
        ada_id, ada = callers.user(http, "ada@example.com")
        grace_id, grace = callers.user(http, "grace@example.com")
        admin = callers.admin(http, baked, url, "root@example.com")
        private = http.post("/api/v1/items", json={"title": "Mine"}, headers=ada).json()["id"]
        public = http.post("/api/v1/items", json={"title": "Ours", "status": "public"}, headers=ada)
        shared = public.json()["id"]
        # (who, method, path, body): the status each must get, in order.
        rules: list[tuple[str, str, str, dict[str, Any] | None, int]] = [
            ("anonymous", "GET", "/api/v1/items", None, 401),
            ("anonymous", "GET", "/api/v1/users/me", None, 401),
            ("grace", "GET", "/api/v1/users", None, 403),
            ("admin", "GET", "/api/v1/users", None, 200),
            ("grace", "GET", f"/api/v1/users/{ada_id}", None, 403),
            ("admin", "GET", f"/api/v1/users/{ada_id}", None, 200),
            ("grace", "GET", f"/api/v1/items/{private}", None, 404),
            ("grace", "PATCH", f"/api/v1/items/{private}", {"title": "Stolen"}, 404),
            ("grace", "DELETE", f"/api/v1/items/{private}", None, 404),
            ("grace", "GET", f"/api/v1/items/{shared}", None, 200),
            ("grace", "PATCH", f"/api/v1/items/{shared}", {"title": "Stolen"}, 403),
            ("grace", "DELETE", f"/api/v1/items/{shared}", None, 403),
            ("grace", "POST", "/api/v1/items", {"title": "Gift", "owner_id": ada_id}, 403),
            ("ada", "PATCH", "/api/v1/users/me", {"is_active": False}, 403),
            ("grace", "PATCH", f"/api/v1/users/{ada_id}", {"full_name": "Mallory"}, 403),
            ("grace", "DELETE", f"/api/v1/users/{ada_id}", None, 403),
            ("admin", "GET", f"/api/v1/items/{private}", None, 200),
            ("admin", "PATCH", f"/api/v1/users/{grace_id}", {"is_active": False}, 200),
            ("ada", "DELETE", f"/api/v1/items/{private}", None, 204),
        ]
        headers = {"anonymous": {}, "ada": ada, "grace": grace, "admin": admin}
        answered = [
            (who, method, path, http.request(method, path, json=body, headers=headers[who]).status_code)
            for who, method, path, body, _status in rules
        ]
        # A deactivated user: refused a token (password), or refused with theirs (oidc).
        deactivated = (
            http.post(TOKEN, data={"username": "grace@example.com", "password": PASSWORD}).status_code
            if callers.auth == "password"
            else http.get("/api/v1/items", headers=grace).status_code
        )

    record_property("rules", len(rules))
    assert answered == [(who, method, path, status) for who, method, path, _body, status in rules]
    assert deactivated == (401 if callers.auth == "password" else 403)


@parametrize_combinations(WITH_PASSWORDS)
def test_failed_logins_on_two_replicas_lock_the_account_on_both(
    baked: Baked, database_url: DatabaseFactory, callers: Callers
) -> None:
    url = database_url("lockout")
    baked.migrate(url)
    strict = {"LOGIN_MAX_FAILURES": "4", "LOGIN_LOCKOUT_SECONDS": "300", **CHEAP_HASHES}
    wrong = {"username": "ada@example.com", "password": "not-the-password"}
    right = {"username": "ada@example.com", "password": PASSWORD}

    with (
        serving_baked(baked, url, **strict) as first,
        serving_baked(baked, url, **strict) as second,
        httpx.Client(base_url=first.url, timeout=30) as one,
        httpx.Client(base_url=second.url, timeout=30) as other,
    ):
        _ada_id, headers = callers.user(one, "ada@example.com")
        # A token of one replica is good on the other: they share the signing key.
        on_the_other = other.get("/api/v1/users/me", headers=headers).status_code
        failures = [(one if n % 2 else other).post(TOKEN, data=wrong).status_code for n in range(4)]
        locked = [client.post(TOKEN, data=right) for client in (one, other)]

    assert on_the_other == 200
    assert failures == [401, 401, 401, 401]
    assert [response.status_code for response in locked] == [429, 429]
    assert all(0 < int(response.headers["retry-after"]) <= 300 for response in locked)
