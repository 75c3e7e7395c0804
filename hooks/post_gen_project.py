"""Finish the baked project: keep the files the answers call for, and write `.env`.

- Files that come in one version per answer (`db_async.py`, `db_sync.py`) are
  reduced to the chosen one, under the plain name (`db.py`).
- Files that an answer switches off (Dockerfile, workflow) are removed.
- `.env` is written from `.env.example` with a freshly generated SECRET_KEY: the
  only random value in the project, and git-ignored.

Standard library only, no network, and safe to run twice.
"""

import json
import secrets
import shutil
import sys
from pathlib import Path

# Rendered by cookiecutter. A raw JSON string keeps this file valid Python for any answer.
ANSWERS_JSON = r"""{{ cookiecutter | tojson }}"""

# Files kept in one version per answer to a prompt: "<stem>_<answer><suffix>"
# becomes "<stem><suffix>" and the other versions go.
VARIANTS = {
    "src/{package_name}/db.py": "driver",
    "migrations/env.py": "driver",
    "tests/conftest.py": "driver",
    "compose.yaml": "database",
}
# Paths an answer makes unnecessary: {(prompt, answer): [paths]}.
REMOVED_WHEN = {
    ("include_docker", False): ["Dockerfile", ".dockerignore", "compose.yaml"],
    ("include_github_actions", False): [".github"],
}


def keep_variants(project: Path, answers: dict[str, object]) -> None:
    """Keep the version of each variant file that matches the answers."""
    for template, prompt in VARIANTS.items():
        target = project / template.format(**answers)
        chosen = target.with_name(f"{target.stem}_{answers[prompt]}{target.suffix}")
        if chosen.exists():
            chosen.replace(target)
        for other in target.parent.glob(f"{target.stem}_*{target.suffix}"):
            other.unlink()


def remove_unneeded(project: Path, answers: dict[str, object]) -> None:
    """Remove the files that the answers switched off."""
    for (prompt, answer), paths in REMOVED_WHEN.items():
        if answers[prompt] != answer:
            continue
        for name in paths:
            path = project / name
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()


def write_env_file(project: Path) -> None:
    """Write `.env` from `.env.example` with a new secret, unless it exists already."""
    env_file = project / ".env"
    if env_file.exists():
        return
    example = (project / ".env.example").read_text()
    env_file.write_text(example.replace("SECRET_KEY=change-me", f"SECRET_KEY={secrets.token_urlsafe(48)}"))


def next_steps(answers: dict[str, object]) -> str:
    """Tell the user how to run and test what was just baked."""
    steps = [f"cd {answers['project_slug']}"]
    if answers["database"] != "sqlite" and answers["include_docker"]:
        steps.append("docker compose up -d db    # the database")
    steps += ["make run                    # http://127.0.0.1:8000/docs", "make test"]
    lines = "\n".join(f"    {step}" for step in steps)
    return f"\nBaked {answers['project_name']}. Next:\n{lines}\n"


def main() -> int:
    """Finish the project in the current directory, which cookiecutter just rendered."""
    answers = json.loads(ANSWERS_JSON)
    project = Path.cwd()
    keep_variants(project, answers)
    remove_unneeded(project, answers)
    write_env_file(project)
    # On stderr: cruft re-runs this hook for its diffs, whose output is stdout.
    print(next_steps(answers), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
