"""Creating an item in one statement: it inserts only for a token whose account may, as before."""
{% from "driver.jinja" import async, await, Client, Connection, Engine, Iterator, contextmanager, sync_engine, imports, async_imports, sync_imports with context %}
{{ imports("asyncio", "concurrent.futures") }}
import logging{{ async_imports("Iterator") }}
from collections.abc import Callable{{ sync_imports("Iterator") }}
{{- imports("contextmanager") }}
from dataclasses import replace
from typing import Any

import pytest
from fastapi import FastAPI
{{- imports("Client") }}
from sqlalchemy import Executable
from sqlalchemy import delete
from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update
{{- imports("Connection", "Engine") }}

from {{ cookiecutter.package_name }}.models import Item
from {{ cookiecutter.package_name }}.models import User
from {{ cookiecutter.package_name }}.settings import Settings

from accounts import CLIENT_ADDRESS
from accounts import ME
from accounts import Account
from accounts import sign_up
from urls import ITEMS

REFUSED = {"detail": "The token is invalid or has expired."}
SAVEPOINTS = {"SAVEPOINT", "RELEASE", "ROLLBACK"}
ITEMS_STORED = select(func.count()).select_from(Item)
# Seconds another transaction holds its item uncommitted, while the create reaches the database.
HELD = 0.5


def security_events(caplog: pytest.LogCaptureFixture) -> list[tuple[object, ...]]:
    """The security events logged: (event, user_id, client) each."""
    return [
        tuple(vars(record)[field] for field in ("event", "user_id", "client"))
        for record in caplog.records
        if "event" in vars(record)
    ]


