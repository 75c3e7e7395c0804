{% set async = "async " if cookiecutter.driver == "async" else "" %}
{% set await = "await " if cookiecutter.driver == "async" else "" %}
"""Password hashing: salted argon2, and never more hashes at once than the service allows."""

{% if cookiecutter.driver == "async" %}
import asyncio
{% endif %}
import threading
import time
{% if cookiecutter.driver == "sync" %}
from concurrent.futures import ThreadPoolExecutor
{% endif %}

{% if cookiecutter.driver == "async" %}
import anyio
{% endif %}
import pytest

from {{ cookiecutter.package_name }} import security

SLOTS = 2
SIGN_UPS = 8


{{ async }}def test_the_same_password_never_hashes_the_same_twice() -> None:
    first = {{ await }}security.hash_password("cobol-1959")

    assert first.startswith("$argon2id$")
    assert first != {{ await }}security.hash_password("cobol-1959")
    assert security.verify_password("cobol-1959", first)
    assert not security.verify_password("cobol-1960", first)


{{ async }}def test_surplus_hashes_wait_for_a_free_slot(monkeypatch: pytest.MonkeyPatch) -> None:
    hashing = 0
    most_at_once = 0
    lock = threading.Lock()
    real_hash = security._password_hash.hash

    def counted_hash(password: str) -> str:
        nonlocal hashing, most_at_once
        with lock:
            hashing += 1
            most_at_once = max(most_at_once, hashing)
        try:
            time.sleep(0.02)  # long enough for every other caller to try to start meanwhile
            return real_hash(password)
        finally:
            with lock:
                hashing -= 1

    monkeypatch.setattr(security._password_hash, "hash", counted_hash)
{% if cookiecutter.driver == "async" %}
    monkeypatch.setattr(security, "_hashing_slots", anyio.CapacityLimiter(SLOTS))
    passwords = [f"password-{n}" for n in range(SIGN_UPS)]
    hashes = await asyncio.gather(*(security.hash_password(p) for p in passwords))
{% else %}
    monkeypatch.setattr(security, "_hashing_slots", threading.BoundedSemaphore(SLOTS))
    passwords = [f"password-{n}" for n in range(SIGN_UPS)]
    with ThreadPoolExecutor(max_workers=SIGN_UPS) as pool:
        hashes = list(pool.map(security.hash_password, passwords))
{% endif %}

    assert most_at_once == SLOTS
    assert all(security.verify_password(p, h) for p, h in zip(passwords, hashes, strict=True))
