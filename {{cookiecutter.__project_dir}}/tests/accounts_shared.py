"""What both kinds of accounts give the tests: the headers a request sends, and who owns items."""

from typing import Protocol

import pytest


class Caller(Protocol):
    """A user of the API, of either kind of account: their id, and the headers of their token."""

    @property
    def id(self) -> int: ...

    @property
    def headers(self) -> dict[str, str]: ...


@pytest.fixture
def auth_headers(ada: Caller) -> dict[str, str]:
    """Headers that authenticate a request: a user's bearer token."""
    return ada.headers


@pytest.fixture
def admin_headers(admin: Caller) -> dict[str, str]:
    """Headers that authenticate a request that only an admin may make."""
    return admin.headers


@pytest.fixture
def owner_id(ada: Caller) -> int:
    """The user who owns the items the tests create: the caller of `auth_headers`."""
    return ada.id
