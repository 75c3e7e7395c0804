"""The answers the suite bakes: every database x driver pair, and every other option both ways."""

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
    python_version: str = DEFAULT_PYTHON
    include_docker: bool = True
    include_github_actions: bool = True
    names: str = "default"

    @property
    def id(self) -> str:
        """A readable test id, e.g. `postgresql-sync-py3.12-nodocker-longest`."""
        parts = [self.database, self.driver]
        if self.python_version != DEFAULT_PYTHON:
            parts.append(f"py{self.python_version}")
        if not self.include_docker:
            parts.append("nodocker")
        if not self.include_github_actions:
            parts.append("noactions")
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

COMBINATIONS = [
    # Every database x driver pair, with the other answers at their defaults.
    *(Combination(database, driver) for database, driver in URL_SCHEMES),
    # Docker and the workflow off, each with every database (the compose file and the
    # workflow's service container depend on the database); every pair once with the
    # longest names the prompts accept, so that no rendered line depends on their length.
    Combination("sqlite", "sync", include_docker=False, names="longest"),
    Combination("postgresql", "async", include_docker=False, names="longest"),
    Combination("mysql", "sync", include_docker=False, names="longest"),
    Combination("sqlite", "async", include_github_actions=False, names="longest"),
    Combination("postgresql", "sync", include_github_actions=False, names="longest"),
    Combination("mysql", "async", include_github_actions=False, names="longest"),
    # Every Python version the prompt offers (ruff and mypy target it).
    Combination("sqlite", "sync", python_version="3.14", names="cyrillic"),
    Combination("postgresql", "async", python_version="3.13", names="cyrillic"),
    Combination("mysql", "async", python_version="3.12", names="cyrillic"),
    Combination("postgresql", "sync", python_version="3.11"),
]


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
