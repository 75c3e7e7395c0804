"""Every combination of answers bakes a project that is complete, clean, typed, migrates and works.

For each combination (see combinations.py) the project is baked once per worker,
then checked as its own CI would check it, against the real database of its kind.
"""

from __future__ import annotations

import json
import re
import tomllib
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version
from pathlib import Path

import httpx2 as httpx
import pytest
from packaging.requirements import Requirement

from harness.combinations import COMBINATIONS
from harness.combinations import FULL_CYCLE
from harness.combinations import IN_GENERATED_CI
from harness.combinations import PAIRWISE
from harness.combinations import Combination
from harness.combinations import parametrize_combinations
from harness.identities import Callers
from harness.projects import TEMPLATE
from harness.projects import Baked
from harness.projects import bake
from harness.projects import explain
from harness.servers import DatabaseFactory
from harness.services import serving_baked

PROMPTS = json.loads((TEMPLATE / "cookiecutter.json").read_text())
# Template syntax that must never reach a baked file.
LEFTOVER = re.compile(r"\{\{|\{%|\{#|\bcookiecutter\.")
# What the full cycle runs beyond the linters: the tests, the migrations, the service.
RUN_BY_THE_FULL_CYCLE = ("src", "tests", "migrations", "alembic.ini")

EVERY_PROJECT = {
    ".cookiecutter.json",
    ".env",
    ".env.example",
    ".gitignore",
    ".pre-commit-config.yaml",
    "Makefile",
    "README.md",
    "alembic.ini",
    "pyproject.toml",
    "migrations/env.py",
    "migrations/script.py.mako",
    "migrations/versions/0001_initial_schema.py",
    "src/{package}/__init__.py",
    "src/{package}/__main__.py",
    "src/{package}/accounts.py",
    "src/{package}/api/__init__.py",
    "src/{package}/api/deps.py",
    "src/{package}/api/errors.py",
    "src/{package}/api/middleware.py",
    "src/{package}/api/routes/__init__.py",
    "src/{package}/api/routes/health.py",
    "src/{package}/api/routes/items.py",
    "src/{package}/api/routes/metrics.py",
    "src/{package}/api/routes/users.py",
    "src/{package}/api/sessions.py",
    "src/{package}/base.py",
    "src/{package}/column_types.py",
    "src/{package}/crud.py",
    "src/{package}/db.py",
    "src/{package}/dialect.py",
    "src/{package}/enums.py",
    "src/{package}/logs.py",
    "src/{package}/main.py",
    "src/{package}/metrics.py",
    "src/{package}/models.py",
    "src/{package}/schemas.py",
    "src/{package}/serve.py",
    "src/{package}/settings.py",
    "src/{package}/user_schemas.py",
    "tests/accounts.py",
    "tests/conftest.py",
    "tests/database.py",
    "tests/example_settings.py",
    "tests/test_health.py",
    "tests/test_items.py",
    "tests/test_metrics.py",
    "tests/test_middleware.py",
    "tests/test_migrations.py",
    "tests/test_pool.py",
    "tests/test_settings.py",
    "tests/test_users.py",
    "tests/test_details.py",
    "tests/test_item_order.py",
    "tests/test_setting_bounds.py",
    "tests/test_start_up.py",
    "tests/urls.py",
}
# The files that only some answers call for.
WITH = {
    ("database", "postgresql"): {"src/{package}/db_server.py"},
    ("database", "mysql"): {"src/{package}/db_server.py"},
    ("auth", "password"): {
        "tests/test_own_address.py",
        "tests/test_signup_limit_logged.py",
        "tests/test_admin_address_change.py",
        "tests/test_throttle_pruning.py",
        "tests/test_signup_flood.py",
        "tests/test_client_address.py",
        "src/{package}/admins.py",
        "src/{package}/api/app_state.py",
        "src/{package}/api/caller.py",
        "src/{package}/api/caller_base.py",
        "src/{package}/api/user_in_reach.py",
        "src/{package}/attempts.py",
        "src/{package}/inserts.py",
        "src/{package}/item_inserts.py",
        "src/{package}/api/item_creates.py",
        "src/{package}/transactions.py",
        "src/{package}/emails.py",
        "src/{package}/unique_emails.py",
        "src/{package}/api/routes/auth.py",
        "src/{package}/api/throttles.py",
        "src/{package}/common_passwords.txt",
        "src/{package}/events.py",
        "src/{package}/cpus.py",
        "src/{package}/passwords.py",
        "src/{package}/tokens.py",
        "tests/test_access.py",
        "tests/test_auth.py",
        "tests/test_cli.py",
        "tests/test_passwords.py",
        "tests/test_hashing.py",
        "tests/test_items_owned.py",
        "tests/test_item_pages.py",
        "tests/test_item_list_tokens.py",
        "tests/test_lockout.py",
        "tests/test_throttle_races.py",
        "tests/test_tokens.py",
        "tests/test_settings_password.py",
        "tests/test_credential_changes.py",
        "tests/test_item_creates.py",
        "tests/test_user_order.py",
        "tests/test_new_users.py",
        "tests/accounts_shared.py",
    },
    ("auth", "oidc"): {
        "src/{package}/item_reads.py",
        "src/{package}/api/item_creates.py",
        "tests/test_oidc_tokens.py",
        "tests/test_oidc_algorithms.py",
        "tests/test_client_address.py",
        "src/{package}/api/caller.py",
        "src/{package}/api/caller_base.py",
        "src/{package}/api/user_in_reach.py",
        "src/{package}/events.py",
        "src/{package}/oidc.py",
        "tests/test_access.py",
        "tests/test_items_owned.py",
        "tests/test_item_pages.py",
        "tests/test_oidc.py",
        "tests/test_settings_oidc.py",
        "tests/test_user_order.py",
        "tests/races.py",
        "tests/accounts_shared.py",
    },
    ("auth", "none"): {
        "src/{package}/item_reads.py",
        "src/{package}/emails.py",
        "src/{package}/unique_emails.py",
        "tests/test_new_users.py",
    },
    ("include_docker", True): {".dockerignore", "Dockerfile", "compose.yaml", "deploy/nginx.conf"},
    ("include_tracing", True): {"src/{package}/tracing.py", "tests/test_tracing.py"},
    ("include_github_actions", True): {".github/workflows/ci.yml", ".github/dependabot.yml"},
    ("include_kubernetes", True): {
        f"deploy/kubernetes/{name}"
        for name in (
            "kustomization.yaml",
            "deployment.yaml",
            "service.yaml",
            "pod-disruption-budget.yaml",
            "horizontal-pod-autoscaler.yaml",
            "migrate-job.yaml",
        )
    },
}


