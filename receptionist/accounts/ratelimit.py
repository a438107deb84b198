"""Sign-in rate limiting: a bounded number of failures per email and per client address in a
sliding window, counted in the database so every app instance applies the same limit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from receptionist.accounts.errors import TooManyAttempts
from receptionist.accounts.models import SignInAttempt

__all__ = ["SignInLimits", "check_limits", "clear_failures", "record_failure"]


@dataclass(frozen=True)
class SignInLimits:
    per_email: int = 5
    per_address: int = 20
    window_s: int = 15 * 60


async def _retry_after(session: AsyncSession, column: InstrumentedAttribute[str], value: str,
                       limit: int,
                       window: timedelta, now: datetime) -> int | None:
    """Seconds until fewer than ``limit`` failures remain in the window, or None when under."""
    stmt = (select(SignInAttempt.at)
            .where(column == value, SignInAttempt.at > now - window)
            .order_by(SignInAttempt.at.desc()).limit(limit))
    recent = list((await session.execute(stmt)).scalars())
    if len(recent) < limit:
        return None
    return max(1, int((recent[-1] + window - now).total_seconds()) + 1)


async def check_limits(session: AsyncSession, limits: SignInLimits, *, email: str,
                       address: str, now: datetime) -> None:
    window = timedelta(seconds=limits.window_s)
    wait = await _retry_after(session, SignInAttempt.email, email, limits.per_email, window, now)
    if wait is not None:
        raise TooManyAttempts(wait, "for this account")
    wait = await _retry_after(session, SignInAttempt.address, address, limits.per_address,
                              window, now)
    if wait is not None:
        raise TooManyAttempts(wait, "from this address")


async def record_failure(session: AsyncSession, limits: SignInLimits, *, email: str,
                         address: str, now: datetime) -> None:
    session.add(SignInAttempt(email=email[:320], address=address[:64], at=now))
    # Old rows count for nothing: keep the table small.
    await session.execute(delete(SignInAttempt).where(
        SignInAttempt.at < now - timedelta(seconds=limits.window_s * 4)))


async def clear_failures(session: AsyncSession, email: str) -> None:
    """A successful sign-in forgives the account's earlier failures (not the address's)."""
    await session.execute(delete(SignInAttempt).where(SignInAttempt.email == email))
