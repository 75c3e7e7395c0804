"""Password hashing with argon2."""

{% if cookiecutter.driver == "async" %}
import anyio.to_thread
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
{% if cookiecutter.driver == "async" %}


async def hash_password(password: str) -> str:
    """Return a salted argon2 hash of the password, computed off the event loop."""
    # argon2 spends tens of milliseconds of CPU by design; in a worker thread
    # (it releases the GIL) other requests keep being served meanwhile.
    return await anyio.to_thread.run_sync(_password_hash.hash, password)
{% else %}


def hash_password(password: str) -> str:
    """Return a salted argon2 hash of the password."""
    return _password_hash.hash(password)
{% endif %}


def verify_password(password: str, hashed_password: str) -> bool:
    """Tell whether the password matches the hash."""
    return _password_hash.verify(password, hashed_password)
