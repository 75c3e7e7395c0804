"""The table of combinations covers every answer the prompts offer: nothing ships untested."""

from __future__ import annotations

import itertools
import json

from harness.combinations import AUTHS
from harness.combinations import COMBINATIONS
from harness.combinations import DEFAULT_PYTHON
from harness.combinations import FULL_CYCLE
from harness.combinations import IN_GENERATED_CI
from harness.combinations import URL_SCHEMES
from harness.projects import TEMPLATE

PROMPTS = json.loads((TEMPLATE / "cookiecutter.json").read_text())


def test_every_database_and_driver_pair_is_baked() -> None:
    pairs = set(itertools.product(PROMPTS["database"], PROMPTS["driver"]))

    assert pairs == set(URL_SCHEMES)
    assert pairs <= {(c.database, c.driver) for c in COMBINATIONS}


def test_every_choice_and_both_sides_of_every_yes_no_answer_are_baked() -> None:
    for name, default in PROMPTS.items():
        if name.startswith("_"):
            continue
        baked = {getattr(c, name) for c in COMBINATIONS} if hasattr(COMBINATIONS[0], name) else None
        if isinstance(default, list):
            assert baked == set(default), name
        elif isinstance(default, bool):
            assert baked == {True, False}, name


def test_combination_defaults_are_the_prompts_defaults() -> None:
    assert PROMPTS["python_version"][0] == DEFAULT_PYTHON
    assert PROMPTS["database"][0] == "sqlite"
    assert PROMPTS["driver"][0] == "async"


def test_combination_ids_are_unique() -> None:
    ids = [c.id for c in COMBINATIONS]

    assert len(ids) == len(set(ids))


def test_every_database_driver_and_auth_gets_the_full_cycle() -> None:
    every = {(database, driver, auth) for (database, driver), auth in itertools.product(URL_SCHEMES, AUTHS)}

    assert {(c.database, c.driver, c.auth) for c in FULL_CYCLE} == every
    # Their generated workflows run every database x auth once, and every driver of each database.
    assert sorted((c.database, c.auth) for c in IN_GENERATED_CI) == sorted(
        itertools.product(PROMPTS["database"], AUTHS)
    )
    assert {(c.database, c.driver) for c in IN_GENERATED_CI} == set(URL_SCHEMES)
