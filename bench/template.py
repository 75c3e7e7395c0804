"""Bake the template for one database x driver pair, and migrate databases with the baked project."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from cookiecutter.main import cookiecutter

from bench.service import service_env
from tests.combinations import URL_SCHEMES as ALL_URL_SCHEMES

TEMPLATE = Path(__file__).resolve().parents[1]
# The databases the benchmark can serve: it starts PostgreSQL, and SQLite needs no server.
BENCHED_DATABASES = ("postgresql", "sqlite")
# The SQLAlchemy dialect+driver of each pair it can bake, from the suite's table of pairs.
URL_SCHEMES = {
    f"{database}-{driver}": scheme
    for (database, driver), scheme in ALL_URL_SCHEMES.items()
    if database in BENCHED_DATABASES
}
MIGRATE_TIMEOUT = 120


class MigrationError(Exception):
    """`alembic upgrade head` failed (the message holds its output)."""


@dataclass(frozen=True)
class Combination:
    """One database x driver pair, e.g. `postgresql-async`."""

    name: str

    @property
    def database(self) -> str:
        return self.name.partition("-")[0]

    @property
    def driver(self) -> str:
        return self.name.partition("-")[2]

    @property
    def url_scheme(self) -> str:
        return URL_SCHEMES[self.name]


@dataclass(frozen=True)
class BakedProject:
    """A project baked from the template, with its Python package under src/."""

    combination: Combination
    path: Path

    @property
    def package(self) -> str:
        (package,) = (child.name for child in (self.path / "src").iterdir() if child.is_dir())
        return package


def bake(combination: Combination, output_dir: Path) -> BakedProject:
    """Bake the template with the pair's answers and the defaults for every other prompt."""
    output_dir.mkdir(parents=True, exist_ok=True)
    path = cookiecutter(
        str(TEMPLATE),
        no_input=True,
        extra_context={"database": combination.database, "driver": combination.driver},
        output_dir=str(output_dir),
        config_file=str(write_cookiecutter_config(output_dir)),
    )
    return BakedProject(combination, Path(path))


def write_cookiecutter_config(directory: Path) -> Path:
    """A cookiecutter configuration that keeps its replay files out of the user's home directory."""
    config = directory / "cookiecutter.yaml"
    config.write_text(
        f"cookiecutters_dir: {json.dumps(str(directory / 'cookiecutters'))}\n"
        f"replay_dir: {json.dumps(str(directory / 'replay'))}\n"
    )
    return config


def migrate(project: BakedProject, database_url: str) -> None:
    """Create the schema in an empty database with the project's own migrations."""
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=project.path,
        env={**service_env(database_url), "PYTHONPATH": str(project.path / "src")},
        capture_output=True,
        text=True,
        timeout=MIGRATE_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        raise MigrationError(
            f"alembic upgrade head failed with {result.returncode}:\n{result.stderr[-3000:]}"
        )
