"""Dependencies the routes share: what the app was built with, the client's address, paging."""

from typing import Annotated

from fastapi import Depends
from fastapi import Query
from fastapi import Request

from ..db import Database
{% if cookiecutter.auth == "password" %}
from ..passwords import Passwords
{% endif %}
from ..schemas import MAX_ID
from ..settings import Settings


# The app's state holds what create_app() built from the settings; these read it back, typed.
# They are coroutines so that FastAPI calls them in place, not in a worker thread.
async def settings(request: Request) -> Settings:
    """The settings the app was built with."""
    built: Settings = request.app.state.settings
    return built


async def database(request: Request) -> Database:
    """The engine and session factory the app was built with."""
    built: Database = request.app.state.database
    return built
{% if cookiecutter.auth == "password" %}


async def passwords(request: Request) -> Passwords:
    """The password hasher the app was built with."""
    built: Passwords = request.app.state.passwords
    return built
{% endif %}


def client_address(request: Request) -> str:
    """The client's address: the proxy's client's, if FORWARDED_ALLOW_IPS trusts the proxy."""
    return request.client.host if request.client else "unknown"


SettingsDep = Annotated[Settings, Depends(settings)]
DatabaseDep = Annotated[Database, Depends(database)]
{% if cookiecutter.auth == "password" %}
PasswordsDep = Annotated[Passwords, Depends(passwords)]
{% endif %}

Limit = Annotated[int, Query(ge=1, le=100, description="How many rows to return at most.")]
Offset = Annotated[int, Query(ge=0, le=MAX_ID, description="How many rows to skip.")]
