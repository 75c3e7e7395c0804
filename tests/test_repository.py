"""The template repository's own entry points agree: README, Makefile, .ci/run and the workflow."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import yaml

from harness.projects import TEMPLATE

PROMPTS = json.loads((TEMPLATE / "cookiecutter.json").read_text())
# The template's own Python: the hooks, the suite, its harness and the benchmark.
CODE = ("hooks", "harness", "tests", "bench")


def test_ci_script_runs_the_test_command_the_readme_gives() -> None:
    readme = (TEMPLATE / "README.md").read_text()
    script = (TEMPLATE / ".ci" / "run").read_text()

    assert re.search(r"^make test\b", readme, re.MULTILINE)
    assert script.rstrip().splitlines()[-1] == "make test"
    assert "export CI=true" in script


def test_workflow_tests_every_python_database_and_driver_the_prompts_offer() -> None:
    workflow = yaml.safe_load((TEMPLATE / ".github" / "workflows" / "ci.yml").read_text())
    job = workflow["jobs"]["suite"]
    matrix = job["strategy"]["matrix"]

    assert matrix["python"] == PROMPTS["python_version"][::-1]
    assert matrix["database"] == PROMPTS["database"]
    assert matrix["driver"] == PROMPTS["driver"]
    assert "pg_isready" in job["services"]["postgres"]["options"]
    assert "healthcheck.sh" in job["services"]["mariadb"]["options"]
    assert job["env"]["CI"] == "true"
    assert any(step.get("run", "").startswith("make test") for step in job["steps"])
    setup = next(step for step in job["steps"] if step.get("uses", "").startswith("astral-sh/setup-uv"))
    assert setup["with"]["enable-cache"] is True
    assert setup["with"]["cache-dependency-glob"] == "requirements/dev.txt"


def test_hooks_suite_and_benchmark_are_lint_clean_formatted_and_typed() -> None:
    # `make lint`, enforced: the template's own code meets the bar it sets for baked projects.
    for tool in (["ruff", "check", *CODE], ["ruff", "format", "--check", *CODE], ["mypy"]):
        result = subprocess.run(
            [sys.executable, "-m", *tool], cwd=TEMPLATE, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr
