"""The baked projects' dependencies on the Python versions this machine cannot run.

How each project installs, lints and tests with uv and make on 3.11-3.13 is run by its own
workflow (test_workflows). For the other versions the prompt offers, every runtime dependency
of every variant must have a binary wheel: an image build never needs a compiler.
"""

from __future__ import annotations

import json
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
from harness.combinations import URL_SCHEMES
from harness.combinations import Combination
from harness.projects import bake
from harness.projects import explain

pytestmark = pytest.mark.live

PROMPTS_PYTHONS = ("3.11", "3.12", "3.13", "3.14", "3.15")
PLATFORMS = ("x86_64-manylinux_2_28", "aarch64-manylinux_2_28")


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
