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
import unicodedata

# Rendered by cookiecutter. A raw JSON string keeps this file valid Python for
# any answer, quotes and backslashes included.
ANSWERS_JSON = r"""{{ cookiecutter | tojson }}"""

SLUG = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
PACKAGE = re.compile(r"[a-z][a-z0-9_]*")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
# Characters that would break the TOML, YAML and Python strings they are baked into.
UNSAFE_TEXT = re.compile(r'["\\\x00-\x1f\x7f]')
# The longest answers that still fit every line they are baked into (100 columns in Python), and
# the names of the Kubernetes objects and databases made from the slug and package name.
MAX_COLUMNS = {"project_name": 64, "description": 80}
MAX_NAME_LENGTH = 40
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
FLAGS = ("include_docker", "include_github_actions", "include_kubernetes")


def columns(text: str) -> int:
    """How wide the text is in an editor, and to ruff: East Asian wide characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def problems(answers: dict[str, object]) -> list[str]:
    """Return one line per bad answer, naming the field and what it accepts."""
    found = [
        text_problem(field, str(answers[field])) for field in ("project_name", "description", "author_name")
    ]
    slug, package = str(answers["project_slug"]), str(answers["package_name"])
    # A slug made from a refused name, and a package made from a refused slug, repeat
    # the same mistake: it is reported once, for the field it comes from.
    if slug or found[0] is None:
        found.append(slug_problem(slug))
    if package != slug.replace("-", "_") or slug_problem(slug) is None:
        found.append(package_problem(package))
    email = str(answers["author_email"])
    if not EMAIL.fullmatch(email):
        found.append(f"author_email {email!r}: expected an address such as you@example.com")
    found += [
        f"{field} {answers[field]!r}: answer yes or no"
        for field in FLAGS
        if not isinstance(answers[field], bool)
    ]
    if answers["include_kubernetes"] is True and answers["database"] == "sqlite":
        found.append(
            "include_kubernetes: needs database=postgresql or mysql; "
            "SQLite is one machine's database, and each replica would have its own"
        )
    return [problem for problem in found if problem]


def slug_problem(slug: str) -> str | None:
    """What is wrong with the project slug, or None."""
    return _name_problem("project_slug", slug, SLUG, "single hyphens", "my-service")


def package_problem(package: str) -> str | None:
    """What is wrong with the package name, or None."""
    problem = _name_problem("package_name", package, PACKAGE, "underscores", "my_service")
    if problem:
        return problem
    if keyword.iskeyword(package) or keyword.issoftkeyword(package):
        return f"package_name {package!r} is a Python keyword; choose another name"
    if package in sys.stdlib_module_names or package in TAKEN_NAMES:
        return f"package_name {package!r} would shadow the module of the same name; choose another name"
    return None


def _name_problem(
    field: str, name: str, pattern: re.Pattern[str], separators: str, example: str
) -> str | None:
    """What is wrong with a name that must match `pattern` and fit MAX_NAME_LENGTH, or None."""
    if not pattern.fullmatch(name):
        return (
            f"{field} {name!r}: use lower-case letters, digits and {separators}, "
            f"starting with a letter (e.g. {example})"
        )
    if len(name) > MAX_NAME_LENGTH:
        return f"{field} {name!r}: at most {MAX_NAME_LENGTH} characters, not {len(name)}"
    return None


def text_problem(field: str, text: str) -> str | None:
    """What is wrong with a free-text answer, or None."""
    if not text.strip():
        return f"{field}: must not be empty"
    if UNSAFE_TEXT.search(text):
        return f"{field} {text!r}: must not contain double quotes, backslashes or line breaks"
    if field == "project_name" and not any(char.isalnum() for char in text):
        return f"{field} {text!r}: must contain a letter or a digit (the slug is made from them)"
    limit = MAX_COLUMNS.get(field)
    if limit is not None and columns(text) > limit:
        return f"{field}: at most {limit} characters (wide ones such as 字 count as two), not {columns(text)}"
    return None


def main() -> int:
    """Validate the answers cookiecutter rendered into this file."""
    found = problems(json.loads(ANSWERS_JSON))
    for line in found:
        print(f"Error: {line}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