def expected_files(combination: Combination, package: str) -> set[str]:
    """The exact set of files a project baked from these answers holds."""
    files = set(EVERY_PROJECT)
    for (prompt, answer), more in WITH.items():
        if getattr(combination, prompt) == answer:
            files |= more
    return {name.format(package=package) for name in files}


def project_files(project: Path) -> set[str]:
    """The files under the project directory, relative, without caches the checks write."""
    caches = {".mypy_cache", ".ruff_cache", ".pytest_cache", "__pycache__"}
    return {
        path.relative_to(project).as_posix()
        for path in project.rglob("*")
        if path.is_file() and not caches.intersection(path.relative_to(project).parts)
    }


@parametrize_combinations()
def test_bakes_into_a_directory_named_after_the_slug(baked: Baked) -> None:
    names = baked.combination.expected_names

    assert baked.path.name == names.slug
    assert baked.package == names.package
    assert (baked.path / "src" / names.package / "main.py").is_file()


@parametrize_combinations()
def test_holds_exactly_the_files_its_answers_call_for(baked: Baked) -> None:
    assert project_files(baked.path) == expected_files(baked.combination, baked.package)


@parametrize_combinations()
def test_no_template_text_is_left_and_no_file_is_empty(baked: Baked) -> None:
    for name in sorted(expected_files(baked.combination, baked.package)):
        text = (baked.path / name).read_text()
        assert text.strip(), f"{name} is empty"
        if name == "migrations/script.py.mako":
            continue  # Alembic's own template: ${...} is Mako, not left-over Jinja
        match = LEFTOVER.search(text)
        assert match is None, f"{name}:{text[: match.start()].count(chr(10)) + 1} {match.group()!r}"


