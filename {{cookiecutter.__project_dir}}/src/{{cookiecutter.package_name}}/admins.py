{% from "driver.jinja" import async, await with context %}
"""The create-admin command: the first admin, with no default password anywhere."""

import argparse
{% if cookiecutter.driver == "async" %}
import asyncio
{% endif %}
import getpass
import os
import sys
from collections.abc import Callable

from pydantic import TypeAdapter
from pydantic import ValidationError

from . import crud
from .db import connect
from .passwords import Passwords
from .schemas import Email
from .schemas import UserCreate
from .settings import Settings
from .settings import describe
from .settings import get_settings


def create_admin(parser: argparse.ArgumentParser, given_email: str, full_name: str) -> int:
    """Make the account of this address an admin, or create it; return the exit status."""
    try:
        email = TypeAdapter(Email).validate_python(given_email)
    except ValidationError as error:
        parser.error(f"EMAIL {describe(error)}")
    settings = get_settings()
    try:
{% if cookiecutter.driver == "async" %}
        said = asyncio.run(_create_admin(settings, email, full_name, _password))
{% else %}
        said = _create_admin(settings, email, full_name, _password)
{% endif %}
    except ValidationError as error:
        return _failed(describe(error))
    except crud.EmailTakenError:
        return _failed(f"{email} got an account meanwhile; run the command again")
    except PasswordUnavailableError as error:
        return _failed(str(error))
    print(said)  # noqa: T201 (a command's output)
    return 0


def _failed(message: str) -> int:
    print(f"create-admin: {message}", file=sys.stderr)  # noqa: T201 (a command's output)
    return 1


class PasswordUnavailableError(Exception):
    """No ADMIN_PASSWORD in the environment, and no terminal to ask on."""


def _password() -> str:
    given = os.environ.get("ADMIN_PASSWORD")
    if given:
        return given
    if not sys.stdin.isatty():
        message = "set ADMIN_PASSWORD, or run the command in a terminal to be asked for it"
        raise PasswordUnavailableError(message)
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        message = "the two passwords differ"
        raise PasswordUnavailableError(message)
    return first


{{ async }}def _create_admin(
    settings: Settings, email: str, full_name: str, password: Callable[[], str]
) -> str:
    database = connect(settings)
    try:
        {{ async }}with database.sessions.begin() as session:
            user = {{ await }}crud.get_user_by_email(session, email=email)
            if user is not None:
                user.is_superuser = True
                return f"{email} is an admin now."
        # Asked for only now, with no transaction open: the address has no account yet.
        data = UserCreate(email=email, full_name=full_name, password=password())
        hashed_password = {{ await }}Passwords(settings).hash(data.password.get_secret_value())
        {{ async }}with database.sessions.begin() as session:
            {{ await }}crud.create_user(
                session,
                data=data,
                hashed_password=hashed_password,
                is_superuser=True,
            )
        return f"Created the admin {email}."
    finally:
        {{ await }}database.engine.dispose()
