"""Baking the template for a combination of answers, and running commands in what it baked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cookiecutter.main import cookiecutter

from harness.combinations import Combination

TEMPLATE = Path(__file__).resolve().parents[1]
# Under CI a missing database server fails the run instead of skipping its cases.
CI = os.environ.get("CI") == "true"


class CommandError(Exception):
    """A command in a baked project failed (the message holds the end of its output)."""


@dataclass(frozen=True)
class Baked:
    """A project baked from one combination of answers."""

    combination: Combination
    path: Path

    @property
    def answers(self) -> dict[str, Any]:
        """The answers the project records in `.cookiecutter.json`."""
        answers: dict[str, Any] = json.loads((self.path / ".cookiecutter.json").read_text())
        return answers

    @property
    def package(self) -> str:
        """The Python package under src/."""
        return str(self.answers["package_name"])

    def run(
        self, *args: str, env: dict[str, str] | None = None, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        """Run a command in the project directory; never raises on failure."""
        return subprocess.run(
            args,
            cwd=self.path,
            env=project_env(env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def python(
        self, *args: str, env: dict[str, str] | None = None, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        """Run `python <args>` in the project, with this interpreter and its packages.

        The project is not installed: its package is found on PYTHONPATH, as its tools find it.
        """
        env = {"PYTHONPATH": str(self.path / "src"), **(env or {})}
        return self.run(sys.executable, *args, env=env, timeout=timeout)

    def migrate(self, database_url: str) -> None:
        """Bring a database to the head revision with the project's own migrations."""
        result = self.python("-m", "alembic", "upgrade", "head", env={"DATABASE_URL": database_url})
        if result.returncode != 0:
            raise CommandError(f"alembic upgrade head: {explain(result)}")


def bake(combination: Combination, output_dir: Path, **answers: object) -> Baked:
    """Bake the template with the combination's answers (and any others) into output_dir."""
    output_dir.mkdir(parents=True, exist_ok=True)
    path = cookiecutter(
        str(TEMPLATE),
        no_input=True,
        extra_context={**combination.answers, **answers},
        output_dir=str(output_dir),
        config_file=str(isolated_config(output_dir)),
    )
    return Baked(combination, Path(path))


def isolated_config(directory: Path) -> Path:
    """A cookiecutter configuration that keeps its replay files out of the user's home."""
    config = directory / "cookiecutter-config.yaml"
    # JSON is YAML.
    config.write_text(
        json.dumps({"cookiecutters_dir": str(directory / "clones"), "replay_dir": str(directory / "replay")})
    )
    return config


def project_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a baked project's commands: this one's, minus what would leak in."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PYTEST_") and key not in {"DATABASE_URL", "TEST_DATABASE_URL"}
    }
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    # The suite's own tools first (uv, pre-commit, the linters), as a developer's would be.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.update(extra or {})
    return env


def explain(result: subprocess.CompletedProcess[str]) -> str:
    """The end of a command's output, for an assertion message."""
    output = (result.stdout + result.stderr).strip()
    return f"exit {result.returncode}:\n{output[-6000:]}"
