"""The test database, on the server of DATABASE_URL; and URLs as a deployment would give them."""

import os
from pathlib import Path

from sqlalchemy import make_url

from {{ cookiecutter.package_name }}.settings import URL_SCHEME
from {{ cookiecutter.package_name }}.settings import DatabaseSettings

# Nothing listens on port 1 of the loopback interface.
UNREACHABLE_DATABASE_URL = f"{URL_SCHEME}://nobody@127.0.0.1:1/nowhere"
{% set port, other_driver = ("5432", "psycopg2") if cookiecutter.database == "postgresql" else ("3306", "mysqldb") %}
# A URL with the service's driver, without one, and with another.
DATABASE_URL = f"{URL_SCHEME}://app:secret@db.internal:{{ port }}/app"
URL_WITHOUT_DRIVER = "{{ cookiecutter.database }}://app:secret@db.internal:{{ port }}/app"
URL_WITH_OTHER_DRIVER = "{{ cookiecutter.database }}+{{ other_driver }}://app:secret@db.internal:{{ port }}/app"
URL_WITH_PASSWORD = "{{ cookiecutter.database }}://owner:s3cret-Pa55@db.internal:{{ port }}/app"

# Settings of the database held to a lowest value: (setting, default, lowest).
DATABASE_BOUNDS = [("db_connect_timeout", 5, 1)]


def database_url_for_tests(_scratch: Path) -> str:
    """TEST_DATABASE_URL, or DATABASE_URL's database with `_test` appended (same server)."""
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        return given
    url = make_url(DatabaseSettings().database_url)
    return url.set(database=f"{url.database}_test").render_as_string(hide_password=False)
