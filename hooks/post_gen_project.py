"""Finish the baked project: keep the files the answers call for, and write `.env`.

- A file that comes in one version per answer (`compose_postgresql.yaml`, ...) is
  replaced by the chosen version under its plain name (`compose.yaml`).
- Files that an answer switches off (Dockerfile, workflow) are removed.
- `.env` is written from `.env.example` with fresh random secrets: the only random
  values in the project, and git-ignored.

Both tables name every path they touch: a file they do not name is never removed.
Standard library only, no network, and safe to run twice.
"""

import json
import secrets
import shutil
import sys
from pathlib import Path

# Rendered by cookiecutter. A raw JSON string keeps this file valid Python for any answer.
ANSWERS_JSON = r"""{{ cookiecutter | tojson }}"""

# {plain path: (prompt, {answer: the version of the file for that answer})}
VERSIONS = {
    "compose.yaml": (
        "database",
        {
            "sqlite": "compose_sqlite.yaml",
            "postgresql": "compose_postgresql.yaml",
            "mysql": "compose_mysql.yaml",
        },
    ),
}
# {(prompt, answer): [paths that answer removes]}, after the versions are in place.
REMOVED_WHEN = {
    ("database", "postgresql"): ["src/{package_name}/sqlite.py"],
    ("database", "mysql"): ["src/{package_name}/sqlite.py"],
    ("include_docker", False): ["Dockerfile", ".dockerignore", "compose.yaml"],
    ("include_github_actions", False): [".github"],
}
# The placeholder that .env.example carries where .env gets a secret.
PLACEHOLDER = "change-me"


def keep_versions(project: Path, answers: dict[str, object]) -> None:
    """Put the version of each file that the answers chose under its plain name; remove the others."""
    for plain, (prompt, versions) in VERSIONS.items():
        for answer, version in versions.items():
            path = project / version.format(**answers)
            if not path.exists():
                continue  # run before: the chosen version has its plain name already
            if answer == answers[prompt]:
                path.replace(project / plain.format(**answers))
            else:
                path.unlink()


def remove_unneeded(project: Path, answers: dict[str, object]) -> None:
    """Remove the files that the answers switched off."""
    for (prompt, answer), paths in REMOVED_WHEN.items():
        if answers[prompt] != answer:
            continue
        for name in paths:
            path = project / name.format(**answers)
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()


def write_env_file(project: Path) -> None:
    """Write `.env` from `.env.example` with new secrets, unless it exists already.

    SECRET_KEY gets one secret; every other placeholder (the local database's
    password, in its own line and in DATABASE_URL) gets another.
    """
    env_file = project / ".env"
    if env_file.exists():
        return
    example = (project / ".env.example").read_text()
    secret_key = f"SECRET_KEY={secrets.token_urlsafe(48)}"
    with_key = example.replace(f"SECRET_KEY={PLACEHOLDER}", secret_key)
    env_file.write_text(with_key.replace(PLACEHOLDER, secrets.token_urlsafe(24)))


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
    keep_versions(project, answers)
    remove_unneeded(project, answers)
    write_env_file(project)
    # On stderr: cruft re-runs this hook for its diffs, whose output is stdout.
    print(next_steps(answers), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
