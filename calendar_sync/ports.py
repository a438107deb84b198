"""What the calendar subsystem needs from outside the process, in our own types.

``CalendarBackend`` is one CalDAV account (``caldav_backend.CaldavBackend``; the embedded Radicale
is reached through the same adapter). ``BookingNotifier`` is filled by the application with the
text-back outbox: calendar_sync never imports textback.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from calendar_sync.results import BookingInfo
from receptionist.core import Business

__all__ = ["BookingNotifier", "CalendarBackend", "NullNotifier", "RemoteCalendar", "StoredEvent"]


@dataclass(frozen=True, slots=True)
class RemoteCalendar:
    url: str
    name: str


@dataclass(frozen=True, slots=True)
class StoredEvent:
    href: str           # absolute URL of the calendar object resource
    etag: str | None    # opaque, quoted as the server sent it; None when the server gave none
    ical: str


class CalendarBackend(Protocol):
    """One CalDAV account. Every method raises only ``calendar_sync.errors`` (transient ones:
    ``CalendarUnavailable``) and has a timeout."""

    async def discover(self) -> list[RemoteCalendar]:
        """The account's calendars that hold events (or the calendar the URL points at)."""
        ...

    async def check(self, calendar_url: str) -> None:
        """Raise unless the calendar exists and these credentials can read it."""
        ...

    async def ensure_calendar(self, calendar_url: str, name: str) -> None:
        """Create the calendar if it does not exist (MKCALENDAR)."""
        ...

    async def events(self, calendar_url: str, start: datetime, end: datetime
                     ) -> list[StoredEvent]:
        """Objects with a VEVENT overlapping ``[start, end)`` (calendar-query REPORT)."""
        ...

    async def create(self, calendar_url: str, resource_name: str, ical: str) -> StoredEvent:
        """PUT with ``If-None-Match: *``; raises ``WriteConflict`` if the name or UID exists."""
        ...

    async def fetch(self, href: str) -> StoredEvent | None:
        """GET one object; None when it is gone."""
        ...

    async def replace(self, href: str, ical: str, etag: str | None) -> StoredEvent:
        """PUT with ``If-Match: etag``; raises ``WriteConflict`` when the object changed."""
        ...

    async def delete(self, href: str, etag: str | None) -> None:
        """DELETE with ``If-Match: etag``; an object already gone is fine."""
        ...

    async def aclose(self) -> None: ...


class BookingNotifier(Protocol):
    """Told about every change, inside the transaction that records it (so a text is queued
    exactly when the change is committed)."""

    async def booked(self, session: AsyncSession, business: Business,
                     booking: BookingInfo) -> None: ...

    async def cancelled(self, session: AsyncSession, business: Business,
                        booking: BookingInfo) -> None: ...

    async def moved(self, session: AsyncSession, business: Business, booking: BookingInfo,
                    previous_start: datetime) -> None: ...

    async def request_recorded(self, session: AsyncSession, business: Business,
                               request: BookingInfo, what: str, *,
                               maybe_written: bool = False) -> None:
        """The calendar could not be reached: the team must do ``what`` ("booking",
        "cancellation", "change") by hand and confirm with the caller. ``maybe_written``: the
        calendar never answered the write, so it may already hold the booking."""
        ...


class NullNotifier:
    """Tells nobody (tests, and set-ups without texting)."""

    async def booked(self, session: AsyncSession, business: Business,
                     booking: BookingInfo) -> None:
        return None

    async def cancelled(self, session: AsyncSession, business: Business,
                        booking: BookingInfo) -> None:
        return None

    async def moved(self, session: AsyncSession, business: Business, booking: BookingInfo,
                    previous_start: datetime) -> None:
        return None

    async def request_recorded(self, session: AsyncSession, business: Business,
                               request: BookingInfo, what: str, *,
                               maybe_written: bool = False) -> None:
        return None
