"""Password hashing with argon2, a bounded number of hashes at a time."""
{% from "driver.jinja" import async_imports, sync_imports with context %}

import secrets
{{- sync_imports("threading") }}
from functools import cached_property
{{ async_imports("anyio", "anyio.to_thread") }}
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from .settings import Settings


class Passwords:
    """Hashes and verifies passwords, with the cost and concurrency the settings give."""

    def __init__(self, settings: Settings) -> None:
        # A hash records its own parameters: changing them affects new hashes,
        # and old ones still verify.
        self._hasher = PasswordHash(
            (
                Argon2Hasher(
                    time_cost=settings.password_hash_time_cost,
                    memory_cost=settings.password_hash_memory_kib,
                ),
            )
        )
        # argon2 spends tens of milliseconds of CPU and its whole memory cost on every hash, by
        # design. More hashes at once than there are CPUs finish no sooner: they hold more memory
        # and take the CPU from every other request. So the surplus waits here, in order.
{% if cookiecutter.driver == "async" %}
        self._slots = anyio.CapacityLimiter(settings.password_hash_concurrency)

    async def hash(self, password: str) -> str:
        """Return a salted argon2 hash of the password, computed off the event loop."""
        # In a worker thread (argon2 releases the GIL) other requests are served meanwhile.
        return await anyio.to_thread.run_sync(self._hasher.hash, password, limiter=self._slots)

    async def verify(self, password: str, hashed_password: str | None) -> bool:
        """Tell whether the password matches the hash: as costly as hashing, and as bounded.

        Without a hash (no such account) it takes as long, and says no.
        """
        return await anyio.to_thread.run_sync(
            self._matches, password, hashed_password, limiter=self._slots
        )
{% else %}
        self._slots = threading.BoundedSemaphore(settings.password_hash_concurrency)

    def hash(self, password: str) -> str:
        """Return a salted argon2 hash of the password."""
        with self._slots:
            return self._hasher.hash(password)

    def verify(self, password: str, hashed_password: str | None) -> bool:
        """Tell whether the password matches the hash: as costly as hashing, and as bounded.

        Without a hash (no such account) it takes as long, and says no.
        """
        with self._slots:
            return self._matches(password, hashed_password)
{% endif %}

    def _matches(self, password: str, hashed_password: str | None) -> bool:
        if hashed_password is None:
            # A login for an unknown address costs what a wrong password costs: the
            # answer's timing does not tell which addresses have accounts.
            self._hasher.verify(password, self._stand_in_hash)
            return False
        return self._hasher.verify(password, hashed_password)

    @cached_property
    def _stand_in_hash(self) -> str:
        return self._hasher.hash(secrets.token_urlsafe(16))
