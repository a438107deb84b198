"""Calendar test helpers: a fixed "now", business hours, a recording notifier, a config."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from calendar_sync import BookingInfo, CalendarConfig
from receptionist.core import Business

__all__ = ["HOURS", "NOW", "RecordingNotifier", "calendar_config"]

# Monday 7 December 2026, 08:00 in New York (13:00 UTC): the week ahead is open.
NOW = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)
HOURS = "Mon-Fri 08:00-17:00; Sat 09:00-13:00"


class RecordingNotifier:
    """Remembers what the calendar told it (our own port; no SMS involved)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, BookingInfo, Any]] = []

    def kinds(self) -> list[str]:
        return [kind for kind, _, _ in self.events]

    async def booked(self, session: AsyncSession, business: Business,
                     booking: BookingInfo) -> None:
        assert session.in_transaction()
        self.events.append(("booked", booking, None))

    async def cancelled(self, session: AsyncSession, business: Business,
                        booking: BookingInfo) -> None:
        self.events.append(("cancelled", booking, None))

    async def moved(self, session: AsyncSession, business: Business, booking: BookingInfo,
                    previous_start: datetime) -> None:
        self.events.append(("moved", booking, previous_start))

    async def request_recorded(self, session: AsyncSession, business: Business,
                               request: BookingInfo, what: str, *,
                               maybe_written: bool = False) -> None:
        self.events.append(("request_recorded", request, what))


def calendar_config(tmp_path: Path, **changes: Any) -> CalendarConfig:
    config = CalendarConfig(
        embedded=True, embedded_dir=tmp_path / "calendars", embedded_host="127.0.0.1",
        embedded_port=0, embedded_public_url="", timeout_s=2.0, busy_cache_s=30.0,
        verify_after_write=True, notice_minutes=60, horizon_days=60, slot_minutes=15,
        allow_private=True)   # the test servers listen on 127.0.0.1
    return dataclasses.replace(config, **changes)
