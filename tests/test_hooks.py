"""The hooks as functions: validation rules, variant selection, clean-up, and `.env`, run twice."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from harness.projects import TEMPLATE


def load_hook(name: str) -> ModuleType:
    """Import a hook script unrendered: its answers live in a string, so it is plain Python."""
    spec = importlib.util.spec_from_file_location(name, TEMPLATE / "hooks" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pre_gen = load_hook("pre_gen_project")
post_gen = load_hook("post_gen_project")

GOOD = {
    "project_name": "My Service",
    "project_slug": "my-service",
    "package_name": "my_service",
    "description": "A service.",
    "author_name": "Ada Lovelace",
    "author_email": "ada@example.com",
    "python_version": "3.15",
    "database": "sqlite",
    "driver": "async",
    "auth": "password",
    "include_docker": True,
    "include_tracing": True,
    "include_github_actions": True,
    "include_kubernetes": False,
}


def test_good_answers_have_no_problems() -> None:
    assert pre_gen.problems(GOOD) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("project_slug", "my_service"),
        ("project_slug", "-my-service"),
        ("project_slug", "my-service-"),
        ("package_name", "my-service"),
        ("package_name", "_private"),
        ("package_name", "None"),
        ("package_name", "asyncio"),
        ("package_name", "pydantic"),
        ("package_name", "migrations"),
        ("description", "two\nlines"),
        ("author_name", "   "),
        ("project_name", ""),
        ("project_name", "!!!"),
        ("project_name", "x" * 65),
        ("project_name", "字" * 33),
        ("description", "x" * 81),
        ("project_slug", "a" * 41),
        ("package_name", "a" * 41),
        ("author_email", "ada@example"),
        ("include_docker", "yes"),
        ("include_kubernetes", "no"),
    ],
)
def test_each_bad_answer_gives_one_line_naming_its_field(field: str, value: Any) -> None:
    [problem] = pre_gen.problems({**GOOD, field: value})

    assert problem.startswith(field)
    assert "\n" not in problem


def test_every_bad_answer_is_reported_at_once() -> None:
    problems = pre_gen.problems({**GOOD, "project_slug": "A B", "author_email": "nobody"})

    assert [problem.split()[0] for problem in problems] == ["project_slug", "author_email"]


def make_unfinished_project(root: Path) -> Path:
    """A directory shaped like a freshly rendered project, before the post-gen hook."""
    for name in (
        "src/my_service/db.py",
        "src/my_service/db_server.py",
        "src/my_service/dialect_sqlite.py",
        "src/my_service/dialect_postgresql.py",
        "src/my_service/dialect_mysql.py",
        "src/my_service/api/sessions_async.py",
        "src/my_service/api/sessions_sync.py",
        "src/my_service/passwords.py",
        "src/my_service/oidc.py",
        "src/my_service/api/caller_password.py",
        "src/my_service/api/caller_oidc.py",
        "src/my_service/api/routes/users_password.py",
        "src/my_service/api/routes/users_oidc.py",
        "src/my_service/api/routes/users_none.py",
        "src/my_service/api/routes/items_owned.py",
        "src/my_service/api/routes/items_open.py",
        "compose_sqlite.yaml",
        "compose_postgresql.yaml",
        "compose_mysql.yaml",
        "Dockerfile",
        ".dockerignore",
        ".github/workflows/ci.yml",
    ):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(name)
    (root / ".env.example").write_text(
        "DATABASE_URL=postgresql://postgres:change-me@localhost/db\nPOSTGRES_PASSWORD=change-me\n"
        "SECRET_KEY=change-me\n"
    )
    return root


def finish(project: Path, answers: dict[str, Any]) -> None:
    post_gen.keep_versions(project, answers)
    post_gen.remove_unneeded(project, answers)
    post_gen.write_env_file(project)


def test_post_gen_puts_the_chosen_version_under_its_plain_name(tmp_path: Path) -> None:
    project = make_unfinished_project(tmp_path)

    finish(project, {**GOOD, "database": "postgresql", "auth": "oidc"})

    assert (project / "compose.yaml").read_text() == "compose_postgresql.yaml"
    assert not list(project.glob("compose_*.yaml"))
    assert (project / "src/my_service/dialect.py").read_text() == "src/my_service/dialect_postgresql.py"
    assert not list(project.glob("src/my_service/dialect_*.py"))
    assert (project / "src/my_service/db_server.py").exists()
    api = project / "src/my_service/api"
    assert (api / "caller.py").read_text() == "src/my_service/api/caller_oidc.py"
    assert (api / "routes/users.py").read_text() == "src/my_service/api/routes/users_oidc.py"
    assert (api / "routes/items.py").read_text() == "src/my_service/api/routes/items_owned.py"
    assert sorted(path.name for path in (api / "routes").iterdir()) == ["items.py", "users.py"]
    assert (project / "src/my_service/oidc.py").exists()
    assert not (project / "src/my_service/passwords.py").exists()


def test_post_gen_gives_an_answer_without_a_version_no_such_file(tmp_path: Path) -> None:
    project = make_unfinished_project(tmp_path)

    finish(project, {**GOOD, "auth": "none"})

    api = project / "src/my_service/api"
    assert not list(api.glob("caller*.py"))
    assert (api / "routes/items.py").read_text() == "src/my_service/api/routes/items_open.py"


def test_post_gen_removes_what_the_answers_switch_off(tmp_path: Path) -> None:
    project = make_unfinished_project(tmp_path)

    finish(project, {**GOOD, "include_docker": False, "include_github_actions": False})

    for name in ("Dockerfile", ".dockerignore", "compose.yaml", ".github"):
        assert not (project / name).exists(), name
    assert (project / "src/my_service/dialect.py").exists()
    assert not (project / "src/my_service/db_server.py").exists()


@pytest.mark.parametrize(
    "name",
    ["src/my_service/db_utils.py", "compose_override.yaml", "compose_sqlite_extra.yaml", "Dockerfile.dev"],
)
def test_post_gen_leaves_a_file_its_tables_do_not_name(tmp_path: Path, name: str) -> None:
    # A fork of the template may add files next to the variants: they must survive.
    project = make_unfinished_project(tmp_path)
    (project / name).write_text("mine")

    finish(project, {**GOOD, "database": "mysql", "include_docker": False})

    assert (project / name).read_text() == "mine"


def test_post_gen_tables_name_only_files_the_template_has() -> None:
    rendered = TEMPLATE / "{{cookiecutter.__project_dir}}"
    named = {version for _prompt, versions in post_gen.VERSIONS.values() for version in versions.values()}
    named |= set(post_gen.KEPT_ONLY_FOR) - set(post_gen.VERSIONS)
    for name in sorted(named):
        template_path = rendered / name.replace("{package_name}", "{{cookiecutter.package_name}}")
        assert template_path.exists(), f"the hook names {name}, which the template does not have"


def test_post_gen_writes_env_with_fresh_secrets_and_keeps_it_when_run_again(tmp_path: Path) -> None:
    project = make_unfinished_project(tmp_path)

    finish(project, GOOD)
    first = (project / ".env").read_text()
    snapshot = {path: path.read_bytes() for path in project.rglob("*") if path.is_file()}
    finish(project, GOOD)

    assert "change-me" not in first
    secret = re.search(r"^SECRET_KEY=(.+)$", first, re.MULTILINE)
    password = re.search(r"^POSTGRES_PASSWORD=(.+)$", first, re.MULTILINE)
    assert secret
    assert password
    assert len(secret.group(1)) >= 32
    assert password.group(1) != secret.group(1)
    # The database's password is the same in the server's setting and in the URL.
    assert f"postgres:{password.group(1)}@localhost" in first
    assert {path: path.read_bytes() for path in project.rglob("*") if path.is_file()} == snapshot


def test_post_gen_puts_secrets_in_values_never_in_comments(tmp_path: Path) -> None:
    project = make_unfinished_project(tmp_path)
    example = project / ".env.example"
    example.write_text('# Every "change-me" below gets a fresh random value.\n' + example.read_text())

    finish(project, GOOD)

    lines = (project / ".env").read_text().splitlines()
    password = next(line for line in lines if line.startswith("POSTGRES_PASSWORD=")).split("=", 1)[1]
    assert lines[0] == '# Every "change-me" below gets a fresh random value.'
    assert [line for line in lines if line.startswith("#") and password in line] == []
