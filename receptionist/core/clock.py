"""Time comes from a clock object so tests and simulations can move it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["Clock", "FixedClock", "SystemClock", "time_zone", "utcnow"]


def time_zone(name: str) -> ZoneInfo | None:
    """The IANA zone called ``name``, or None when there is none: unknown, malformed, or a name
    the file system refuses (zoneinfo looks names up as files, so a very long one is an
    ``OSError``, not a ``ZoneInfoNotFoundError``). Names come from owners, forms and CalDAV
    servers."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def utcnow() -> datetime:
    return datetime.now(UTC)


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when told to."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._at = at

    def now(self) -> datetime:
        return self._at

    def advance(self, delta: timedelta) -> None:
        self._at += delta

    def set(self, at: datetime) -> None:
        self._at = at