@parametrize_combinations([c for c in COMBINATIONS if not c.include_tracing])
def test_without_tracing_nothing_of_it_is_rendered(baked: Baked) -> None:
    # No dependency, import, setting, test or word of it; only the answers record the answer.
    words = re.compile(r"opentelemetry|otel|tracing|trace_?id|span_?id|traceparent|traceresponse", re.I)
    found = [
        f"{name}: {match.group()}"
        for name in sorted(project_files(baked.path) - {".cookiecutter.json"})
        if (match := words.search((baked.path / name).read_text()))
    ]
    assert found == []


@parametrize_combinations()
def test_ruff_finds_nothing_to_fix_or_reformat(baked: Baked) -> None:
    check = baked.python("-m", "ruff", "check", "--no-cache", ".")
    assert check.returncode == 0, explain(check)
    formatting = baked.python("-m", "ruff", "format", "--check", "--no-cache", ".")
    assert formatting.returncode == 0, explain(formatting)


@parametrize_combinations()
def test_mypy_strict_passes(baked: Baked, tmp_path_factory: pytest.TempPathFactory) -> None:
    # One cache per worker: the third-party modules are checked once, not per bake.
    cache = tmp_path_factory.getbasetemp() / "mypy-cache"
    result = baked.python("-m", "mypy", "--cache-dir", str(cache))
    assert result.returncode == 0, explain(result)


@parametrize_combinations()
def test_declared_dependencies_are_those_the_suite_tests_with(baked: Baked) -> None:
    # The suite installs the projects' dependencies once; each must satisfy what the project declares.
    pyproject = tomllib.loads((baked.path / "pyproject.toml").read_text())
    declared = pyproject["project"]["dependencies"] + pyproject["dependency-groups"]["dev"]
    for line in declared:
        requirement = Requirement(line)
        try:
            installed = version(requirement.name)
        except PackageNotFoundError:
            pytest.fail(f"{requirement.name} is declared by the project but not installed by the suite")
        assert requirement.specifier.contains(installed, prereleases=True), (
            f"{requirement} is declared, the suite tests with {installed}"
        )


@parametrize_combinations(PAIRWISE)
def test_its_code_tests_and_migrations_are_those_of_its_full_cycle_twin(baked: Baked, tmp_path: Path) -> None:
    # Why the pairwise combinations are not tested, migrated and served again: what that runs
    # is byte for byte what their twin's full cycle runs.
    twin = bake(baked.combination.twin, tmp_path).path
    ran = full_cycle_files(twin)

    assert full_cycle_files(baked.path) == ran
    assert {name.split("/")[0] for name in ran} == set(RUN_BY_THE_FULL_CYCLE)
    assert [name for name in ran if (twin / name).read_bytes() != (baked.path / name).read_bytes()] == []
    mine, theirs = (tomllib.loads((path / "pyproject.toml").read_text()) for path in (baked.path, twin))
    assert mine["project"]["dependencies"] == theirs["project"]["dependencies"]
    assert mine["dependency-groups"] == theirs["dependency-groups"]
    assert mine["tool"]["pytest"] == theirs["tool"]["pytest"]


def full_cycle_files(project: Path) -> list[str]:
    """The project's files that its tests, migrations and service are made of."""
    return sorted(name for name in project_files(project) if name.split("/")[0] in RUN_BY_THE_FULL_CYCLE)


# The own suites of IN_GENERATED_CI run in test_workflows, in their generated workflow.
@parametrize_combinations([c for c in FULL_CYCLE if c not in IN_GENERATED_CI])
def test_own_test_suite_passes_against_the_real_database(baked: Baked, database_url: DatabaseFactory) -> None:
    args = ["-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"]
    if baked.combination.driver == "sync":
        args += ["-p", "no:asyncio"]  # installed in the suite for the async projects only
    result = baked.python(*args, env={"TEST_DATABASE_URL": database_url("tests")})
    assert result.returncode == 0, explain(result)
    assert " passed" in result.stdout
    assert " skipped" not in result.stdout, result.stdout[-2000:]


