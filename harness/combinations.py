"""The answers the suite bakes: every database x driver x auth, every other option both ways."""

from __future__ import annotations

import os
from dataclasses import dataclass
from dataclasses import fields
from fnmatch import fnmatch

import pytest

# Defaults of cookiecutter.json, repeated so that a change to them is a visible change here.
DEFAULT_PYTHON = "3.15"


@dataclass(frozen=True)
class Names:
    """The answers that name a project, and the directory and package they must bake into."""

    answers: dict[str, str]
    slug: str
    package: str


NAMES = {
    "default": Names({}, slug="my-service", package="my_service"),
    # Every name at the longest the prompts accept (64 and 80 columns, wide characters counting
    # two; a 40-character slug and package), non-ASCII, with a package that differs from the slug.
    "longest": Names(
        {
            "project_name": "Ada's Café Überblick 订单服务: Billing & Ledger (EU/US) #2, v2.0",
            "project_slug": "ada-cafe-uberblick-billing-and-ledger-v2",
            "package_name": "ada_billing_ledger_service_for_eu_and_us",
            "description": "账单与发票服务：为欧洲和美国的客户开具发票、记录付款并对账，每日同步总账 (v2.0).",  # noqa: RUF001
        },
        slug="ada-cafe-uberblick-billing-and-ledger-v2",
        package="ada_billing_ledger_service_for_eu_and_us",
    ),
    # A name in another script, with the slug and package made from it.
    "cyrillic": Names(
        {"project_name": "Сервис заказов — Café", "description": "Заказы и счета «в одном месте»."},
        slug="servis-zakazov-cafe",
        package="servis_zakazov_cafe",
    ),
}


@dataclass(frozen=True)
class Combination:
    """One set of answers to the prompts (those not given keep their defaults)."""

    database: str = "sqlite"
    driver: str = "async"
    auth: str = "password"
    python_version: str = DEFAULT_PYTHON
    include_docker: bool = True
    include_github_actions: bool = True
    include_kubernetes: bool = False
    include_tracing: bool = True
    names: str = "default"

    @property
    def id(self) -> str:
        """A readable test id, e.g. `postgresql-sync-oidc-py3.12-nodocker-longest`."""
        parts = [self.database, self.driver, self.auth]
        if self.python_version != DEFAULT_PYTHON:
            parts.append(f"py{self.python_version}")
        if not self.include_docker:
            parts.append("nodocker")
        if not self.include_github_actions:
            parts.append("noactions")
        if self.include_kubernetes:
            parts.append("kubernetes")
        if not self.include_tracing:
            parts.append("notracing")
        if self.names != "default":
            parts.append(self.names)
        return "-".join(parts)

    @property
    def answers(self) -> dict[str, object]:
        """The answers as cookiecutter's extra context."""
        prompts = {field.name: getattr(self, field.name) for field in fields(self) if field.name != "names"}
        return {**prompts, **NAMES[self.names].answers}

    @property
    def expected_names(self) -> Names:
        """The names the project must bake with."""
        return NAMES[self.names]

    @property
    def twin(self) -> Combination:
        """The combination with the same database, driver, auth and names, other answers default."""
        return Combination(self.database, self.driver, self.auth, names=self.names)

    @property
    def url_scheme(self) -> str:
        """The SQLAlchemy dialect+driver the baked project uses."""
        return URL_SCHEMES[self.database, self.driver]


URL_SCHEMES = {
    ("sqlite", "async"): "sqlite+aiosqlite",
    ("sqlite", "sync"): "sqlite+pysqlite",
    ("postgresql", "async"): "postgresql+asyncpg",
    ("postgresql", "sync"): "postgresql+psycopg",
    ("mysql", "async"): "mysql+asyncmy",
    ("mysql", "sync"): "mysql+pymysql",
}

AUTHS = ("password", "oidc", "none")
# The names each auth is baked with: every pair then bakes the longest names once, and a
# name in another script once.
NAMES_BY_AUTH = {"password": "default", "oidc": "longest", "none": "cyrillic"}

# Every database x driver x auth, the full cycle each, with the other answers at their defaults.
FULL_CYCLE = [
    Combination(database, driver, auth, names=NAMES_BY_AUTH[auth])
    for auth in AUTHS
    for database, driver in URL_SCHEMES
]
# Tracing is on in all of those; off (its code then differs), it gets the full cycle once, on
# the combination that runs it fastest.
FULL_CYCLE.append(Combination("sqlite", "async", include_tracing=False))
# One combination per database x auth (tracing on), the drivers in turn, each run by its own
# generated workflow from a fresh clone (test_workflows) on Python 3.11, 3.12 or 3.13 in turn; test_bake
# runs the own suites of the rest of FULL_CYCLE.
IN_GENERATED_CI = [
    c
    for c in FULL_CYCLE
    if c.include_tracing and (c.database, c.driver, c.auth) in {
        ("sqlite", "async", "password"), ("sqlite", "sync", "oidc"), ("sqlite", "async", "none"),
        ("postgresql", "sync", "password"), ("postgresql", "async", "oidc"), ("postgresql", "sync", "none"),
        ("mysql", "async", "password"), ("mysql", "sync", "oidc"), ("mysql", "async", "none"),
    }
]  # fmt: skip
# The answers that do not touch the database code, pairwise: Docker and the workflow off
# with every database (the compose file and the workflow's service depend on it), and
# every other Python version the prompt offers (mypy checks the code as that version).
# Their code, tests and migrations are those of their twin in FULL_CYCLE (a test proves it),
# so they are linted and type-checked, not run again.
PAIRWISE = [
    Combination("sqlite", "sync", python_version="3.14", include_docker=False),
    Combination("postgresql", "async", python_version="3.13", include_docker=False),
    Combination("mysql", "sync", python_version="3.12", include_docker=False),
    Combination("sqlite", "async", python_version="3.11", include_github_actions=False),
    Combination("postgresql", "sync", include_github_actions=False, include_kubernetes=True),
    Combination("mysql", "async", include_github_actions=False, include_kubernetes=True),
]
COMBINATIONS = FULL_CYCLE + PAIRWISE


def selected(combinations: list[Combination]) -> list[Combination]:
    """The combinations this run checks: all, or those whose id matches a pattern in $COMBINATIONS.

    CI splits the work with it, e.g. COMBINATIONS="postgresql-async*".
    """
    patterns = os.environ.get("COMBINATIONS", "").split()
    return [c for c in combinations if not patterns or any(fnmatch(c.id, p) for p in patterns)]


def parametrize_combinations(combinations: list[Combination] = COMBINATIONS) -> pytest.MarkDecorator:
    """Parametrize a test over the selected combinations; each one's tests run on one xdist worker."""
    return pytest.mark.parametrize(
        "combination",
        [
            pytest.param(c, id=c.id, marks=pytest.mark.xdist_group(c.id))
            for c in selected(combinations)
        ],
    )  # fmt: skip