{{ async }}def assert_create_refused_and_logged(
    client: {{ Client }},
    connection: {{ Connection }},
    account: Account,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The account's token creates nothing: 401, and the security event names the account."""
    with caplog.at_level(logging.INFO):
        response = {{ await }}client.post(ITEMS, json={"title": "Notes"}, headers=account.headers)

    assert (response.status_code, response.json()) == (401, REFUSED)
    assert security_events(caplog) == [("token_outdated", account.id, CLIENT_ADDRESS)]
    assert ({{ await }}connection.execute(ITEMS_STORED)).scalar() == 0


{{ async }}def test_a_deactivated_accounts_token_creates_nothing_and_is_logged(
    client: {{ Client }},
    connection: {{ Connection }},
    ada: Account,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Deactivated behind the API's back: the token's version stays the one it was issued at.
    {{ await }}connection.execute(update(User).where(User.id == ada.id).values(is_active=False))

    {{ await }}assert_create_refused_and_logged(client, connection, ada, caplog)


{{ async }}def test_a_token_from_before_a_new_password_creates_nothing_and_is_logged(
    client: {{ Client }},
    connection: {{ Connection }},
    ada: Account,
    caplog: pytest.LogCaptureFixture,
) -> None:
    change = {"password": "a brand new passphrase", "current_password": ada.password}
    assert ({{ await }}client.patch(ME, json=change, headers=ada.headers)).status_code == 200
    caplog.clear()

    {{ await }}assert_create_refused_and_logged(client, connection, ada, caplog)


{{ async }}def test_a_deleted_accounts_token_creates_nothing_and_is_logged(
    client: {{ Client }},
    connection: {{ Connection }},
    ada: Account,
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert ({{ await }}client.delete(ME, headers=ada.headers)).status_code == 204
    caplog.clear()

    {{ await }}assert_create_refused_and_logged(client, connection, ada, caplog)


{{ async }}def test_an_admin_demoted_meanwhile_creates_only_their_own_items(
    client: {{ Client }}, connection: {{ Connection }}, admin: Account, grace: Account
) -> None:
    # Demoted behind the API's back: the token's version stays the one it was issued at.
    {{ await }}connection.execute(update(User).where(User.id == admin.id).values(is_superuser=False))

    for_grace = {{ await }}client.post(
        ITEMS, json={"title": "Gift", "owner_id": grace.id}, headers=admin.headers
    )
    own = {{ await }}client.post(ITEMS, json={"title": "Mine"}, headers=admin.headers)

    assert for_grace.status_code == 403
    assert for_grace.json() == {"detail": "Only an admin may create items for other users."}
    assert (own.status_code, own.json()["owner_id"]) == (201, admin.id)
    assert ({{ await }}connection.execute(ITEMS_STORED)).scalar() == 1


{{ async }}def test_an_admins_create_for_a_user_deleted_meanwhile_names_the_owner(
    client: {{ Client }}, admin: Account, grace: Account
) -> None:
    assert ({{ await }}client.delete(ME, headers=grace.headers)).status_code == 204

    response = {{ await }}client.post(
        ITEMS, json={"title": "Gift", "owner_id": grace.id}, headers=admin.headers
    )

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "owner_id"]
    assert error["msg"] == f"User {grace.id} does not exist."


{{ async }}def test_a_create_by_a_valid_token_is_one_statement(
    client: {{ Client }}, engine: {{ Engine }}, admin: Account, grace: Account
) -> None:
    statements: list[str] = []

    def record(*execution: Any) -> None:
        statements.append(execution[2].split()[0])  # the statement's first word

    event.listen({{ sync_engine }}, "before_cursor_execute", record)
    try:
        own = {{ await }}client.post(ITEMS, json={"title": "Mine"}, headers=admin.headers)
        gift = {{ await }}client.post(
            ITEMS, json={"title": "Gift", "owner_id": grace.id}, headers=admin.headers
        )
    finally:
        event.remove({{ sync_engine }}, "before_cursor_execute", record)

    assert (own.status_code, gift.status_code) == (201, 201)
    # Without the savepoints the tests wrap each write in.
    assert [word for word in statements if word not in SAVEPOINTS] == ["INSERT", "INSERT"]


@{{ contextmanager }}
{{ async }}def _every_account_deactivated(connection: {{ Connection }}) -> {{ Iterator }}[{{ Connection }}]:
    # The test's connection, on which every account looks deactivated until the block ends.
    savepoint = {{ await }}connection.begin_nested()
    {{ await }}connection.execute(update(User).values(is_active=False))
    try:
        yield connection
    finally:
        {{ await }}savepoint.rollback()


{{ async }}def test_an_account_reactivated_after_the_insert_refused_it_gets_its_answer_now(
    app_with: Callable[..., FastAPI],
    client_of: Callable[[FastAPI], {{ Client }}],
    connection: {{ Connection }},
    ada: Account,
    grace: Account,
    admin: Account,
) -> None:
    app = app_with()
    # The insert sees every account deactivated; the check after it, as they are: as if each
    # had been reactivated between the two.
    app.state.database = replace(
        app.state.database, write_connection=lambda: _every_account_deactivated(connection)
    )
    gift = {"title": "Gift", "description": "For you", "owner_id": grace.id}

    {{ async }}with client_of(app) as client:
        own = {{ await }}client.post(ITEMS, json={"title": "Mine"}, headers=ada.headers)
        by_user = {{ await }}client.post(ITEMS, json=gift, headers=ada.headers)
        by_admin = {{ await }}client.post(ITEMS, json=gift, headers=admin.headers)

    assert (own.status_code, own.json()["title"], own.json()["owner_id"]) == (201, "Mine", ada.id)
    assert by_user.status_code == 403
    assert by_admin.status_code == 201
    assert {field: by_admin.json()[field] for field in gift} == gift


@pytest.fixture
{{ async }}def committing(
    committing_app_with: Callable[..., FastAPI], client_of: Callable[[FastAPI], {{ Client }}]
) -> {{ Iterator }}[{{ Client }}]:
    """A client of the app whose writes commit."""
    {{ async }}with client_of(committing_app_with()) as client:
        yield client


{{ async }}def test_creates_of_one_title_at_once_make_one_item(
    committing: {{ Client }}, engine: {{ Engine }}, settings: Settings
) -> None:
    ada = {{ await }}sign_up(committing, settings, "ada@example.com", "Ada Lovelace")

    {{ async }}def create(_number: int) -> int:
        response = {{ await }}committing.post(ITEMS, json={"title": "Notes"}, headers=ada.headers)
        return response.status_code

{% if cookiecutter.driver == "async" %}
    answers = await asyncio.gather(*map(create, range(4)))
{% else %}
    with concurrent.futures.ThreadPoolExecutor(4) as callers:
        answers = list(callers.map(create, range(4)))
{% endif %}

    assert sorted(answers) == [201, 409, 409, 409]
    {{ async }}with engine.connect() as connection:
        assert ({{ await }}connection.execute(ITEMS_STORED)).scalar() == 1


# What another transaction writes meanwhile, for the account of this id: an item, or the account's
# deletion.
MEANWHILE: dict[str, Callable[[int], Executable]] = {
    "title": lambda user_id: insert(Item).values(title="Notes", owner_id=user_id),
    "deletion": lambda user_id: delete(User).where(User.id == user_id),
}
TITLE_TAKEN = "The owner already has an item with this title."
# Told apart by when the database saw the account gone: before the insert's read of it, or after.
ACCOUNT_GONE = {REFUSED["detail"], "The token's account no longer exists."}
INVALID_TOKEN = 'Bearer error="invalid_token"'


@pytest.mark.parametrize(
    ("meanwhile", "ending", "answer", "details", "challenge", "items"),
    [
        pytest.param("title", "commit", 409, {TITLE_TAKEN}, None, 1, id="title-taken"),
        pytest.param("title", "rollback", 201, {None}, None, 1, id="title-free"),
        pytest.param("deletion", "commit", 401, ACCOUNT_GONE, INVALID_TOKEN, 0, id="account-gone"),
    ],
)
{{ async }}def test_a_create_waits_for_another_transaction_and_answers_as_it_ended(
    committing: {{ Client }},
    engine: {{ Engine }},
    settings: Settings,
    meanwhile: str,
    ending: str,
    answer: int,
    details: set[str | None],
    challenge: str | None,
    items: int,
) -> None:
    ada = {{ await }}sign_up(committing, settings, "ada@example.com", "Ada Lovelace")

    {{ async }}def create() -> tuple[int, object, str | None]:
        response = {{ await }}committing.post(ITEMS, json={"title": "Notes"}, headers=ada.headers)
        detail = response.json().get("detail")
        return response.status_code, detail, response.headers.get("www-authenticate")

    # Another transaction (another replica's, or a script's) holds rows the insert needs, and
    # on SQLite the database's one write lock, until it ends.
    {{ async }}with engine.connect() as other:
        {{ await }}other.begin()
        {{ await }}other.execute(MEANWHILE[meanwhile](ada.id))
{% if cookiecutter.driver == "async" %}
        created = asyncio.ensure_future(create())
        await asyncio.sleep(HELD)
        assert not created.done()
        await getattr(other, ending)()
        status_code, detail, challenged = await created
{% else %}
        with concurrent.futures.ThreadPoolExecutor(1) as callers:
            created = callers.submit(create)
            concurrent.futures.wait([created], timeout=HELD)
            assert not created.done()
            getattr(other, ending)()
            status_code, detail, challenged = created.result()
{% endif %}

    assert (status_code, challenged) == (answer, challenge)
    assert detail in details
    {{ async }}with engine.connect() as connection:
        assert ({{ await }}connection.execute(ITEMS_STORED)).scalar() == items
