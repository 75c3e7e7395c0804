"""Settings: the database URL must suit the service's driver, production must be set up safely."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from {{ cookiecutter.package_name }}.main import create_app
from {{ cookiecutter.package_name }}.settings import Settings
from {{ cookiecutter.package_name }}.settings import get_settings

from database import DATABASE_URL
from database import URL_WITH_OTHER_DRIVER
from database import URL_WITHOUT_DRIVER
from example_settings import AUTH_STOPPERS
from example_settings import FOR_PRODUCTION
from example_settings import NEEDED
from example_settings import make_settings


def test_url_without_driver_gets_the_services_driver() -> None:
    assert make_settings(database_url=URL_WITHOUT_DRIVER).database_url == DATABASE_URL


def test_url_with_another_driver_is_refused_naming_both() -> None:
    with pytest.raises(ValidationError) as error:
        make_settings(database_url=URL_WITH_OTHER_DRIVER)

    message = str(error.value)
    assert "database_url" in message
    assert "{{ cookiecutter.__url_scheme }}" in message
    # The URL (and the password in it) is not repeated in the error.
    assert URL_WITH_OTHER_DRIVER not in message


@pytest.mark.parametrize(
    ("variable", "value", "told"), [("DB_POOL_SIZE", "none", "DB_POOL_SIZE "), *AUTH_STOPPERS]
)
def test_invalid_settings_stop_the_service_with_one_line_naming_them_not_their_values(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, told: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", DATABASE_URL)
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv(variable, value)

    with pytest.raises(SystemExit) as exited:
        get_settings()

    message = str(exited.value.code)
    assert message.startswith(f"Invalid settings: {told}")
    assert "\n" not in message
    assert DATABASE_URL not in message
    assert value not in message


def test_production_is_what_you_get_unless_you_ask_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ENVIRONMENT", raising=False)

    given = {"database_url": DATABASE_URL, **NEEDED, **FOR_PRODUCTION}
    unsaid = Settings(_env_file=None, **given)

    assert unsaid.environment == "production"
{% if cookiecutter.database != "sqlite" %}


def test_production_refuses_a_database_url_without_password() -> None:
    with pytest.raises(ValidationError, match="DATABASE_URL must carry a password"):
        make_settings(
            environment="production",
            database_url="{{ cookiecutter.__url_scheme }}://app@db.internal/app",
            **FOR_PRODUCTION,
        )
{% endif %}


def test_cors_origins_are_a_json_list_and_none_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORS_ORIGINS", '["https://app.example.com"]')

    assert make_settings().cors_origins == ["https://app.example.com"]
    assert make_settings(cors_origins=[]).cors_origins == []


DOCS = {"/openapi.json", "/docs", "/redoc"}


def _served(**settings: Any) -> set[str]:
    app = create_app(make_settings(**settings))
    return {path for path in DOCS if TestClient(app).get(path).status_code == 200}


def test_the_openapi_pages_are_served_in_development_only_unless_set() -> None:
    """ASVS 5 V13.4.5: documentation endpoints are not exposed unless meant to be."""
    assert _served() == DOCS
    assert _served(docs_enabled=False) == set()
    assert _served(environment="production", **FOR_PRODUCTION) == set()
    assert _served(environment="production", docs_enabled=True, **FOR_PRODUCTION) == DOCS


def test_every_origin_with_credentials_is_refused() -> None:
    """ASVS 5 V3.4.2: credentialed cross-origin calls only from origins named one by one."""
    with pytest.raises(ValidationError, match="CORS_ORIGINS may not hold"):
        make_settings(cors_origins=["*"], cors_allow_credentials=True)
    assert make_settings(cors_origins=["*"]).cors_origins == ["*"]


def test_only_the_trusted_hosts_are_answered() -> None:
    app = create_app(make_settings(trusted_hosts=["api.example.com"]))

    with TestClient(app) as client:
        ours = client.get("/health", headers={"Host": "api.example.com"})
        theirs = client.get("/health", headers={"Host": "evil.example"})

    assert (ours.status_code, theirs.status_code) == (200, 400)


def test_a_trailing_slash_is_not_redirected_to_the_host_a_client_names() -> None:
    """ASVS 5 V3.7.2: no redirect to a host the request chose."""
    with TestClient(create_app(make_settings())) as client:
        response = client.get(
            "/api/v1/items/", headers={"Host": "evil.example"}, follow_redirects=False
        )

    assert "evil.example" not in response.headers.get("location", "")
    assert response.status_code != 500


def test_importing_the_app_module_builds_no_app_and_reads_no_setting(tmp_path: Path) -> None:
    """uvicorn builds the app through the factory (`--factory`): importing needs no settings."""
    module = "{{ cookiecutter.package_name }}.main"
    code = f"import {module} as main; assert not hasattr(main, 'app')"
    # No setting in the environment, and no .env in the working directory.
    environment = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": os.pathsep.join(sys.path)}
    # The command is this test's own: the interpreter running it, and a fixed line of code.
    imported = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )

    assert imported.returncode == 0, imported.stderr
