"""The suite's xdist groups hold: the tests of one group run on one worker.

Much of the suite counts on it: a combination's tests share the project that worker baked, and
the compose tests the daemon and the stack that worker started. pytest 9.2 with pytest-xdist 3.8
broke it without a word (xdist names a test's group in an attribute pytest stopped reading), and
every group was spread over both workers: the suite ran 25 minutes instead of 15. This runs a
small session with the suite's own pytest, as `make test` runs it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

GROUPED = """
import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.xdist_group("one")


@pytest.mark.parametrize("number", range(8))
def test_grouped(number: int) -> None:
    with Path(os.environ["WORKERS_FILE"]).open("a") as workers:
        workers.write(os.environ["PYTEST_XDIST_WORKER"] + "\\n")


@pytest.mark.parametrize("number", range(8))
@pytest.mark.xdist_group("two")
def test_also_grouped(number: int) -> None:
    with Path(os.environ["WORKERS_FILE"] + ".two").open("a") as workers:
        workers.write(os.environ["PYTEST_XDIST_WORKER"] + "\\n")
"""


def test_the_tests_of_a_group_run_on_one_worker(tmp_path: Path) -> None:
    (tmp_path / "test_grouped.py").write_text(GROUPED)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    workers = tmp_path / "workers"

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-p", "no:cacheprovider", "-q"],
        cwd=tmp_path, env={"WORKERS_FILE": str(workers), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for name in (workers, workers.with_name("workers.two")):
        ran_on = name.read_text().split()
        assert len(ran_on) == 8
        assert len(set(ran_on)) == 1, f"one group ran on {sorted(set(ran_on))}"
