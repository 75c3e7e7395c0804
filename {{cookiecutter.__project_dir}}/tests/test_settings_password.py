"""Settings of the service's own accounts: the signing key, the tokens' lifetime, the hashes."""

import os

import pytest
from pydantic import ValidationError

from example_settings import make_settings


def test_an_access_token_may_live_a_whole_day() -> None:
    assert make_settings(access_token_minutes=1440).access_token_minutes == 1440


@pytest.mark.parametrize("secret", ["", "change-me", "too-short", " " * 32, "change-me" * 4])
@pytest.mark.parametrize("environment", ["development", "production"])
def test_a_missing_or_weak_secret_is_refused_in_every_environment(
    environment: str, secret: str
) -> None:
    """ASVS 5 V11.5.1: a signing key is random, with 128 bits of entropy at least."""
    with pytest.raises(ValidationError, match="must be a random value of at least 32 characters"):
        make_settings(environment=environment, secret_key=secret)


@pytest.mark.parametrize("minutes", [0, 1441, 525_600])
def test_an_access_token_lives_a_minute_to_a_day(minutes: int) -> None:
    """ASVS 5 V7.3.2: a session has an absolute maximum lifetime."""
    with pytest.raises(ValidationError, match="access_token_minutes"):
        make_settings(access_token_minutes=minutes)


def test_password_hashes_run_one_per_cpu_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PASSWORD_HASH_CONCURRENCY", raising=False)
    assert make_settings().password_hash_concurrency == os.cpu_count()
    assert make_settings(password_hash_concurrency=1).password_hash_concurrency == 1
    with pytest.raises(ValidationError, match="password_hash_concurrency"):
        make_settings(password_hash_concurrency=0)
