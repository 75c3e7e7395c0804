"""Answers as a new user would type them: bad ones are refused clearly and leave nothing behind.

Every case runs the cookiecutter command line, as a user would, into an empty
directory. A refused answer must exit non-zero, name the field in the message,
and leave the directory empty.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from harness.projects import TEMPLATE
from harness.projects import project_env


def bake_with(output: Path, *answers: str) -> subprocess.CompletedProcess[str]:
    """Run `cookiecutter --no-input` with these key=value answers into `output`."""
    return subprocess.run(
        [sys.executable, "-m", "cookiecutter", "--no-input", "--default-config", "-o", str(output),
         str(TEMPLATE), *answers],
        env=project_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )  # fmt: skip


# (answer, the one line the hook prints for it, after "Error: ")
REFUSED_BY_THE_HOOK = [
    ("project_slug=my service", "project_slug 'my service'"),
    ("project_slug=MyService", "project_slug 'MyService'"),
    ("project_slug=1service", "project_slug '1service'"),
    ("project_slug=my--service", "project_slug 'my--service'"),
    ("project_slug=my_service", "project_slug 'my_service'"),
    ("project_slug=", "project_slug '': use lower-case letters"),
    ("project_slug=" + "a" * 41, "project_slug '" + "a" * 41 + "': at most 40 characters"),
    ("package_name=my service", "package_name 'my service'"),
    ("package_name=MyService", "package_name 'MyService'"),
    ("package_name=1service", "package_name '1service'"),
    ("package_name=", "package_name ''"),
    ("package_name=" + "a" * 41, "package_name '" + "a" * 41 + "': at most 40 characters"),
    ("package_name=class", "package_name 'class' is a Python keyword"),
    ("package_name=match", "package_name 'match' is a Python keyword"),
    ("package_name=json", "package_name 'json' would shadow"),
    ("package_name=test", "package_name 'test' would shadow"),
    ("package_name=email", "package_name 'email' would shadow"),
    ("package_name=fastapi", "package_name 'fastapi' would shadow"),
    ("package_name=sqlalchemy", "package_name 'sqlalchemy' would shadow"),
    ("package_name=alembic", "package_name 'alembic' would shadow"),
    ("package_name=tests", "package_name 'tests' would shadow"),
    ("author_email=not-an-address", "author_email 'not-an-address'"),
    ("author_email=ada@localhost", "author_email 'ada@localhost'"),
    ("author_email=ada lovelace@example.com", "author_email 'ada lovelace@example.com'"),
    ("author_email=", "author_email ''"),
    ('description=Says "hi"', "description 'Says \"hi\"': must not contain double quotes"),
    ("description=" + "x" * 81, "description: at most 80 characters"),
    ("author_name=", "author_name: must not be empty"),
    ("project_name=Back\\slash", "project_name 'Back\\\\slash': must not contain"),
    # An empty name, or one without a letter or digit, makes an empty slug: it is the name's error.
    ("project_name=", "project_name: must not be empty"),
    ("project_name=   ", "project_name: must not be empty"),
    ("project_name=!!!", "project_name '!!!': must contain a letter or a digit"),
    ("project_name=" + "x" * 65, "project_name: at most 64 characters"),
    ("project_name=" + "名" * 33, "project_name: at most 64 characters (wide ones such as 字 count as two)"),
    ("include_kubernetes=yes", "include_kubernetes: needs database=postgresql or mysql"),
]
# Choices and yes/no answers are checked by cookiecutter itself, in its own words.
REFUSED_BY_COOKIECUTTER = [
    ("database=oracle", "oracle provided for choice variable database, but the choices are"),
    ("driver=threads", "threads provided for choice variable driver"),
    ("python_version=2.7", "2.7 provided for choice variable python_version"),
    (
        "include_docker=maybe",
        "maybe provided for variable include_docker could not be converted to a boolean",
    ),
]


def refused_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The hook's lines, each naming a refused field."""
    return [line.removeprefix("Error: ") for line in result.stderr.splitlines() if line.startswith("Error: ")]


@pytest.mark.parametrize(("answer", "message"), REFUSED_BY_THE_HOOK, ids=[a for a, _ in REFUSED_BY_THE_HOOK])
def test_bad_answer_is_refused_in_one_line_naming_the_field_and_leaves_nothing(
    tmp_path: Path, answer: str, message: str
) -> None:
    output = tmp_path / "out"
    output.mkdir()

    result = bake_with(output, answer)

    assert result.returncode != 0
    # Exactly one line: a slug made from a refused name is not refused again.
    [line] = refused_lines(result)
    assert line.startswith(message), line
    assert list(output.iterdir()) == []


@pytest.mark.parametrize(
    ("answer", "message"), REFUSED_BY_COOKIECUTTER, ids=[a for a, _ in REFUSED_BY_COOKIECUTTER]
)
def test_bad_choice_is_refused_naming_the_field_and_leaves_nothing(
    tmp_path: Path, answer: str, message: str
) -> None:
    output = tmp_path / "out"
    output.mkdir()

    result = bake_with(output, answer)

    assert result.returncode != 0
    assert message in result.stdout + result.stderr
    assert list(output.iterdir()) == []


@pytest.mark.parametrize(
    ("project_name", "slug", "package"),
    [
        ("Café Überblick", "cafe-uberblick", "cafe_uberblick"),
        ("Сервис заказов", "servis-zakazov", "servis_zakazov"),
        ("订单服务", "ding-dan-fu-wu", "ding_dan_fu_wu"),
        ("  Billing  API v2 ", "billing-api-v2", "billing_api_v2"),
    ],
)
def test_non_ascii_project_name_bakes_with_a_clean_slug(
    tmp_path: Path, project_name: str, slug: str, package: str
) -> None:
    result = bake_with(tmp_path, f"project_name={project_name}")

    assert result.returncode == 0, result.stderr
    project = tmp_path / slug
    assert (project / "src" / package / "main.py").is_file()
    assert f'TITLE = "{project_name}"' in (project / "src" / package / "main.py").read_text()


def test_yes_and_no_answers_switch_the_optional_files(tmp_path: Path) -> None:
    result = bake_with(tmp_path, "include_docker=no", "include_github_actions=no")

    assert result.returncode == 0, result.stderr
    project = tmp_path / "my-service"
    assert not (project / "Dockerfile").exists()
    assert not (project / "compose.yaml").exists()
    assert not (project / ".github").exists()
