{% from "driver.jinja" import async, await, Client with context %}
"""Two requests counting one key at once: the second to create its row counts on the first's."""

from collections.abc import Callable
from collections.abc import Iterator
from typing import Any

import pytest
{% if cookiecutter.driver == "async" %}
from httpx2 import AsyncClient
{% else %}
from fastapi.testclient import TestClient
{% endif %}
from sqlalchemy import Select
from sqlalchemy import event
from sqlalchemy import insert
from sqlalchemy.engine import Result
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session

from {{ cookiecutter.package_name }}.column_types import utc_now
from {{ cookiecutter.package_name }}.models import Throttle

from accounts import Account

TOKEN = "/api/v1/auth/token"


@pytest.fixture
def created_meanwhile() -> Iterator[dict[str, dict[str, Any]]]:
    """Rows, by key, that another request inserts just after a request looked for the key in vain.

    That is the race of two first attempts under one key: both find no row, and both insert one.
    """
    rows: dict[str, dict[str, Any]] = {}

    def other_request_inserts(state: ORMExecuteState) -> Result[Any] | None:
        if not isinstance(state.statement, Select):
            return None
        keys = [key for key in state.statement.compile().params.values() if key in rows]
        if not keys:
            return None
        found = state.invoke_statement().freeze()
        if not found().all():
            row = rows.pop(keys[0])
            state.session.connection().execute(insert(Throttle).values(key=keys[0], **row))
        return found()

    # Every session: the app's, async or not, run a sync Session underneath.
    event.listen(Session, "do_orm_execute", other_request_inserts)
    yield rows
    event.remove(Session, "do_orm_execute", other_request_inserts)


{{ async }}def test_a_failed_login_is_counted_on_the_row_another_request_created_meanwhile(
    client_with: Callable[..., {{ Client }}],
    created_meanwhile: dict[str, dict[str, Any]],
    ada: Account,
) -> None:
    # The other request was a failed login too: one more failure locks the address.
    created_meanwhile[f"login:{ada.email}"] = {
        "attempts": 2,
        "window_ends_at": utc_now(),
        "lockouts": 0,
    }
    {{ async }}with client_with(login_max_failures=3) as strict:
        failed = {{ await }}strict.post(TOKEN, data={"username": ada.email, "password": "wrong"})
        then = {{ await }}strict.post(TOKEN, data={"username": ada.email, "password": ada.password})

    assert not created_meanwhile  # the race did happen
    assert failed.status_code == 401
    assert then.status_code == 429