@parametrize_combinations(FULL_CYCLE)
def test_migrations_upgrade_check_downgrade_and_upgrade_again(
    baked: Baked, database_url: DatabaseFactory
) -> None:
    # Alembic's command line, one process for the four commands: a failing one exits non-zero
    # there and then, its output after the name of the step.
    steps = [["upgrade", "head"], ["check"], ["downgrade", "base"], ["upgrade", "head"]]
    script = (
        "import sys\nfrom alembic.config import main\n"
        f"for step in {steps!r}:\n"
        "    print('alembic', *step, file=sys.stderr, flush=True)\n"
        "    main(argv=step)\n"
    )
    result = baked.python("-c", script, env={"DATABASE_URL": database_url("migrations")})
    assert result.returncode == 0, explain(result)
    ran = [line for line in result.stderr.splitlines() if line.startswith("alembic ")]
    assert ran == [f"alembic {' '.join(step)}" for step in steps]


@parametrize_combinations(FULL_CYCLE)
def test_service_starts_and_serves_a_crud_round_trip(
    baked: Baked, database_url: DatabaseFactory, callers: Callers
) -> None:
    url = database_url("live")
    baked.migrate(url)

    with serving_baked(baked, url, **callers.settings) as service, httpx.Client(base_url=service.url) as http:
        assert http.get("/health").json() == {"status": "ok"}
        assert http.get("/health/db").json() == {"status": "ok"}
        user_id, headers = callers.user(http, "ada@example.com")
        item = http.post("/api/v1/items", json={"title": "Notes", "owner_id": user_id}, headers=headers)
        assert item.status_code == 201, item.text
        path = f"/api/v1/items/{item.json()['id']}"
        assert http.get(path, headers=headers).json() == item.json()
        updated = http.patch(path, json={"status": "public"}, headers=headers)
        assert updated.status_code == 200
        assert updated.json()["status"] == "public"
        assert http.delete(path, headers=headers).status_code == 204
        assert http.get(path, headers=headers).status_code == 404


@parametrize_combinations()
def test_pyproject_declares_the_answers(baked: Baked) -> None:
    combination = baked.combination
    pyproject = tomllib.loads((baked.path / "pyproject.toml").read_text())

    assert pyproject["project"]["name"] == combination.expected_names.slug
    # The code runs on every version offered: the project admits the oldest.
    oldest = min(PROMPTS["python_version"], key=lambda v: tuple(map(int, v.split("."))))
    assert pyproject["project"]["requires-python"] == f">={oldest}"
    # ruff writes for the oldest Python the code runs on; mypy checks it as the chosen one.
    assert pyproject["tool"]["ruff"]["target-version"] == f"py{oldest.replace('.', '')}"
    assert pyproject["tool"]["mypy"]["strict"] is True
    assert pyproject["tool"]["mypy"]["python_version"] == combination.python_version
    names = {Requirement(line).name for line in pyproject["project"]["dependencies"]}
    auth_packages = {"password": {"pwdlib", "pyjwt", "python-multipart"}, "oidc": {"pyjwt"}, "none": set()}
    assert names & {"pwdlib", "pyjwt", "python-multipart"} == auth_packages[combination.auth]
    assert ("opentelemetry-sdk" in names) == combination.include_tracing
    driver_package = {
        "sqlite+aiosqlite": "aiosqlite",
        "postgresql+asyncpg": "asyncpg",
        "postgresql+psycopg": "psycopg",
        "mysql+asyncmy": "asyncmy",
        "mysql+pymysql": "pymysql",
    }.get(combination.url_scheme)
    assert driver_package is None or driver_package in names


def test_same_answers_bake_byte_identical_files_but_fresh_secrets(tmp_path: Path) -> None:
    combination = Combination("postgresql", "async", "password")
    first, second = (bake(combination, tmp_path / name).path for name in ("first", "second"))
    files = project_files(first)

    assert files == project_files(second)
    differing = {name for name in files if (first / name).read_bytes() != (second / name).read_bytes()}
    assert differing == {".env"}
    env_files = [(project / ".env").read_text() for project in (first, second)]
    for variable in ("SECRET_KEY", "POSTGRES_PASSWORD"):
        found = [re.search(rf"^{variable}=(.+)$", text, re.MULTILINE) for text in env_files]
        secrets = [match.group(1) if match else "" for match in found]
        assert all(len(secret) >= 32 for secret in secrets), variable
        assert secrets[0] != secrets[1], variable
