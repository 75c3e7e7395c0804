"""Refuse answers that would bake a broken project, before a file is written.

Cookiecutter runs this after the prompts. On a bad answer it prints one line that
names the field and says what is allowed, and exits non-zero; cookiecutter then
removes the project directory, so nothing half-written is left behind.
Standard library only: cookiecutter may run from an isolated environment.
"""

import json
import keyword
import re
import sys

# Rendered by cookiecutter. A raw JSON string keeps this file valid Python for
# any answer, quotes and backslashes included.
ANSWERS_JSON = r"""{{ cookiecutter | tojson }}"""

SLUG = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
PACKAGE = re.compile(r"[a-z][a-z0-9_]*")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
# Characters that would break the TOML, YAML and Python strings they are baked into.
UNSAFE_TEXT = re.compile(r'["\\\x00-\x1f\x7f]')
# Top-level modules of the project's dependencies and layout: a package of the
# same name would shadow them.
TAKEN_NAMES = frozenset(
    {
        "aiosqlite", "alembic", "anyio", "argon2", "asyncmy", "asyncpg", "email_validator", "fastapi",
        "httpx", "httpx2", "migrations", "mypy", "pwdlib", "psycopg", "pydantic", "pydantic_settings",
        "pymysql", "pytest", "pythonjsonlogger", "ruff", "sqlalchemy", "src", "starlette", "test",
        "tests", "uvicorn",
    }
)  # fmt: skip
# Choice answers need no check here: cookiecutter refuses a value outside the list.
FLAGS = ("include_docker", "include_github_actions")


def problems(answers: dict[str, object]) -> list[str]:
    """Return one line per bad answer, naming the field and what it accepts."""
    found = []
    slug = str(answers["project_slug"])
    if not SLUG.fullmatch(slug):
        found.append(
            f"project_slug {slug!r}: use lower-case letters, digits and single hyphens, "
            "starting with a letter (e.g. my-service)"
        )
    package = str(answers["package_name"])
    if not PACKAGE.fullmatch(package):
        found.append(
            f"package_name {package!r}: use lower-case letters, digits and underscores, "
            "starting with a letter (e.g. my_service)"
        )
    elif keyword.iskeyword(package) or keyword.issoftkeyword(package):
        found.append(f"package_name {package!r} is a Python keyword; choose another name")
    elif package in sys.stdlib_module_names or package in TAKEN_NAMES:
        found.append(
            f"package_name {package!r} would shadow the module of the same name; choose another name"
        )
    for field in ("project_name", "description", "author_name"):
        text = str(answers[field])
        if not text.strip():
            found.append(f"{field}: must not be empty")
        elif UNSAFE_TEXT.search(text):
            found.append(f"{field} {text!r}: must not contain double quotes, backslashes or line breaks")
    email = str(answers["author_email"])
    if not EMAIL.fullmatch(email):
        found.append(f"author_email {email!r}: expected an address such as you@example.com")
    for field in FLAGS:
        if not isinstance(answers[field], bool):
            found.append(f"{field} {answers[field]!r}: answer yes or no")
    return found


def main() -> int:
    """Validate the answers cookiecutter rendered into this file."""
    found = problems(json.loads(ANSWERS_JSON))
    for line in found:
        print(f"Error: {line}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
