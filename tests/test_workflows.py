"""The GitHub workflows run as GitHub would run them, from a fresh clone (harness/workflows.py).

The generated workflow: each database x auth is baked, installed with `make install` (uv writes
uv.lock), committed as its README says, cloned, and its job run step by step against a stand-in
of its service container; then pre-commit runs in the clone. The template's own workflow: one
matrix cell per database, on a runner that lacks what .ci/install-deps installs, from a clone
of the template's HEAD (what is not committed is not in it, as on GitHub).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from harness.combinations import IN_GENERATED_CI
from harness.combinations import parametrize_combinations
from harness.projects import TEMPLATE
from harness.projects import Baked
from harness.projects import explain
from harness.projects import project_env
from harness.servers import unavailable
from harness.workflows import Runner
from harness.workflows import WorkflowError
from harness.workflows import hiding
from harness.workflows import listed_packages
from harness.workflows import program_path

pytestmark = pytest.mark.live

# The Pythons this machine has (pyenv's 3.12 and 3.13): a workflow's 3.14 or 3.15 runs on one of them.
LOCAL_PYTHONS = ("3.11", "3.12", "3.13")
# The suite's own uv, which setup-uv stands for.
UV = Path(shutil.which("uv", path=str(Path(sys.executable).parent)) or "uv")
GIT = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "Ada",
       "GIT_AUTHOR_EMAIL": "ada@example.com", "GIT_COMMITTER_NAME": "Ada",
       "GIT_COMMITTER_EMAIL": "ada@example.com"}  # fmt: skip


def python_executable(version: str) -> str:
    """The interpreter of a Python version on this machine (pyenv's, or on PATH)."""
    pyenv = sorted(Path.home().glob(f".pyenv/versions/{version}.*/bin/python{version}"))
    found = str(pyenv[-1]) if pyenv else shutil.which(f"python{version}")
    if found is None:
        unavailable(f"Python {version} is not installed here (pyenv install {version})")
    return found


def run(cwd: Path, *command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False)


def clone(source: Path, target: Path) -> Path:
    """A fresh clone: only what git keeps."""
    cloned = run(source.parent, "git", "clone", "--quiet", str(source), str(target), env=project_env(GIT))
    assert cloned.returncode == 0, explain(cloned)
    return target


@pytest.fixture(scope="session")
def uv_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """uv's download cache, shared by the jobs as setup-uv's cache is between runs."""
    return tmp_path_factory.getbasetemp().parent / "uv-cache"


@parametrize_combinations(IN_GENERATED_CI)
def test_generated_workflow_passes_from_a_fresh_clone(
    baked: Baked, tmp_path: Path, uv_cache: Path, record_property: Callable[[str, object], None]
) -> None:
    cell = IN_GENERATED_CI.index(baked.combination)
    python = python_executable(LOCAL_PYTHONS[cell % len(LOCAL_PYTHONS)])
    project = Path(shutil.copytree(baked.path, tmp_path / "project"))
    assert not (project / "uv.lock").exists(), "the bake writes no lock: the first install does"
    # As the README says: the first `make` writes uv.lock; commit it.
    env = project_env({"UV_PYTHON": python, "UV_CACHE_DIR": str(uv_cache), **GIT})
    for step in (["make", "install"], ["git", "init", "--quiet"], ["git", "add", "--all"],
                 ["git", "commit", "--quiet", "-m", "Baked"]):  # fmt: skip
        result = run(project, *step, env=env)
        assert result.returncode == 0, f"{' '.join(step)}: {explain(result)}"
    workspace = clone(project, tmp_path / "clone")
    assert (workspace / "uv.lock").exists()
    assert not (workspace / ".env").exists()

    runner = Runner(workspace, tmp_path / "runner", UV, uv_cache, lambda _version: python)
    job = runner.run_job(workspace / ".github/workflows/ci.yml", "check")

    print(f"\n{job.report()}")
    assert job.passed, job.report()
    record_property("steps", {step.name: round(step.seconds, 1) for step in job.steps})
    [test] = [step for step in job.steps if step.name == "Test"]
    assert " passed" in test.output
    assert " skipped" not in test.output, test.output[-2000:]
    assert {step.name for step in job.steps} >= {"Lint and type-check", "Migrations match the models"}
    interpreter = run(workspace, ".venv/bin/python", "-c", "import sys; print(sys.version)", env=env)
    assert interpreter.stdout.startswith(LOCAL_PYTHONS[cell % len(LOCAL_PYTHONS)])
    hooks = run(workspace, str(UV), "run", "pre-commit", "run", "--all-files",
                env={**env, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit")})  # fmt: skip
    assert hooks.returncode == 0, explain(hooks)
    assert "Passed" in hooks.stdout


# The template's own workflow: one matrix cell per database, each on a Python of this machine.
TEMPLATE_CELLS = [
    {"python": "3.13", "database": "sqlite", "driver": "async"},
    {"python": "3.11", "database": "postgresql", "driver": "sync"},
    {"python": "3.12", "database": "mysql", "driver": "async"},
]
# GitHub's Ubuntu images carry PostgreSQL's programs; the rest of .ci/packages they lack.
ON_THE_RUNNER_IMAGE = {"postgresql"}


@pytest.mark.parametrize("cell", TEMPLATE_CELLS, ids=[cell["database"] for cell in TEMPLATE_CELLS])
def test_template_workflow_installs_what_the_suite_needs_on_a_fresh_runner(
    cell: dict[str, str], tmp_path: Path, uv_cache: Path, record_property: Callable[[str, object], None]
) -> None:
    workflow = yaml.safe_load((TEMPLATE / ".github/workflows/ci.yml").read_text())
    matrix = workflow["jobs"]["suite"]["strategy"]["matrix"]
    assert all(value in matrix[key] for key, value in cell.items())
    workspace = clone(TEMPLATE, tmp_path / "template")
    # Hiding programs takes root (a mount namespace). As another user (on GitHub's runner, say)
    # the cell runs on this machine as it is, with the machine's own sudo.
    lacking = set(listed_packages()) - ON_THE_RUNNER_IMAGE if os.geteuid() == 0 else set()
    python = python_executable(cell["python"])
    runner = Runner(workspace, tmp_path / "runner", UV, uv_cache, lambda _version: python, lacking)

    # The Test step runs this suite: here, only what shows the machine is ready for it (the
    # rest of the suite is what this run of it is doing already).
    job = runner.run_job(
        workspace / ".github/workflows/ci.yml", "suite", matrix=cell,
        narrowed={"Test": {"PYTEST_ARGS": "tests/test_machine.py"}},
    )  # fmt: skip

    print(f"\n{job.report()}")
    assert job.passed, job.report()
    record_property("steps", {step.name: round(step.seconds, 1) for step in job.steps})
    [test] = [step for step in job.steps if step.name == "Test"]
    assert " passed" in test.output
    assert " skipped" not in test.output, test.output[-2000:]
    install = next(step for step in job.steps if step.name == "Install what the suite needs")
    if lacking:
        [installing] = [line for line in install.output.splitlines() if line.startswith("Installing ")]
        assert set(installing.removeprefix("Installing ").removesuffix(" ...").split()) == lacking


@pytest.mark.parametrize(
    ("selection", "program"),
    [
        ("load_balancer and postgresql-async", "haproxy"),
        ("pgbouncer and postgresql-async and without", "pgbouncer"),
    ],
    ids=["haproxy", "pgbouncer"],
)
def test_a_test_whose_program_is_missing_is_skipped_naming_the_package_and_fails_under_ci(
    selection: str, program: str
) -> None:
    if os.geteuid() != 0:
        pytest.skip("hiding a program takes a mount namespace of its own, which takes root")
    path = program_path(program)
    assert path is not None
    pytest_args = [sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:cacheprovider", "-q", "-rsf",
                   "tests/test_live_scale.py", "-k", selection]  # fmt: skip
    reason = f"{program} is not installed (install the {program} package: .ci/install-deps)"

    outputs = {}
    for ci in ("", "true"):
        env = project_env({"CI": ci})
        done = subprocess.run(hiding([path], pytest_args), cwd=TEMPLATE, env=env, capture_output=True,
                              text=True, timeout=300, check=False)  # fmt: skip
        outputs[ci] = done.stdout + done.stderr

    assert "1 skipped" in outputs[""], outputs[""][-3000:]
    assert reason in outputs[""]
    assert "1 error" in outputs["true"], outputs["true"][-3000:]
    assert f"{reason}; under CI=true this is a failure" in outputs["true"]


def test_runner_runs_steps_in_order_with_their_env_until_one_fails(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    (workspace / ".git").mkdir(parents=True)
    workflow = tmp_path / "ci.yml"
    workflow.write_text(
        textwrap.dedent("""\
            env: {LEVEL: workflow, SHADOWED: workflow}
            jobs:
              check:
                env: {SHADOWED: job, PY: "${{ matrix.python }}", FROM_WORKFLOW: "${{ env.LEVEL }}"}
                steps:
                  - uses: actions/checkout@v5
                  - name: Before setup-uv
                    run: '! command -v uv && sudo true && echo KEY=made >> "$GITHUB_ENV"'
                  - uses: astral-sh/setup-uv@v7
                  - name: After
                    env: {SHADOWED: step}
                    run: |
                      test "$SHADOWED $PY $FROM_WORKFLOW $KEY $CI" = "step 3.11 workflow made true"
                      uv --version
                  - name: Fails
                    run: "false"
                  - name: Never
                    run: "true"
            """)
    )
    runner = Runner(workspace, tmp_path / "runner", UV, tmp_path / "cache", lambda version: version)

    job = runner.run_job(workflow, "check", matrix={"python": "3.11"})

    assert [(step.name, step.returncode) for step in job.steps] == [
        ("actions/checkout@v5", 0), ("Before setup-uv", 0), ("astral-sh/setup-uv@v7", 0), ("After", 0),
        ("Fails", 1),
    ], job.report()  # fmt: skip


@pytest.mark.parametrize(
    "step",
    [
        "{uses: actions/cache@v4}",
        "{name: Guarded, if: always(), run: 'true'}",
        "{run: 'echo ${{ github.sha }}'}",
    ],
)
def test_runner_refuses_what_it_cannot_do_as_github_would(step: str, tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    (workspace / ".git").mkdir(parents=True)
    workflow = tmp_path / "ci.yml"
    workflow.write_text(f"jobs:\n  check:\n    steps:\n      - {step}\n")
    runner = Runner(workspace, tmp_path / "runner", UV, tmp_path / "cache", lambda version: version)

    with pytest.raises(WorkflowError):
        runner.run_job(workflow, "check")
