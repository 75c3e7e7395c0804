"""The hooks as functions: validation rules, variant selection, clean-up, and `.env`, run twice."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import TEMPLATE


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
    "include_docker": True,
    "include_github_actions": True,
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
        ("author_email", "ada@example"),
        ("include_docker", "yes"),
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
        "src/my_service/db_async.py",
        "src/my_service/db_sync.py",
        "migrations/env_async.py",
        "migrations/env_sync.py",
        "tests/conftest_async.py",
        "tests/conftest_sync.py",
        "compose_sqlite.yaml",
        "compose_postgresql.yaml",
        "Dockerfile",
        ".dockerignore",
        ".github/workflows/ci.yml",
    ):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(name)
    (root / ".env.example").write_text("DATABASE_URL=sqlite:///x.db\nSECRET_KEY=change-me\n")
    return root


def finish(project: Path, answers: dict[str, Any]) -> None:
    post_gen.keep_variants(project, answers)
    post_gen.remove_unneeded(project, answers)
    post_gen.write_env_file(project)


def test_post_gen_keeps_the_chosen_variants_under_their_plain_names(tmp_path: Path) -> None:
    project = make_unfinished_project(tmp_path)

    finish(project, {**GOOD, "driver": "sync", "database": "postgresql"})

    assert (project / "src/my_service/db.py").read_text() == "src/my_service/db_sync.py"
    assert (project / "migrations/env.py").read_text() == "migrations/env_sync.py"
    assert (project / "tests/conftest.py").read_text() == "tests/conftest_sync.py"
    assert (project / "compose.yaml").read_text() == "compose_postgresql.yaml"
    assert not list(project.rglob("*_async.py"))
    assert not list(project.rglob("*_sync.py"))
    assert not list(project.glob("compose_*.yaml"))


def test_post_gen_removes_what_the_answers_switch_off(tmp_path: Path) -> None:
    project = make_unfinished_project(tmp_path)

    finish(project, {**GOOD, "include_docker": False, "include_github_actions": False})

    for name in ("Dockerfile", ".dockerignore", "compose.yaml", ".github"):
        assert not (project / name).exists(), name


def test_post_gen_writes_env_with_a_fresh_secret_and_keeps_it_when_run_again(tmp_path: Path) -> None:
    project = make_unfinished_project(tmp_path)

    finish(project, GOOD)
    first = (project / ".env").read_text()
    snapshot = {path: path.read_bytes() for path in project.rglob("*") if path.is_file()}
    finish(project, GOOD)

    secret = first.split("SECRET_KEY=")[1].strip()
    assert secret != "change-me"
    assert len(secret) >= 32
    assert {path: path.read_bytes() for path in project.rglob("*") if path.is_file()} == snapshot
