"""The service's commands, run as `python -m` this package: `serve`{{ ", `create-admin`, `promote`" if cookiecutter.auth == "password" else "" }}."""

import argparse
import sys

{% if cookiecutter.auth == "password" %}
from .admins import create_admin
from .admins import promote
{% endif %}
from .serve import serve
from .settings import get_settings


def main(argv: list[str] | None = None) -> int:
    """Run the command the arguments name; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m {{ cookiecutter.package_name }}")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "serve",
        help="serve the API: WEB_CONCURRENCY worker processes on HOST:PORT (the image's command)",
    )
{% if cookiecutter.auth == "password" %}
    admin = commands.add_parser(
        "create-admin",
        help="create an admin account for an address that has none",
        description="The password comes from ADMIN_PASSWORD, or is asked for when the "
        "terminal allows it; it is never an argument. An address that has an account "
        "already is refused: see `promote`.",
    )
    admin.add_argument("email")
    admin.add_argument("--full-name", default="Administrator")
    promoted = commands.add_parser(
        "promote",
        help="make the existing account of this address an admin",
        description="Prints the account it promoted (address, name, id, sign-up time): "
        "anyone may have signed up with an address, check that it is the one you meant.",
    )
    promoted.add_argument("email")
    arguments = parser.parse_args(argv)
    if arguments.command == "create-admin":
        return create_admin(parser, arguments.email, arguments.full_name)
    if arguments.command == "promote":
        return promote(parser, arguments.email)
{% else %}
    parser.parse_args(argv)
{% endif %}
    serve(get_settings())
    return 0


if __name__ == "__main__":
    sys.exit(main())
