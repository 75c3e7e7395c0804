"""Who calls the API: accounts signed up through it, with access tokens of the service's own."""
{% from "driver.jinja" import async, await, Client, Connection, Engine, imports with context %}

from dataclasses import dataclass
from typing import Any

import pytest
{{- imports("Client") }}
from sqlalchemy import update
{{- imports("Connection", "Engine") }}

from {{ cookiecutter.package_name }} import tokens
from {{ cookiecutter.package_name }}.column_types import utc_now
from {{ cookiecutter.package_name }}.models import User
from {{ cookiecutter.package_name }}.settings import Settings

from urls import USERS

# The caller's own account, and where a password gets an access token.
ME = f"{USERS}/me"
TOKEN = "/api/v1/auth/token"
# The fixtures that both kinds of accounts share.
pytest_plugins = ["accounts_shared"]
# A user that the tests create through the API.
NEW_USER = {"email": "grace@example.com", "full_name": "Grace Hopper", "password": "cobol-1959-on"}
# Made up for the tests: at least as long as production demands.
TEST_SECRET_KEY = "tests-only-7fQ2mZ9vX4kR1cW8pL5nB3hJ6dS0aE"
# The address the test client calls from, as the service's security events record it.
CLIENT_ADDRESS = "{{ "127.0.0.1" if cookiecutter.driver == "async" else "testclient" }}"


@dataclass(frozen=True)
class Account:
    """A user of the API: their id and credentials, and the headers that authenticate them."""

    id: int
    email: str
    password: str
    headers: dict[str, str]


@pytest.fixture(scope="session")
def auth_settings() -> dict[str, Any]:
    """Settings of authentication for the tests: a signing key, and cheap (still argon2) hashes."""
    return {
        "secret_key": TEST_SECRET_KEY,
        "password_hash_memory_kib": 1024,
        "password_hash_time_cost": 1,
    }


def login(email: str, password: str) -> dict[str, str]:
    """The OAuth2 password form."""
    return {"username": email, "password": password}


{{ async }}def logged_in(client: {{ Client }}, email: str, password: str) -> dict[str, str]:
    """Headers with the access token that logging in with these credentials gives."""
    response = {{ await }}client.post(TOKEN, data=login(email, password))
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def bearer(user_id: int, settings: Settings) -> dict[str, str]:
    """Headers with a fresh access token for this user (whose password was never changed)."""
    token, _lifetime = tokens.issue(tokens.Bearer(user_id, 0), settings, now=utc_now())
    return {"Authorization": f"Bearer {token}"}


{{ async }}def sign_up(client: {{ Client }}, settings: Settings, email: str, full_name: str) -> Account:
    """Create an account through the API, and a token for it."""
    password = f"{full_name} knows best"
    response = {{ await }}client.post(
        USERS, json={"email": email, "full_name": full_name, "password": password}
    )
    assert response.status_code == 201, response.text
    user_id = response.json()["id"]
    return Account(user_id, email, password, bearer(user_id, settings))


@pytest.fixture
{{ async }}def ada(client: {{ Client }}, settings: Settings) -> Account:
    """A user with an account."""
    return {{ await }}sign_up(client, settings, "ada@example.com", "Ada Lovelace")


@pytest.fixture
{{ async }}def grace(client: {{ Client }}, settings: Settings) -> Account:
    """Another user with an account."""
    return {{ await }}sign_up(client, settings, "grace@example.com", "Grace Hopper")


@pytest.fixture
{{ async }}def admin(client: {{ Client }}, connection: {{ Connection }}, settings: Settings) -> Account:
    """A user with an account who is an admin."""
    account = {{ await }}sign_up(client, settings, "root@example.com", "Rear Admiral")
    {{ await }}connection.execute(update(User).where(User.id == account.id).values(is_superuser=True))
    return account


@dataclass(frozen=True)
class Crowd:
    """Many callers at once of an app whose writes commit, all with one admin's credentials."""

    user_id: int
    headers: dict[str, str]
    email: str
    password: str

    def sent(self, number: int) -> dict[tuple[str, str], dict[str, Any]]:
        """What caller `number` sends to the routes of accounts that take a body."""
        new_user = {"email": f"caller{number}@example.com", "full_name": f"Caller {number}"}
        return {
            ("POST", TOKEN): {"data": {"username": self.email, "password": self.password}},
            ("POST", USERS): {"json": {**new_user, "password": f"Caller {number} knows best"}},
            ("PATCH", ME): {"json": {"full_name": f"Caller {number}"}},
        }


@pytest.fixture
{{ async }}def crowd(pool_of_one: {{ Client }}, engine: {{ Engine }}, settings: Settings) -> Crowd:
    """The admin of test_pool's crowd, signed up and made an admin for real."""
    account = {{ await }}sign_up(pool_of_one, settings, "crowd@example.com", "Crowd Admin")
    promoted = update(User).where(User.id == account.id).values(is_superuser=True)
    {{ async }}with engine.begin() as connection:
        {{ await }}connection.execute(promoted)
    return Crowd(account.id, account.headers, account.email, account.password)
