"""A baked project's own toolchain, as its users run it: uv and its lock, make, pre-commit.

Each database x driver pair installs with `make install` (uv writes uv.lock), passes
`uv sync --locked`, `make lint test` and `pre-commit run --all-files`, on Python 3.11, 3.12
and 3.13 (each version with an async and a sync pair). For the versions this machine cannot
run, every runtime dependency of every variant must have a binary wheel: an image build
never needs a compiler.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from packaging.tags import Tag
from packaging.tags import compatible_tags
from packaging.tags import cpython_tags
from packaging.utils import parse_wheel_filename

from harness.combinations import AUTHS
from harness.combinations import DEFAULT_PAIRS
from harness.combinations import URL_SCHEMES
from harness.combinations import Combination
from harness.combinations import parametrize_combinations
from harness.projects import Baked
from harness.projects import bake
from harness.projects import explain
from harness.projects import project_env
from harness.servers import DatabaseFactory

pytestmark = pytest.mark.live

# Each Python this machine runs, with an async pair and a sync pair.
PYTHON_OF_PAIR = {
    ("sqlite", "async"): "3.11",
    ("postgresql", "sync"): "3.11",
    ("mysql", "async"): "3.12",
    ("sqlite", "sync"): "3.12",
    ("postgresql", "async"): "3.13",
    ("mysql", "sync"): "3.13",
}
PROMPTS_PYTHONS = ("3.11", "3.12", "3.13", "3.14", "3.15")
PLATFORMS = ("x86_64-manylinux_2_28", "aarch64-manylinux_2_28")


def python_executable(version: str) -> str:
    """The interpreter of a Python version on this machine (pyenv's, or on PATH)."""
    pyenv = sorted(Path.home().glob(f".pyenv/versions/{version}.*/bin/python{version}"))
    found = str(pyenv[-1]) if pyenv else shutil.which(f"python{version}")
    if found is None:
        pytest.fail(f"Python {version} is not installed here (pyenv install {version})")
    return found


def run(project: Path, *command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, timeout=900, check=False
    )


@parametrize_combinations(DEFAULT_PAIRS)
def test_uv_installs_locks_lints_tests_and_runs_pre_commit(
    baked: Baked, database_url: DatabaseFactory, tmp_path: Path, record_property: object
) -> None:
    version = PYTHON_OF_PAIR[baked.combination.database, baked.combination.driver]
    # A copy of its own: this test writes .venv, uv.lock and a git repository into it.
    project = Path(shutil.copytree(baked.path, tmp_path / "project"))
    env = project_env(
        {
            "UV_PYTHON": python_executable(version),
            "UV_CACHE_DIR": str(tmp_path.parent.parent / "uv-cache"),
            "TEST_DATABASE_URL": database_url("toolchain"),
            "PRE_COMMIT_HOME": str(tmp_path / "pre-commit"),
        }
    )
    assert not (project / "uv.lock").exists(), "the bake writes no lock: the first install does"

    for step in (["make", "install"], ["uv", "sync", "--locked"], ["make", "lint", "test"]):
        result = run(project, *step, env=env)
        assert result.returncode == 0, f"{' '.join(step)}: {explain(result)}"
    # The pair's own suite, against the real database: test_bake leaves these pairs to this test.
    assert " passed" in result.stdout
    assert " skipped" not in result.stdout, result.stdout[-2000:]
    interpreter = run(project, ".venv/bin/python", "-c", "import sys; print(sys.version)", env=env)
    assert interpreter.stdout.startswith(version)
    lock = tomllib.loads((project / "uv.lock").read_text())
    assert {package["name"] for package in lock["package"]} >= {"fastapi", "sqlalchemy", "pre-commit"}

    git = {**env, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    for step in (["git", "init", "--quiet"], ["git", "add", "--all"]):
        assert run(project, *step, env=git).returncode == 0
    hooks = run(project, "uv", "run", "pre-commit", "run", "--all-files", env=git)
    assert hooks.returncode == 0, explain(hooks)
    assert "Passed" in hooks.stdout


@pytest.fixture(scope="module")
def runtime_requirements(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Every runtime dependency of every database x driver x auth, as their projects declare them."""
    directory = tmp_path_factory.mktemp("variants")
    requirements: set[str] = set()
    for auth in AUTHS:
        for database, driver in URL_SCHEMES:
            baked = bake(Combination(database, driver, auth), directory / f"{database}-{driver}-{auth}")
            pyproject = tomllib.loads((baked.path / "pyproject.toml").read_text())
            requirements.update(pyproject["project"]["dependencies"])
    return sorted(requirements)


def test_every_runtime_dependency_has_a_binary_wheel_for_every_offered_python(
    runtime_requirements: list[str], tmp_path: Path
) -> None:
    # The versions uv resolves today for this machine's newest Python (every variant's
    # dependencies at once), then each of their files on PyPI, against every offered
    # Python and platform: a wheel must fit each, or an image build would need a compiler.
    requirements = tmp_path / "requirements.in"
    requirements.write_text("\n".join(runtime_requirements) + "\n")
    resolved = subprocess.run(
        [str(Path(sys.executable).parent / "uv"), "pip", "compile", str(requirements), "--quiet",
         "--python-version", "3.13", "--python-platform", PLATFORMS[0], "--no-header"],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert resolved.returncode == 0, explain(resolved)
    pinned = [line.split(" ")[0].split("==") for line in resolved.stdout.splitlines() if "==" in line]
    assert {"asyncpg", "psycopg-binary", "asyncmy", "argon2-cffi-bindings", "cryptography"} <= {
        name for name, _version in pinned
    }

    with ThreadPoolExecutor(max_workers=16) as pool:
        files = dict(zip((name for name, _ in pinned), pool.map(wheel_files, pinned), strict=True))

    missing = [
        f"{name} for Python {python} on {platform}"
        for name, wheels in files.items()
        for python in PROMPTS_PYTHONS
        for platform in PLATFORMS
        if not any(supported(python, platform) & tags for tags in wheels)
    ]
    assert not missing, missing


def wheel_files(pinned: list[str]) -> list[frozenset[Tag]]:
    """The tags of each wheel PyPI has for this name and version."""
    name, version = pinned
    # PyPI's JSON API: the files of every release. Its simple index, read the same way, was at
    # times older than the release uv had just resolved.
    with urllib.request.urlopen(f"https://pypi.org/pypi/{name}/json", timeout=60) as answer:
        releases = json.load(answer)["releases"]
    filenames = [file["filename"] for file in releases.get(version, [])]
    return [parse_wheel_filename(file)[3] for file in filenames if file.endswith(".whl")]


def supported(python: str, platform: str) -> frozenset[Tag]:
    """The wheel tags that CPython `python` takes on `platform` (manylinux up to glibc 2.28)."""
    machine = platform.split("-")[0]
    platforms = [f"manylinux_2_{minor}_{machine}" for minor in range(28, 16, -1)]
    platforms += [f"manylinux2014_{machine}"]
    version = tuple(int(part) for part in python.split("."))
    return frozenset(
        [*cpython_tags(version, platforms=platforms), *compatible_tags(version, platforms=platforms)]
    )
