"""What the app was built with, for the routes that use it: its settings, database and hasher."""

from typing import Annotated

from fastapi import Depends
from fastapi import Request

from ..db import Database
from ..passwords import Passwords
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


async def passwords(request: Request) -> Passwords:
    """The password hasher the app was built with."""
    built: Passwords = request.app.state.passwords
    return built


SettingsDep = Annotated[Settings, Depends(settings)]
DatabaseDep = Annotated[Database, Depends(database)]
PasswordsDep = Annotated[Passwords, Depends(passwords)]
