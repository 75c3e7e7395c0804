"""Finish the baked project: keep the files the answers call for, and write `.env`.

- A file that comes in one version per answer (`compose_postgresql.yaml`, ...) is
  replaced by the chosen version under its plain name (`compose.yaml`).
- Files that the answers do not call for (Dockerfile, the login route) are removed.
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

PACKAGE = "src/{package_name}"
# Files that come in one version per answer: {plain path: (prompt, {answer: version})}.
# The chosen version takes the plain name; the others go. An answer without a version
# gets no such file.
VERSIONS = {
    "compose.yaml": (
        "database",
        {
            "sqlite": "compose_sqlite.yaml",
            "postgresql": "compose_postgresql.yaml",
            "mysql": "compose_mysql.yaml",
        },
    ),
    ".github/workflows/ci.yml": (
        "database",
        {
            "sqlite": ".github/workflows/ci_sqlite.yml",
            "postgresql": ".github/workflows/ci_postgresql.yml",
            "mysql": ".github/workflows/ci_mysql.yml",
        },
    ),
    f"{PACKAGE}/dialect.py": (
        "database",
        {
            "sqlite": f"{PACKAGE}/dialect_sqlite.py",
            "postgresql": f"{PACKAGE}/dialect_postgresql.py",
            "mysql": f"{PACKAGE}/dialect_mysql.py",
        },
    ),
    # Only password bakes keep it (KEPT_ONLY_FOR): their throttles are its one user.
    f"{PACKAGE}/inserts.py": (
        "database",
        {
            "sqlite": f"{PACKAGE}/inserts_on_conflict.py",
            "postgresql": f"{PACKAGE}/inserts_on_conflict.py",
            "mysql": f"{PACKAGE}/inserts_mysql.py",
        },
    ),
    # Kept for password only too: the create of an item in one statement needs the tokens' versions.
    f"{PACKAGE}/item_inserts.py": (
        "database",
        {
            "sqlite": f"{PACKAGE}/item_inserts_returning.py",
            "postgresql": f"{PACKAGE}/item_inserts_returning.py",
            "mysql": f"{PACKAGE}/item_inserts_mysql.py",
        },
    ),
    f"{PACKAGE}/api/item_creates.py": (
        "auth",
        {
            "password": f"{PACKAGE}/api/item_creates_password.py",
            "oidc": f"{PACKAGE}/api/item_creates_oidc.py",
        },
    ),
    # Kept for password only too: the login is its one user.
    f"{PACKAGE}/transactions.py": (
        "driver",
        {"async": f"{PACKAGE}/transactions_async.py", "sync": f"{PACKAGE}/transactions_sync.py"},
    ),
    f"{PACKAGE}/api/sessions.py": (
        "driver",
        {"async": f"{PACKAGE}/api/sessions_async.py", "sync": f"{PACKAGE}/api/sessions_sync.py"},
    ),
    f"{PACKAGE}/api/caller.py": (
        "auth",
        {"password": f"{PACKAGE}/api/caller_password.py", "oidc": f"{PACKAGE}/api/caller_oidc.py"},
    ),
    f"{PACKAGE}/accounts.py": (
        "auth",
        {
            "password": f"{PACKAGE}/accounts_password.py",
            "oidc": f"{PACKAGE}/accounts_oidc.py",
            "none": f"{PACKAGE}/accounts_none.py",
        },
    ),
    f"{PACKAGE}/user_schemas.py": (
        "auth",
        {
            "password": f"{PACKAGE}/user_schemas_password.py",
            "oidc": f"{PACKAGE}/user_schemas_oidc.py",
            "none": f"{PACKAGE}/user_schemas_none.py",
        },
    ),
    f"{PACKAGE}/api/routes/users.py": (
        "auth",
        {
            "password": f"{PACKAGE}/api/routes/users_password.py",
            "oidc": f"{PACKAGE}/api/routes/users_oidc.py",
            "none": f"{PACKAGE}/api/routes/users_none.py",
        },
    ),
    f"{PACKAGE}/api/routes/items.py": (
        "auth",
        {
            "password": f"{PACKAGE}/api/routes/items_owned.py",
            "oidc": f"{PACKAGE}/api/routes/items_owned.py",
            "none": f"{PACKAGE}/api/routes/items_open.py",
        },
    ),
    "tests/database.py": (
        "database",
        {
            "sqlite": "tests/database_sqlite.py",
            "postgresql": "tests/database_server.py",
            "mysql": "tests/database_server.py",
        },
    ),
    "tests/accounts.py": (
        "auth",
        {
            "password": "tests/accounts_password.py",
            "oidc": "tests/accounts_oidc.py",
            "none": "tests/accounts_none.py",
        },
    ),
    "tests/test_users.py": (
        "auth",
        {
            "password": "tests/test_users_password.py",
            "oidc": "tests/test_users_oidc.py",
            "none": "tests/test_users_none.py",
        },
    ),
}
# Files that only some answers call for: {path: (prompt, the answers that keep it)}.
KEPT_ONLY_FOR: dict[str, tuple[str, set[object]]] = {
    f"{PACKAGE}/db_server.py": ("database", {"postgresql", "mysql"}),
    f"{PACKAGE}/admins.py": ("auth", {"password"}),
    f"{PACKAGE}/attempts.py": ("auth", {"password"}),
    f"{PACKAGE}/inserts.py": ("auth", {"password"}),
    f"{PACKAGE}/item_inserts.py": ("auth", {"password"}),
    f"{PACKAGE}/transactions.py": ("auth", {"password"}),
    f"{PACKAGE}/cpus.py": ("auth", {"password"}),
    f"{PACKAGE}/api/app_state.py": ("auth", {"password"}),
    f"{PACKAGE}/api/routes/auth.py": ("auth", {"password"}),
    f"{PACKAGE}/api/throttles.py": ("auth", {"password"}),
    f"{PACKAGE}/common_passwords.txt": ("auth", {"password"}),
    f"{PACKAGE}/emails.py": ("auth", {"password", "none"}),
    f"{PACKAGE}/unique_emails.py": ("auth", {"password", "none"}),
    f"{PACKAGE}/events.py": ("auth", {"password", "oidc"}),
    f"{PACKAGE}/api/caller_base.py": ("auth", {"password", "oidc"}),
    f"{PACKAGE}/api/user_in_reach.py": ("auth", {"password", "oidc"}),
    f"{PACKAGE}/passwords.py": ("auth", {"password"}),
    f"{PACKAGE}/tokens.py": ("auth", {"password"}),
    "tests/test_access.py": ("auth", {"password", "oidc"}),
    "tests/test_items_owned.py": ("auth", {"password", "oidc"}),
    "tests/test_item_pages.py": ("auth", {"password", "oidc"}),
    "tests/test_item_list_tokens.py": ("auth", {"password"}),
    "tests/test_auth.py": ("auth", {"password"}),
    "tests/test_cli.py": ("auth", {"password"}),
    "tests/test_passwords.py": ("auth", {"password"}),
    "tests/test_settings_password.py": ("auth", {"password"}),
    "tests/test_hashing.py": ("auth", {"password"}),
    "tests/test_lockout.py": ("auth", {"password"}),
    "tests/test_throttle_races.py": ("auth", {"password"}),
    "tests/test_tokens.py": ("auth", {"password"}),
    "tests/test_credential_changes.py": ("auth", {"password"}),
    "tests/test_item_creates.py": ("auth", {"password"}),
    "tests/test_own_address.py": ("auth", {"password"}),
    "tests/test_signup_limit_logged.py": ("auth", {"password"}),
    "tests/test_admin_address_change.py": ("auth", {"password"}),
    "tests/test_throttle_pruning.py": ("auth", {"password"}),
    "tests/test_signup_flood.py": ("auth", {"password"}),
    f"{PACKAGE}/item_reads.py": ("auth", {"oidc", "none"}),
    "tests/test_user_order.py": ("auth", {"password", "oidc"}),
    "tests/test_new_users.py": ("auth", {"password", "none"}),
    "tests/accounts_shared.py": ("auth", {"password", "oidc"}),
    "tests/races.py": ("auth", {"oidc"}),
    f"{PACKAGE}/oidc.py": ("auth", {"oidc"}),
    "tests/test_oidc.py": ("auth", {"oidc"}),
    "tests/test_settings_oidc.py": ("auth", {"oidc"}),
    "tests/test_oidc_tokens.py": ("auth", {"oidc"}),
    "tests/test_oidc_algorithms.py": ("auth", {"oidc"}),
    "tests/test_client_address.py": ("auth", {"password", "oidc"}),
    f"{PACKAGE}/tracing.py": ("include_tracing", {True}),
    "tests/test_tracing.py": ("include_tracing", {True}),
    "Dockerfile": ("include_docker", {True}),
    ".dockerignore": ("include_docker", {True}),
    "compose.yaml": ("include_docker", {True}),
    "deploy/nginx.conf": ("include_docker", {True}),
    "deploy/kubernetes": ("include_kubernetes", {True}),
    ".github": ("include_github_actions", {True}),
}
# The placeholder that .env.example carries where .env gets a secret.
PLACEHOLDER = "change-me"


def keep_versions(project: Path, answers: dict[str, object]) -> None:
    """Put the version of each file that the answers chose under its plain name; remove the others."""
    for plain, (prompt, versions) in VERSIONS.items():
        chosen = versions.get(str(answers[prompt]))
        for version in sorted(set(versions.values())):
            path = project / version.format(**answers)
            if not path.exists():
                continue  # run before: the chosen version has its plain name already
            if version == chosen:
                path.replace(project / plain.format(**answers))
            else:
                path.unlink()


def remove_unneeded(project: Path, answers: dict[str, object]) -> None:
    """Remove the files that the answers do not call for."""
    for name, (prompt, keeping) in KEPT_ONLY_FOR.items():
        if answers[prompt] in keeping:
            continue
        path = project / name.format(**answers)
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
        if path.parent != project and path.parent.is_dir() and not any(path.parent.iterdir()):
            path.parent.rmdir()  # deploy/, when neither Docker nor Kubernetes is wanted


def write_env_file(project: Path) -> None:
    """Write `.env` from `.env.example` with new secrets, unless it exists already.

    SECRET_KEY gets one secret; every other placeholder (the local database's
    password, in its own line and in DATABASE_URL) gets another. Only values change:
    a comment that names the placeholder keeps it, and never shows a secret.
    """
    env_file = project / ".env"
    if env_file.exists():
        return
    password = secrets.token_urlsafe(24)
    lines = []
    for line in (project / ".env.example").read_text().splitlines(keepends=True):
        if line.startswith(f"SECRET_KEY={PLACEHOLDER}"):
            line = line.replace(PLACEHOLDER, secrets.token_urlsafe(48))
        elif not line.lstrip().startswith("#"):
            line = line.replace(PLACEHOLDER, password)
        lines.append(line)
    env_file.write_text("".join(lines))


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
