"""Password hashes are made with the configured argon2 costs, which each hash records."""
{% from "driver.jinja" import async, await with context %}

import re

import pytest

from {{ cookiecutter.package_name }}.passwords import Passwords
from {{ cookiecutter.package_name }}.settings import Settings

# What argon2 writes before the salt: variant, version, then memory (KiB), time and parallelism.
PARAMETERS = re.compile(r"^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$")


@pytest.mark.parametrize(("memory_kib", "time_cost"), [(1024, 1), (2048, 2)])
{{ async }}def test_a_hash_records_the_configured_costs(
    settings: Settings, memory_kib: int, time_cost: int
) -> None:
    configured = settings.model_copy(
        update={"password_hash_memory_kib": memory_kib, "password_hash_time_cost": time_cost}
    )

    hashed = {{ await }}Passwords(configured).hash("cobol-1959")

    recorded = PARAMETERS.match(hashed)
    assert recorded is not None, hashed
    assert (int(recorded[1]), int(recorded[2])) == (memory_kib, time_cost)


{{ async }}def test_a_password_never_matches_a_missing_hash(settings: Settings) -> None:
    # No account: the stand-in hash is checked for the time it takes, and the answer is no.
    passwords = Passwords(settings)

    assert not {{ await }}passwords.verify("", None)
    assert not {{ await }}passwords.verify("cobol-1959", None)
