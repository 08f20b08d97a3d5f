"""Password hashing for the embedded identity provider.

Argon2id (memory-hard), at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): a few
tens of milliseconds per hash. Hashes run in worker threads (argon2 releases the GIL), a
few at a time so a burst of logins cannot take the memory of the process, and never on
the event loop. A login for an unknown user is checked against a dummy hash of the same
cost, so the answer takes as long as a wrong password for a real user does. Hashes of the
earlier scheme (scrypt) still verify and are replaced by argon2 at the next login.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# At most this many hashes at once: each holds memory_cost of memory while it runs.
_CONCURRENT_HASHES = 4
_LEGACY_SCRYPT = (2**14, 8, 1)  # n, r, p of the hashes written before argon2

_limiter: anyio.CapacityLimiter | None = None
_dummy_hash: str | None = None


def hash_password(password: str) -> str:
    """An argon2id hash (salted, parameters in the string). Blocking: call it from a thread
    or use :func:`hash_password_async` from async code."""
    return _HASHER.hash(password)


def _verify_scrypt(password: str, stored: str) -> bool:
    try:
        _, salt_b64, digest_b64 = stored.split("$")
        salt, expected = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
    except ValueError:
        return False
    n, r, p = _LEGACY_SCRYPT
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p)
    return hmac.compare_digest(digest, expected)


def verify_password(password: str, stored: str) -> tuple[bool, str | None]:
    """Whether ``password`` matches ``stored``, and a replacement hash when the stored
    one is of an older scheme or weaker parameters (None otherwise). Blocking."""
    if stored.startswith("scrypt$"):
        if not _verify_scrypt(password, stored):
            return False, None
        return True, hash_password(password)
    try:
        _HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False, None
    return True, hash_password(password) if _HASHER.check_needs_rehash(stored) else None


def _capacity() -> anyio.CapacityLimiter:
    global _limiter
    if _limiter is None:
        _limiter = anyio.CapacityLimiter(_CONCURRENT_HASHES)
    return _limiter


async def hash_password_async(password: str) -> str:
    return await anyio.to_thread.run_sync(hash_password, password, limiter=_capacity())


async def _dummy() -> str:
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = await hash_password_async(secrets.token_urlsafe(16))
    return _dummy_hash


async def check_password(password: str, stored: str | None) -> tuple[bool, str | None]:
    """:func:`verify_password` in a worker thread. ``stored`` None (no such user) checks
    against a dummy hash of the same cost and always fails, in the same time."""
    target = stored if stored is not None else await _dummy()
    ok, new_hash = await anyio.to_thread.run_sync(
        verify_password, password, target, limiter=_capacity()
    )
    if stored is None:
        return False, None
    return ok, new_hash
