"""The create-admin and promote commands: admins, with no default password anywhere."""
{% from "driver.jinja" import async, await, async_imports, run with context %}

import argparse
{{- async_imports("asyncio") }}
import getpass
import os
import sys
from collections.abc import Callable

from pydantic import TypeAdapter
from pydantic import ValidationError

from . import accounts
from .db import connect
from .emails import Email
from .events import security_event
from .passwords import Passwords
from .settings import Settings
from .settings import describe
from .settings import get_settings
from .unique_emails import EmailTakenError
from .user_schemas import UserCreate

# Where the commands' security events come from.
COMMAND_LINE = "command line"


def create_admin(parser: argparse.ArgumentParser, given_email: str, full_name: str) -> int:
    """Create an admin account for this address, if it has none; return the exit status."""
    email = _address(parser, given_email)
    settings = get_settings()
    try:
        said = {{ run("_create_admin(settings, email, full_name, _password)") }}
    except ValidationError as error:
        return _failed("create-admin", describe(error))
    except EmailTakenError:
        # Sign-up is open and addresses are not verified: whoever registered the address may
        # not be its owner. Making them an admin is for `promote`, which says whom it promotes.
        return _failed(
            "create-admin",
            f"{email} already has an account, which stays as it is; "
            f"if it is yours, make it an admin with `promote {email}`",
        )
    except PasswordUnavailableError as error:
        return _failed("create-admin", str(error))
    print(said)  # noqa: T201 (a command's output)
    return 0


def promote(parser: argparse.ArgumentParser, given_email: str) -> int:
    """Make the existing account of this address an admin, saying whose; return the exit status."""
    email = _address(parser, given_email)
    settings = get_settings()
    said = {{ run("_promote(settings, email)") }}
    if said is None:
        return _failed("promote", f"no account has the address {email}")
    print(said)  # noqa: T201 (a command's output)
    return 0


def _address(parser: argparse.ArgumentParser, given_email: str) -> str:
    try:
        return TypeAdapter(Email).validate_python(given_email)
    except ValidationError as error:
        parser.error(f"EMAIL {describe(error)}")


def _failed(command: str, message: str) -> int:
    print(f"{command}: {message}", file=sys.stderr)  # noqa: T201 (a command's output)
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
            if {{ await }}accounts.get_user_by_email(session, email=email) is not None:
                raise EmailTakenError
        # Asked for only now, with no transaction open: the address has no account yet.
        data = UserCreate(email=email, full_name=full_name, password=password())
        hashed_password = {{ await }}Passwords(settings).hash(data.password.get_secret_value())
        {{ async }}with database.sessions.begin() as session:
            user = {{ await }}accounts.create_user(
                session,
                data=data,
                hashed_password=hashed_password,
                is_superuser=True,
            )
        security_event("admin_created", user_id=user.id, client=COMMAND_LINE)
        return f"Created the admin {email}."
    finally:
        {{ await }}database.engine.dispose()


{{ async }}def _promote(settings: Settings, email: str) -> str | None:
    database = connect(settings)
    try:
        {{ async }}with database.sessions.begin() as session:
            user = {{ await }}accounts.get_user_by_email(session, email=email)
            if user is None:
                return None
            user.is_superuser = True
            security_event("admin_promoted", user_id=user.id, client=COMMAND_LINE)
            # Enough for the operator to see whether it is the account they meant.
            signed_up = user.created_at.strftime("%Y-%m-%d %H:%M UTC")
            return f"Made an admin: {email}, {user.full_name}, id {user.id}, signed up {signed_up}."
    finally:
        {{ await }}database.engine.dispose()
