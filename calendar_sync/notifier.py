"""A ``BookingNotifier`` that writes the texts and hands them to whatever queues SMS.

calendar_sync does not import textback; the composition root passes textback's functions in:

    TextingNotifier(team=textback_service.notify_team, caller=textback_service.text_caller,
                    conversion=textback.note_conversion)

All three run inside the transaction that records the booking (the transactional outbox), so a
text is queued exactly when the booking is committed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from calendar_sync.messages import (
    caller_cancelled_text,
    caller_confirmation_text,
    caller_moved_text,
    caller_request_text,
    team_booking_text,
    team_cancelled_text,
    team_moved_text,
    team_request_text,
)
from calendar_sync.results import BookingInfo
from receptionist.core import Business, Clock, SystemClock

__all__ = ["TextingNotifier"]


class TeamTexter(Protocol):
    async def __call__(self, session: AsyncSession, business: Business, *, kind: str,
                       body: str, contact_phone: str | None = None,
                       dedupe_key: str | None = None) -> Any: ...


class CallerTexter(Protocol):
    async def __call__(self, session: AsyncSession, business: Business, *, to: str, body: str,
                       kind: str, dedupe_key: str | None = None,
                       call_sid: str | None = None) -> Any: ...


class ConversionRecorder(Protocol):
    async def __call__(self, session: AsyncSession, business_id: int, phone: str, kind: str,
                       at: datetime) -> Any: ...


class TextingNotifier:
    """Team texts go to members who receive "bookings"; the caller gets a confirmation."""

    def __init__(self, *, team: TeamTexter, caller: CallerTexter,
                 conversion: ConversionRecorder | None = None, text_caller: bool = True,
                 clock: Clock | None = None) -> None:
        self.clock = clock or SystemClock()
        self.team = team
        self.caller = caller
        self.conversion = conversion
        self.text_caller = text_caller

    async def booked(self, session: AsyncSession, business: Business,
                     booking: BookingInfo) -> None:
        key = f"booking:{booking.uid or booking.id}"
        await self.team(session, business, kind="bookings", contact_phone=booking.caller_phone,
                        body=team_booking_text(booking.service, booking.start,
                                               booking.caller_name, booking.caller_phone,
                                               booking.source),
                        dedupe_key=f"{key}:team")
        if self.text_caller:
            await self.caller(session, business, to=booking.caller_phone, kind="booking",
                              body=caller_confirmation_text(business.name, booking.service,
                                                            booking.start,
                                                            business.primary_number),
                              dedupe_key=f"{key}:caller", call_sid=booking.call_sid)
        if self.conversion is not None:
            await self.conversion(session, business.id, booking.caller_phone, "booking",
                                  self.clock.now())

    async def cancelled(self, session: AsyncSession, business: Business,
                        booking: BookingInfo) -> None:
        key = f"cancel:{booking.uid or booking.id}"
        await self.team(session, business, kind="bookings", contact_phone=booking.caller_phone,
                        body=team_cancelled_text(booking.service, booking.start,
                                                 booking.caller_name, booking.caller_phone),
                        dedupe_key=f"{key}:team")
        if self.text_caller:
            await self.caller(session, business, to=booking.caller_phone, kind="booking",
                              body=caller_cancelled_text(business.name, booking.service,
                                                         booking.start),
                              dedupe_key=f"{key}:caller")

    async def moved(self, session: AsyncSession, business: Business, booking: BookingInfo,
                    previous_start: datetime) -> None:
        key = f"move:{booking.uid or booking.id}:{booking.start.isoformat()}"
        await self.team(session, business, kind="bookings", contact_phone=booking.caller_phone,
                        body=team_moved_text(booking.service, previous_start, booking.start,
                                             booking.caller_name, booking.caller_phone),
                        dedupe_key=f"{key}:team")
        if self.text_caller:
            await self.caller(session, business, to=booking.caller_phone, kind="booking",
                              body=caller_moved_text(business.name, booking.service,
                                                     booking.start),
                              dedupe_key=f"{key}:caller")

    async def request_recorded(self, session: AsyncSession, business: Business,
                               request: BookingInfo, what: str, *,
                               maybe_written: bool = False) -> None:
        await self.team(session, business, kind="bookings", contact_phone=request.caller_phone,
                        body=team_request_text(request.service, request.start,
                                               request.caller_name, request.caller_phone, what,
                                               maybe_written=maybe_written))
        if self.text_caller and what == "booking":
            await self.caller(session, business, to=request.caller_phone, kind="booking",
                              body=caller_request_text(business.name, request.service,
                                                       request.start),
                              call_sid=request.call_sid)
