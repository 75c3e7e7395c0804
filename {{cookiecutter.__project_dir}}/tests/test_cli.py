"""The create-admin and promote commands: admins, with no credentials written anywhere."""
{% from "driver.jinja" import async, await, Engine, Iterator, imports with context %}
{{ imports("Iterator") }}
{{ imports("anyio.to_thread") }}
import pytest
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy import update
{{- imports("Engine") }}

from {{ cookiecutter.package_name }}.__main__ import main
from {{ cookiecutter.package_name }}.models import User
from {{ cookiecutter.package_name }}.passwords import Passwords
from {{ cookiecutter.package_name }}.settings import Settings

from accounts import TEST_SECRET_KEY

EMAIL = "root@cli.example.com"


@pytest.fixture
{{ async }}def environment(
    settings: Settings, engine: {{ Engine }}, monkeypatch: pytest.MonkeyPatch
) -> {{ Iterator }}[None]:
    """The command's environment points at the test database; its accounts go afterwards."""
    # The command commits for real, outside any test's transaction.
    for name, value in {
        "DATABASE_URL": settings.database_url,
        "ENVIRONMENT": "development",
        "SECRET_KEY": TEST_SECRET_KEY,
        "PASSWORD_HASH_MEMORY_KIB": "1024",
        "PASSWORD_HASH_TIME_COST": "1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    yield
    {{ async }}with engine.begin() as connection:
        {{ await }}connection.execute(delete(User).where(User.email.like("%@cli.example.com")))


{{ async }}def run(*args: str) -> int:
    """Run the command with these arguments, as from a shell; return its exit status."""
{% if cookiecutter.driver == "async" %}
    # In a thread of its own: the command runs its own event loop.
    return await anyio.to_thread.run_sync(main, list(args))
{% else %}
    return main(list(args))
{% endif %}


{{ async }}def stored(engine: {{ Engine }}, email: str) -> tuple[bool, str] | None:
    """Whether the account of this address is an admin, and its password hash; None if none."""
    {{ async }}with engine.connect() as connection:
        rows = {{ await }}connection.execute(
            select(User.is_superuser, User.hashed_password).where(User.email == email)
        )
        row = rows.one_or_none()
    return None if row is None else (row[0], row[1])


@pytest.mark.usefixtures("environment")
{{ async }}def test_create_admin_takes_the_password_from_the_environment(
    engine: {{ Engine }},
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ADMIN_PASSWORD", "first-admin-password")

    status = {{ await }}run("create-admin", EMAIL)

    assert status == 0
    assert f"Created the admin {EMAIL}" in capsys.readouterr().out
    account = {{ await }}stored(engine, EMAIL)
    assert account is not None
    assert account[0] is True
    assert {{ await }}Passwords(settings).verify("first-admin-password", account[1])


@pytest.mark.usefixtures("environment")
{{ async }}def test_create_admin_leaves_an_existing_account_as_it_is(
    engine: {{ Engine }}, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """ASVS 5 V8.2.1: admin rights go to the account the operator means, never to a squatter."""
    monkeypatch.setenv("ADMIN_PASSWORD", "the squatter's password")
    {{ await }}run("create-admin", EMAIL)
    {{ async }}with engine.begin() as connection:
        demoted = update(User).where(User.email == EMAIL).values(is_superuser=False)
        {{ await }}connection.execute(demoted)
    monkeypatch.setenv("ADMIN_PASSWORD", "the operator's password")
    capsys.readouterr()

    status = {{ await }}run("create-admin", EMAIL)

    assert status == 1
    assert capsys.readouterr().err == (
        f"create-admin: {EMAIL} already has an account, which stays as it is; "
        f"if it is yours, make it an admin with `promote {EMAIL}`\n"
    )
    account = {{ await }}stored(engine, EMAIL)
    assert account is not None
    assert account[0] is False


@pytest.mark.usefixtures("environment")
{{ async }}def test_promote_makes_the_named_account_an_admin_and_says_whose(
    engine: {{ Engine }}, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ADMIN_PASSWORD", "first-admin-password")
    {{ await }}run("create-admin", EMAIL, "--full-name", "Grace Hopper")
    {{ async }}with engine.begin() as connection:
        demoted = update(User).where(User.email == EMAIL).values(is_superuser=False)
        {{ await }}connection.execute(demoted)
    capsys.readouterr()

    status = {{ await }}run("promote", EMAIL)

    said = capsys.readouterr().out
    account = {{ await }}stored(engine, EMAIL)
    assert status == 0
    assert account is not None
    assert account[0] is True
    assert said.startswith(f"Made an admin: {EMAIL}, Grace Hopper, id ")
    assert "signed up " in said


@pytest.mark.usefixtures("environment")
{{ async }}def test_promote_of_an_address_without_an_account_fails_saying_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = {{ await }}run("promote", EMAIL)

    assert status == 1
    assert capsys.readouterr().err == f"promote: no account has the address {EMAIL}\n"


@pytest.mark.usefixtures("environment")
{{ async }}def test_create_admin_without_a_password_or_a_terminal_says_how_to_give_one(
    engine: {{ Engine }}, capsys: pytest.CaptureFixture[str]
) -> None:
    status = {{ await }}run("create-admin", EMAIL)

    assert status == 1
    assert "set ADMIN_PASSWORD" in capsys.readouterr().err
    assert {{ await }}stored(engine, EMAIL) is None


@pytest.mark.usefixtures("environment")
{{ async }}def test_create_admin_refuses_a_short_password_in_one_line(
    engine: {{ Engine }}, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ADMIN_PASSWORD", "short")

    status = {{ await }}run("create-admin", EMAIL)

    error = capsys.readouterr().err
    assert status == 1
    assert error == "create-admin: PASSWORD String should have at least 12 characters\n"
    assert {{ await }}stored(engine, EMAIL) is None


@pytest.mark.usefixtures("environment")
{{ async }}def test_create_admin_refuses_what_is_not_an_address(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        {{ await }}run("create-admin", "not-an-address")

    assert exited.value.code == 2
    assert "EMAIL " in capsys.readouterr().err
