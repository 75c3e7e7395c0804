"""Password hashing with argon2."""

{% if cookiecutter.driver == "async" %}
import anyio
import anyio.to_thread
{% else %}
import threading

{% endif %}
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from .settings import get_settings

_settings = get_settings()
# A hash records its own parameters: changing them affects new hashes, and old ones still verify.
_password_hash = PasswordHash(
    (
        Argon2Hasher(
            time_cost=_settings.password_hash_time_cost,
            memory_cost=_settings.password_hash_memory_kib,
        ),
    )
)
# argon2 spends tens of milliseconds of CPU and its whole memory cost on every hash, by
# design. More hashes at once than there are CPUs finish no sooner: they hold more memory
# and take the CPU from every other request. So the surplus waits here, in order.
{% if cookiecutter.driver == "async" %}
_hashing_slots = anyio.CapacityLimiter(_settings.password_hash_concurrency)


async def hash_password(password: str) -> str:
    """Return a salted argon2 hash of the password, computed off the event loop."""
    # In a worker thread (argon2 releases the GIL) other requests are served meanwhile.
    return await anyio.to_thread.run_sync(_password_hash.hash, password, limiter=_hashing_slots)
{% else %}
_hashing_slots = threading.BoundedSemaphore(_settings.password_hash_concurrency)


def hash_password(password: str) -> str:
    """Return a salted argon2 hash of the password."""
    with _hashing_slots:
        return _password_hash.hash(password)
{% endif %}


def verify_password(password: str, hashed_password: str) -> bool:
    """Tell whether the password matches the hash."""
    return _password_hash.verify(password, hashed_password)
