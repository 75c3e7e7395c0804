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


def test_mutating_a_module_prints_its_score_and_no_news(tmp_path: Path) -> None:
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


def test_every_accepted_equivalent_says_why() -> None:
    accepted = accepted_equivalents()

    assert all(why for why in accepted.values()), [name for name, why in accepted.items() if not why]
