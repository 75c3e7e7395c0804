"""A baked service stays updatable: cruft updates it, replay bakes it again, and it records its answers."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.projects import TEMPLATE
from harness.projects import explain
from harness.projects import project_env

pytestmark = pytest.mark.xdist_group("updates")

PROMPTS = json.loads((TEMPLATE / "cookiecutter.json").read_text())
# What a template is to cookiecutter and cruft; the rest of the repository is the suite's.
TEMPLATE_PARTS = ("cookiecutter.json", "hooks", "templates", "{{cookiecutter.__project_dir}}")
# Every prompt answered, none with its default, but the two derived from the name (DERIVED).
ANSWERS = {
    "project_name": "Billing API",
    "description": "Invoices and payments.",
    "author_name": "Ada Lovelace",
    "author_email": "ada@example.com",
    "python_version": "3.12",
    "database": "postgresql",
    "driver": "sync",
    "auth": "oidc",
    "include_docker": False,
    "include_tracing": False,
    "include_github_actions": False,
    "include_kubernetes": True,
}
DERIVED = {"project_slug": "billing-api", "package_name": "billing_api"}
PROJECT = DERIVED["project_slug"]
# The template's change between commits A and B, to a file the user leaves alone...
TEMPLATE_CHANGE = "# Kept in step with the template by `cruft update`."
# ...and to its initial migration, which `[tool.cruft] skip` keeps out of the project.
MIGRATION_CHANGE = "# Changed in the template after the project was baked."
USER_NOTE = "Deployed by the billing team; ask in #billing."
USER_MIGRATION = "migrations/versions/0002_add_invoices.py"
USER_MIGRATION_SOURCE = '"""Add invoices."""\n\nrevision = "0002"\ndown_revision = "0001"\n'


def run(*args: str | Path, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a command without input; never raises on failure."""
    return subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def succeed(*args: str | Path, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a command that must succeed."""
    result = run(*args, cwd=cwd, env=env)
    assert result.returncode == 0, f"{' '.join(map(str, args))}: {explain(result)}"
    return result


def cruft(*args: str | Path, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run the cruft command line of the suite's environment."""
    return run(sys.executable, "-m", "cruft", *args, cwd=cwd, env=env)


def cookiecutter(*args: str | Path, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run the cookiecutter command line of the suite's environment; it must succeed."""
    return succeed(sys.executable, "-m", "cookiecutter", *args, cwd=cwd, env=env)


def commit_all(repo: Path, message: str, env: dict[str, str]) -> str:
    """Commit everything in the work tree and return the commit's hash."""
    succeed("git", "add", "--all", cwd=repo, env=env)
    succeed("git", "commit", "--quiet", "--message", message, cwd=repo, env=env)
    return succeed("git", "rev-parse", "HEAD", cwd=repo, env=env).stdout.strip()


def new_repo(path: Path, message: str, env: dict[str, str]) -> str:
    """Make `path` a git repository with everything in it committed; return the commit's hash."""
    succeed("git", "init", "--quiet", "--initial-branch=main", cwd=path, env=env)
    return commit_all(path, message, env)


def changed_paths(repo: Path, env: dict[str, str]) -> set[str]:
    """The paths git sees changed or new in the work tree."""
    status = succeed("git", "status", "--porcelain", cwd=repo, env=env).stdout
    return {line[3:] for line in status.splitlines()}


def diffed_files(diff: str) -> set[str]:
    """The files a `cruft diff` output shows a difference in."""
    return set(re.findall(r"^diff --git upstream-template-old/(\S+) ", diff, re.MULTILINE))


def copy_template(destination: Path) -> Path:
    """Copy the template as it is in the work tree, uncommitted changes included, to `destination`."""
    destination.mkdir(parents=True)
    caches = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in TEMPLATE_PARTS:
        source = TEMPLATE / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=caches)
        else:
            shutil.copy2(source, destination / name)
    return destination


def append_line(path: Path, line: str) -> None:
    """Add a line at the end of a text file."""
    path.write_text(f"{path.read_text()}{line}\n")


def insert_second_line(path: Path, line: str) -> None:
    """Insert a line after the first line of a text file."""
    first, rest = path.read_text().split("\n", 1)
    path.write_text(f"{first}\n{line}\n{rest}")


def migration_files(project: Path) -> dict[str, bytes]:
    """The project's migration revisions, by name."""
    return {path.name: path.read_bytes() for path in sorted((project / "migrations/versions").glob("*.py"))}


def as_cli_answer(key: str, value: object) -> str:
    """An answer as cookiecutter's command line takes it: `key=value`, with yes/no for a flag."""
    if isinstance(value, bool):
        value = "yes" if value else "no"
    return f"{key}={value}"


def public_answers(context: dict[str, object]) -> dict[str, object]:
    """The answers to the prompts, without cookiecutter's and cruft's private keys."""
    return {key: value for key, value in context.items() if not key.startswith("_")}


def cookiecutter_config(directory: Path) -> Path:
    """Write a cookiecutter config that keeps replay files and clones in `directory`."""
    config = directory / "cookiecutterrc.yaml"
    # JSON is YAML.
    config.write_text(
        json.dumps({"replay_dir": str(directory / "replay"), "cookiecutters_dir": str(directory / "clones")})
    )
    return config


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """An environment for git, cookiecutter and cruft that reads none of the user's configuration."""
    return project_env(
        {
            # cookiecutter reads this instead of ~/.cookiecutterrc, also when cruft calls it.
            "COOKIECUTTER_CONFIG": str(cookiecutter_config(tmp_path_factory.mktemp("home"))),
            # A user's git configuration (signing, hooks, templates) must not change a commit.
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "Template Suite",
            "GIT_AUTHOR_EMAIL": "suite@example.com",
            "GIT_COMMITTER_NAME": "Template Suite",
            "GIT_COMMITTER_EMAIL": "suite@example.com",
        }
    )


@dataclass
class CruftStory:
    """What was seen along a service's life with cruft: created, changed by its team, updated."""

    template: Path
    output: Path
    project: Path
    commit_b: str
    check_fresh: subprocess.CompletedProcess[str]
    diff_fresh: subprocess.CompletedProcess[str]
    diff_changed: subprocess.CompletedProcess[str]
    check_outdated: subprocess.CompletedProcess[str]
    update: subprocess.CompletedProcess[str]
    check_updated: subprocess.CompletedProcess[str]
    env_before: bytes
    migrations_before: dict[str, bytes]
    changed_by_update: set[str]


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> CruftStory:
    """Create a service with cruft, let its team change it, move the template on, then update it."""
    root = tmp_path_factory.mktemp("cruft")
    template = copy_template(root / "cookiecutter-fastapi-sqlalchemy")
    new_repo(template, "Template, commit A", env)

    output = root / "services"
    created = cruft(
        "create", "--no-input", "--output-dir", output, "--extra-context", json.dumps(ANSWERS), template,
        cwd=root, env=env,
    )  # fmt: skip
    assert created.returncode == 0, explain(created)
    project = output / PROJECT
    new_repo(project, "Baked with cruft", env)
    check_fresh = cruft("check", cwd=project, env=env)
    diff_fresh = cruft("diff", "--exit-code", cwd=project, env=env)

    # The team's own work: a note in the README and a migration of their own.
    append_line(project / "README.md", USER_NOTE)
    (project / USER_MIGRATION).write_text(USER_MIGRATION_SOURCE)
    commit_all(project, "Our notes and our first migration", env)
    diff_changed = cruft("diff", "--exit-code", cwd=project, env=env)

    # The template moves on, in files the team did not touch.
    rendered = template / "{{cookiecutter.__project_dir}}"
    insert_second_line(rendered / "Makefile", TEMPLATE_CHANGE)
    append_line(rendered / "migrations/versions/0001_initial_schema.py", MIGRATION_CHANGE)
    commit_b = commit_all(template, "Template, commit B", env)
    check_outdated = cruft("check", cwd=project, env=env)

    env_before = (project / ".env").read_bytes()
    migrations_before = migration_files(project)
    update = cruft("update", "--skip-apply-ask", cwd=project, env=env)
    return CruftStory(
        template=template,
        output=output,
        project=project,
        commit_b=commit_b,
        check_fresh=check_fresh,
        diff_fresh=diff_fresh,
        diff_changed=diff_changed,
        check_outdated=check_outdated,
        update=update,
        check_updated=cruft("check", cwd=project, env=env),
        env_before=env_before,
        migrations_before=migrations_before,
        changed_by_update=changed_paths(project, env),
    )


def test_cruft_check_passes_when_fresh_fails_when_the_template_moved_on_and_passes_after_update(
    story: CruftStory,
) -> None:
    assert story.check_fresh.returncode == 0, explain(story.check_fresh)
    assert story.check_outdated.returncode == 1, explain(story.check_outdated)
    assert story.update.returncode == 0, explain(story.update)
    assert story.check_updated.returncode == 0, explain(story.check_updated)
    cruft_state = json.loads((story.project / ".cruft.json").read_text())
    assert cruft_state["commit"] == story.commit_b


def test_cruft_diff_shows_nothing_for_a_fresh_project_and_only_the_users_change_later(
    story: CruftStory,
) -> None:
    assert story.diff_fresh.returncode == 0, explain(story.diff_fresh)
    assert diffed_files(story.diff_fresh.stdout) == set()

    assert story.diff_changed.returncode == 1, explain(story.diff_changed)
    assert diffed_files(story.diff_changed.stdout) == {"README.md"}
    # Seen from the project, the template lacks the user's line.
    assert f"-{USER_NOTE}" in story.diff_changed.stdout.splitlines()


def test_update_brings_the_template_change_and_touches_nothing_else(story: CruftStory) -> None:
    makefile = (story.project / "Makefile").read_text().splitlines()

    assert makefile[1] == TEMPLATE_CHANGE
    assert story.changed_by_update == {"Makefile", ".cruft.json"}
    assert not list(story.project.rglob("*.rej")), "the update left rejected hunks"


def test_update_keeps_the_users_changes_and_migrations(story: CruftStory) -> None:
    readme = (story.project / "README.md").read_text().splitlines()

    assert readme[-1] == USER_NOTE
    # Their own revision, and the initial one the template changed meanwhile (skipped).
    assert migration_files(story.project) == story.migrations_before
    assert set(story.migrations_before) == {"0001_initial_schema.py", Path(USER_MIGRATION).name}
    assert MIGRATION_CHANGE not in (story.project / "migrations/versions/0001_initial_schema.py").read_text()


def test_update_keeps_the_env_file_and_its_secrets(story: CruftStory) -> None:
    assert (story.project / ".env").read_bytes() == story.env_before
    # The local database's password, random at the bake (the answers have no SECRET_KEY: oidc).
    assert re.search(rb"^POSTGRES_PASSWORD=(?!change-me$).{32,}$", story.env_before, re.MULTILINE)


def test_cruft_and_the_hooks_write_nothing_outside_the_project(
    story: CruftStory, env: dict[str, str]
) -> None:
    assert [path.name for path in story.output.iterdir()] == [PROJECT]
    assert changed_paths(story.template, env) == set()


def test_cruft_project_records_the_same_answers_as_its_cruft_state(story: CruftStory) -> None:
    cruft_state = json.loads((story.project / ".cruft.json").read_text())
    recorded = json.loads((story.project / ".cookiecutter.json").read_text())

    assert recorded == public_answers(cruft_state["context"]["cookiecutter"])
    assert recorded == {**ANSWERS, **DERIVED}


def test_a_service_baked_with_cookiecutter_links_to_cruft_by_its_answers_file(
    tmp_path: Path, env: dict[str, str]
) -> None:
    template = copy_template(tmp_path / "template")
    new_repo(template, "Template", env)
    answers = [as_cli_answer(key, value) for key, value in ANSWERS.items()]
    cookiecutter("--no-input", "--output-dir", tmp_path, template, *answers, cwd=tmp_path, env=env)
    project = tmp_path / PROJECT
    new_repo(project, "Baked with cookiecutter", env)

    recorded = (project / ".cookiecutter.json").read_text()
    linked = cruft("link", "--no-input", "--extra-context", recorded, template, cwd=project, env=env)
    assert linked.returncode == 0, explain(linked)
    diff = cruft("diff", "--exit-code", cwd=project, env=env)
    assert diff.returncode == 0, explain(diff)
    assert diffed_files(diff.stdout) == set()
    check = cruft("check", cwd=project, env=env)
    assert check.returncode == 0, explain(check)


@dataclass
class FirstBake:
    """A project baked with plain cookiecutter, and where cookiecutter kept its answers."""

    template: Path
    config: Path
    project: Path
    replay_file: Path


@pytest.fixture(scope="module")
def first_bake(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> FirstBake:
    """Bake the answers with `cookiecutter --no-input`, which also writes a replay file."""
    root = tmp_path_factory.mktemp("replay")
    template = copy_template(root / "cookiecutter-fastapi-sqlalchemy")
    config = cookiecutter_config(root)
    answers = [as_cli_answer(key, value) for key, value in ANSWERS.items()]
    cookiecutter(
        "--no-input", "--config-file", config, "--output-dir", root / "first", template, *answers,
        cwd=root, env=env,
    )  # fmt: skip
    replay_dir = Path(json.loads(config.read_text())["replay_dir"])
    return FirstBake(template, config, root / "first" / PROJECT, replay_dir / f"{template.name}.json")


def project_files(project: Path) -> dict[str, bytes]:
    """Every file of a project, by relative path, with its content."""
    return {
        path.relative_to(project).as_posix(): path.read_bytes()
        for path in sorted(project.rglob("*"))
        if path.is_file()
    }


@pytest.mark.parametrize("how", ["replay", "replay-file"])
def test_replay_bakes_the_same_project_again(
    first_bake: FirstBake, how: str, tmp_path: Path, env: dict[str, str]
) -> None:
    if how == "replay":
        replay = ["--replay"]
    else:
        # A replay file kept anywhere, e.g. beside the service.
        kept = shutil.copy2(first_bake.replay_file, tmp_path / "billing-api-answers.json")
        replay = ["--replay-file", str(kept)]
    cookiecutter(
        *replay, "--config-file", first_bake.config, "--output-dir", tmp_path / "again", first_bake.template,
        cwd=tmp_path, env=env,
    )  # fmt: skip
    first = project_files(first_bake.project)
    again = project_files(tmp_path / "again" / PROJECT)

    assert first.keys() == again.keys()
    assert {name for name in first if first[name] != again[name]} == {".env"}


def test_answers_file_bakes_the_same_project_again_with_cruft(
    first_bake: FirstBake, tmp_path: Path, env: dict[str, str]
) -> None:
    template = shutil.copytree(first_bake.template, tmp_path / "template")
    new_repo(template, "Template", env)
    created = cruft(
        "create", "--no-input", "--extra-context-file", first_bake.project / ".cookiecutter.json",
        "--output-dir", tmp_path / "again", template, cwd=tmp_path, env=env,
    )  # fmt: skip
    assert created.returncode == 0, explain(created)
    first = project_files(first_bake.project)
    again = project_files(tmp_path / "again" / PROJECT)

    assert again.keys() - first.keys() == {".cruft.json"}
    assert {name for name in first if first[name] != again[name]} == {".env"}


def test_answers_file_holds_exactly_the_answers_given_as_pretty_json(first_bake: FirstBake) -> None:
    text = (first_bake.project / ".cookiecutter.json").read_text()
    public_prompts = [key for key in PROMPTS if not key.startswith("_")]
    expected = {key: {**ANSWERS, **DERIVED}[key] for key in public_prompts}

    assert text == json.dumps(expected, indent=2) + "\n"
