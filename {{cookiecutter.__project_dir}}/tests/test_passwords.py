"""Password hashing: salted argon2, and never more hashes at once than the settings allow."""
{% from "driver.jinja" import async, await, imports with context %}
{{ imports("asyncio", "concurrent.futures") }}
import threading
import time

import pytest
from pwdlib import PasswordHash

from {{ cookiecutter.package_name }}.passwords import Passwords
from {{ cookiecutter.package_name }}.settings import Settings

SLOTS = 2
SIGN_UPS = 8


{{ async }}def test_the_same_password_never_hashes_the_same_twice(settings: Settings) -> None:
    passwords = Passwords(settings)

    first = {{ await }}passwords.hash("cobol-1959")

    assert first.startswith("$argon2id$")
    assert first != {{ await }}passwords.hash("cobol-1959")
    assert {{ await }}passwords.verify("cobol-1959", first)
    assert not {{ await }}passwords.verify("cobol-1960", first)


{{ async }}def test_surplus_hashes_wait_for_a_free_slot(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    hashing = 0
    most_at_once = 0
    lock = threading.Lock()
    real_hash = PasswordHash.hash

    def counted_hash(hasher: PasswordHash, password: str) -> str:
        nonlocal hashing, most_at_once
        with lock:
            hashing += 1
            most_at_once = max(most_at_once, hashing)
        try:
            time.sleep(0.02)  # long enough for every other caller to try to start meanwhile
            return real_hash(hasher, password)
        finally:
            with lock:
                hashing -= 1

    monkeypatch.setattr(PasswordHash, "hash", counted_hash)
    passwords = Passwords(settings.model_copy(update={"password_hash_concurrency": SLOTS}))
    sign_ups = [f"password-{n}" for n in range(SIGN_UPS)]
{% if cookiecutter.driver == "async" %}
    hashes = await asyncio.gather(*(passwords.hash(password) for password in sign_ups))
{% else %}
    with concurrent.futures.ThreadPoolExecutor(max_workers=SIGN_UPS) as pool:
        hashes = list(pool.map(passwords.hash, sign_ups))
{% endif %}

    assert most_at_once == SLOTS
    for password, hashed in zip(sign_ups, hashes, strict=True):
        assert {{ await }}passwords.verify(password, hashed)
