"""`make mutate` keeps working: it bakes, mutates a module, and scores it against its survivors."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from harness.mutation import accepted_equivalents
from harness.projects import TEMPLATE
from harness.projects import explain

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
