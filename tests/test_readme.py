"""The READMEs' commands work as written: the generated one's on the default answers, from a
fresh directory, and the template's quick start from a fresh clone without uv on PATH.

These run `make` for real: it creates the project's own virtual environment and
installs the project from the package index, as a new user's machine would.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import httpx2 as httpx
import pytest

from harness.combinations import Combination
from harness.projects import TEMPLATE
from harness.projects import bake
from harness.projects import project_env
from harness.servers import free_port
from harness.services import Service
from harness.services import wait_for_health
from harness.workflows import machine_env
from harness.workflows import path_without_uv

pytestmark = [pytest.mark.live, pytest.mark.xdist_group("readme")]


# The README's commands, in the order it shows them; the tests below run each group as written.
SIGN_IN = [
    "make create-admin email=admin@example.com",
    'curl -s -d username=admin@example.com -d "password=$ADMIN_PASSWORD" http://127.0.0.1:8000/api/v1/auth/token',
    'curl -s -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8000/api/v1/users/me',
]
SCHEMA_CHANGE = ['make revision message="add tags"', "make migrate", "make check-migrations"]
ADMIN_PASSWORD = "a-readme-admin-password"
# Built, migrated and served with a real builder in test_containers.py.
IMAGE = [
    "docker build --tag my-service .",
    "docker run --rm --volume my-service-data:/app/data my-service alembic upgrade head",
]


def shell_commands(readme: str) -> list[str]:
    """The commands in the README's ```sh blocks, in order, without their comments."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", readme, re.DOTALL):
        for line in block.splitlines():
            command = line.split("  #")[0].strip()
            if command:
                commands.append(command)
    return commands


def make(project: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", *args], cwd=project, env=project_env(), capture_output=True, text=True,
        timeout=timeout, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project baked with the default answers (SQLite, async, password)."""
    return bake(Combination(), tmp_path_factory.mktemp("readme")).path


def test_readme_lists_the_commands_this_suite_runs(project: Path) -> None:
    commands = shell_commands((project / "README.md").read_text())

    compose = "docker compose up --build -d"
    assert commands == ["make run", *SIGN_IN, "make test", *SCHEMA_CHANGE, compose, *IMAGE]


def test_make_test_passes_in_a_fresh_environment(project: Path) -> None:
    result = make(project, "test")

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert (project / ".venv" / "bin" / "python").exists()


def test_make_run_migrates_and_serves(project: Path) -> None:
    port = free_port()
    log = project / "make-run.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            ["make", "run", f"PORT={port}"], cwd=project, env=project_env(), stdout=output,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for_health(Service(base, port, process, log), timeout=300)
            assert httpx.get(f"{base}/health/db").json() == {"status": "ok"}
            created = httpx.post(
                f"{base}/api/v1/users",
                json={"email": "ada@example.com", "full_name": "Ada", "password": "analytical engine"},
            )
            assert created.status_code == 201
            signed_in = sign_in_as_the_readme_shows(project, port)
        finally:
            # make, uvicorn's reloader and its server: the process group make leads. How the
            # development reloader stops is not what this test is about: kill what lingers.
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
    assert (project / "my_service.db").exists()
    assert signed_in["email"] == "admin@example.com"
    assert signed_in["is_superuser"] is True


def sign_in_as_the_readme_shows(project: Path, port: int) -> dict[str, object]:
    """Run the README's sign-in commands against the running service; return /users/me's answer."""
    create_admin, get_token, read_me = (command.replace(":8000", f":{port}") for command in SIGN_IN)
    env = project_env({"ADMIN_PASSWORD": ADMIN_PASSWORD})
    outputs = []
    for command in (create_admin, get_token, read_me):
        done = subprocess.run(
            command,
            shell=True,
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, f"{command}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
        outputs.append(done.stdout)
        if command == get_token:
            env["TOKEN"] = json.loads(done.stdout)["access_token"]
    answer: dict[str, object] = json.loads(outputs[-1])
    return answer


def test_schema_change_as_the_readme_shows_it(project: Path) -> None:
    readme = (project / "README.md").read_text()
    [model] = re.findall(r"```python\n(.*?)```", readme, re.DOTALL)
    models = project / "src" / "my_service" / "models.py"
    models.write_text(models.read_text() + "\n\n" + model)
    before = set((project / "migrations" / "versions").glob("*.py"))

    for command in ('make revision message="add tags"', "make migrate", "make check-migrations"):
        result = subprocess.run(
            command, shell=True, cwd=project, env=project_env(), capture_output=True, text=True,
            timeout=600, check=False,
        )  # fmt: skip
        assert result.returncode == 0, f"{command}: {result.stdout[-2000:]}{result.stderr[-2000:]}"

    [revision] = set((project / "migrations" / "versions").glob("*.py")) - before
    assert revision.name.endswith("_add_tags.py")
    text = revision.read_text()
    assert 'op.create_table(\n        "tags"' in text
    assert "my_service" not in text, "the revision must not import the service's code"
    lint = subprocess.run(
        [".venv/bin/ruff", "check", str(revision)], cwd=project, capture_output=True, text=True, check=False
    )
    assert lint.returncode == 0, lint.stdout


def test_settings_table_lists_every_setting(project: Path) -> None:
    readme = (project / "README.md").read_text()
    settings = (project / "src" / "my_service" / "settings.py").read_text()
    fields = re.findall(r"^    (\w+): ", settings, re.MULTILINE)

    documented = set(re.findall(r"^\| `(\w+)` \|", readme, re.MULTILINE))
    assert {field.upper() for field in fields} == documented


def test_readme_without_uv_says_in_one_line_how_to_get_it(project: Path) -> None:
    env = {**machine_env(), "PATH": os.pathsep.join(path_without_uv())}

    result = subprocess.run(
        ["make", "run"], cwd=project, env=env, capture_output=True, text=True, timeout=60, check=False
    )

    assert result.returncode != 0
    [line] = result.stderr.splitlines()
    assert "uv is not installed: install it with `pipx install uv`" in line


@pytest.mark.xdist_group("demo")
def test_template_quick_start_make_demo_serves_from_a_fresh_clone_without_uv(tmp_path: Path) -> None:
    quick_start = shell_commands((TEMPLATE / "README.md").read_text())[:2]
    assert quick_start == ["make demo", "make test"]  # make test is this suite: CI runs it
    workspace = tmp_path / "template"
    cloned = subprocess.run(["git", "clone", "--quiet", str(TEMPLATE), str(workspace)], capture_output=True,
                            text=True, check=False)  # fmt: skip
    assert cloned.returncode == 0, cloned.stderr
    port = free_port()
    # A machine with Python and make: no uv on PATH, and the service on a port of its own.
    env = {**machine_env(), "PATH": os.pathsep.join(path_without_uv()), "PORT": str(port)}
    assert shutil.which("uv", path=env["PATH"]) is None
    log = tmp_path / "make-demo.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            quick_start[0].split(), cwd=workspace, env=env, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for_health(Service(base, port, process, log), timeout=600)
            docs = httpx.get(f"{base}/docs")
        finally:
            # make, the baked project's make, uvicorn's reloader and its server: make's group.
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()
    assert (workspace / "build/demo/my-service/.venv").is_dir()
