"""The test database, a file; and URLs as a deployment would give them."""

import os
from pathlib import Path

from {{ cookiecutter.package_name }}.settings import URL_SCHEME

# A database file in a directory that does not exist cannot be opened.
UNREACHABLE_DATABASE_URL = f"{URL_SCHEME}:////nonexistent/test.db"
# A URL with the service's driver, without one, and with another.
DATABASE_URL = f"{URL_SCHEME}:///./app.db"
URL_WITHOUT_DRIVER = "sqlite:///./app.db"
URL_WITH_OTHER_DRIVER = "sqlite+pysqlcipher:///./app.db"
# Made up: SQLite needs no password, but a URL may carry one, and it must come through whole.
URL_WITH_PASSWORD = "sqlite://app:s3cret-Pa55@localhost/app.db"

# Settings of the database held to a lowest value: (setting, default, lowest).
DATABASE_BOUNDS: list[tuple[str, int, int]] = []


def database_url_for_tests(scratch: Path) -> str:
    """TEST_DATABASE_URL, or a new database file in a scratch directory."""
    return os.environ.get("TEST_DATABASE_URL") or f"{URL_SCHEME}:///{scratch / 'test.db'}"
