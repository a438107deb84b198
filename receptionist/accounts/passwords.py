"""Password hashing with argon2id (argon2-cffi), off the event loop: a hash costs tens of
milliseconds of CPU by design."""

from __future__ import annotations

import asyncio
import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from receptionist.accounts.errors import WeakPassword

__all__ = ["MIN_PASSWORD_LENGTH", "check_strength", "generate_password", "hash_password",
           "verify_password"]

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024  # argon2 takes any length; this bounds the work per attempt
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified when the email is unknown, so a wrong email costs as long as a wrong password."""
    hashed: str = _hasher.hash(secrets.token_urlsafe(16))
    return hashed


def check_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPassword(f"a password may have at most {MAX_PASSWORD_LENGTH} characters")
    if len(set(password)) < 4:
        raise WeakPassword("that password is too easy to guess; mix more characters")


def generate_password() -> str:
    """A password to print once (about 96 bits of randomness)."""
    return secrets.token_urlsafe(12)


async def hash_password(password: str) -> str:
    check_strength(password)
    return await asyncio.to_thread(_hasher.hash, password)


def _verify(password_hash: str | None, password: str) -> bool:
    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        matched = _hasher.verify(password_hash or _dummy_hash(), password)
        return matched and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; ``None`` for an unknown user still spends the time."""
    return await asyncio.to_thread(_verify, password_hash, password)
