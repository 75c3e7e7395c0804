"""`make mutate` keeps working: it bakes, mutates a module, and scores it against its survivors."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from harness import mutation_databases
from harness.mutation import accepted_equivalents
from harness.projects import TEMPLATE
from harness.projects import explain
from harness.servers import DatabaseServer

# A test that fails unless its run has a new database of its own: the other run, at the same
# time, would have made the table, added its row, or dropped the database under it.
ALONE = """
import os
import time
from pathlib import Path

import psycopg


def test_alone() -> None:
    with psycopg.connect(os.environ["TEST_DATABASE_URL"], autocommit=True) as connection:
        connection.execute("CREATE TABLE runs (pid integer)")
        connection.execute("INSERT INTO runs VALUES (%s)", (os.getpid(),))
        # Both runs are in their databases at once before either reads its back.
        Path(f"{os.getpid()}.ready").touch()
        deadline = time.monotonic() + 30
        while len(list(Path().glob("*.ready"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert connection.execute("SELECT pid FROM runs").fetchall() == [(os.getpid(),)]
"""

# A module small enough to mutate in the suite's time, whose every mutant the suite kills.
SCORE = re.compile(r"^passwords: (\d+\.\d) % killed \((\d+) of (\d+);", re.MULTILINE)


def test_mutating_a_module_prints_its_score_and_no_news_then_the_same_again(tmp_path: Path) -> None:
    command = ["-m", "harness.mutation", "sqlite-sync-password", "passwords"]
    result = subprocess.run(
        [sys.executable, *command, "--output-dir", str(tmp_path)],
        cwd=TEMPLATE,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert result.returncode == 0, explain(result)
    score = SCORE.search(result.stdout)
    assert score is not None, result.stdout
    killed, judged = int(score[2]), int(score[3])
    assert judged > 10
    assert killed == judged

    # Again, on that project with the tests as they are now: its survivors alone, and the same score.
    again = subprocess.run(
        [sys.executable, *command, "--output-dir", str(tmp_path), "--again"],
        cwd=TEMPLATE,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert again.returncode == 0, explain(again)
    rescored = SCORE.search(again.stdout)
    assert rescored is not None, again.stdout
    assert rescored.groups() == score.groups()


def test_every_accepted_equivalent_says_why() -> None:
    accepted = accepted_equivalents()

    assert all(why for why in accepted.values()), [name for name, why in accepted.items() if not why]


def test_runs_at_once_on_a_server_each_test_on_a_new_database_of_their_own(
    postgresql: DatabaseServer, tmp_path: Path
) -> None:
    # As mutmut's children run the project's tests, two at once, with what harness.mutation sets.
    (tmp_path / "test_alone.py").write_text(ALONE)
    env = {
        **os.environ,
        "PYTHONPATH": str(TEMPLATE),
        "PYTEST_ADDOPTS": f"-p {mutation_databases.__name__}",
        mutation_databases.SERVER: postgresql.url(),
        mutation_databases.SCHEME: "postgresql",
        mutation_databases.SLOTS: "2",
        mutation_databases.LOCKS: str(tmp_path),
    }
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_alone.py"]
    runs = [
        subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True) for _ in range(2)
    ]

    outputs = [run.communicate(timeout=60)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
