"""Booking a slot, with the checks that keep it from being sold twice (cancel and reschedule
are in ``changes.py`` and reuse the helpers here).

Booking one slot:

1. record the booking as ``pending`` (so a crash mid-way leaves a trace for the team);
2. per eligible calendar, under that calendar's lock: re-read busy time from the server, and if
   the slot (with buffers) is free, ``PUT`` a new VEVENT with ``If-None-Match: *``;
3. re-read the slot (``verify_after_write``). If another event now overlaps, two writers raced
   (another app instance, or a person typing into the calendar). Both sides apply one rule:
   a foreign event always wins, and between two of our bookings the smaller UID wins; the loser
   deletes its own event (``If-Match``) and reports the slot taken with alternatives;
4. record ``booked`` / ``taken``, and tell the notifier in the same transaction.

A calendar that is down, slow, refusing the password or deleted ends as ``requested``: the
team is told to confirm by text, the caller hears ``errors.CALLER_UNAVAILABLE_MESSAGE``.

The data of a booking on the server is a VEVENT (``ical.py``); a same-process lock per calendar
makes step 3 a formality there, and step 3 is what makes several app instances safe.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from calendar_sync.availability import (
    Busy,
    ServiceRule,
    Slot,
    check_slot,
    free_slots,
    nearest_alternatives,
    shift,
)
from calendar_sync.context import (
    BusinessContext,
    CalendarTarget,
    booking_info,
    eligible,
    find_service,
    rule_of,
)
from calendar_sync.errors import (
    CalendarError,
    WriteConflict,
    WriteOutcomeUnknown,
)
from calendar_sync.gateway import CalendarGateway
from calendar_sync.ical import BookingEvent, booking_ical, new_uid
from calendar_sync.messages import spoken_slots
from calendar_sync.models import Booking
from calendar_sync.ports import BookingNotifier, StoredEvent
from calendar_sync.results import (
    BookingResult,
    BookingStatus,
)
from receptionist.core import (
    Business,
    Clock,
    Database,
    SecretBox,
    log_event,
    mask,
    normalize,
    spoken_moment,
    spoken_when,
)

__all__ = ["Booker", "as_local", "overlaps", "taken_message"]

log = logging.getLogger("calendar_sync.booking")
Loader = Callable[[AsyncSession, int | str], Awaitable[tuple[Business, BusinessContext]]]
ALTERNATIVES_DAYS = 7


def as_local(value: datetime | str, tz: ZoneInfo) -> datetime:
    """An ISO 8601 string or datetime as an aware datetime in ``tz`` (naive = local time)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError as exc:
            raise ValueError(f"{value!r} is not an ISO 8601 time such as "
                             "2026-01-14T15:30-05:00") from exc
    return value.replace(tzinfo=tz) if value.tzinfo is None else value.astimezone(tz)


@dataclass(frozen=True, slots=True)
class _Written:
    target: CalendarTarget
    uid: str
    stored: StoredEvent


class Booker:
    def __init__(self, db: Database, gateway: CalendarGateway, clock: Clock,
                 notifier: BookingNotifier, load: Loader, box: SecretBox, *,
                 verify_after_write: bool = True) -> None:
        self.db = db
        self.box = box
        self.gateway = gateway
        self.clock = clock
        self.notifier = notifier
        self.load = load
        self.verify_after_write = verify_after_write

    # -- book -------------------------------------------------------------------------------

    async def book(self, business: int | str, service: str, start: datetime | str,
                   caller_name: str, caller_phone: str, *, notes: str = "",
                   call_sid: str | None = None, source: str = "phone") -> BookingResult:
        phone = normalize(caller_phone)
        name = " ".join(caller_name.split()) or "Caller"
        async with self.db.transaction() as session:
            _, ctx = await self.load(session, business)
            rule = rule_of(await find_service(session, ctx.business_id, service))
            targets = eligible(ctx.targets, rule)
            start_at = as_local(start, ctx.tz)
            end_at = shift(start_at, rule.duration)
            done = await self._already_booked(session, ctx, rule, phone, start_at)
            if done is not None:
                return done
            rules = check_slot(ctx.schedule, rule, ctx.policy, {}, start=start_at,
                               now=self.clock.now())
            row = None
            if rules.ok:
                row = Booking(business_id=ctx.business_id, service=rule.name, start_at=start_at,
                              end_at=end_at, caller_name=name, caller_phone=phone, notes=notes,
                              call_sid=call_sid, source=source, status=BookingStatus.PENDING,
                              created_at=self.clock.now(), updated_at=self.clock.now())
                session.add(row)
                await session.flush()
        base = BookingResult("pending", rule.name, start_at, end_at, name, phone)
        if row is None:
            alternatives = await self.alternatives(ctx, rule, targets, start_at)
            return replace(base, status="taken", reason=str(rules.reason),
                           alternatives=alternatives,
                           message=taken_message(start_at, alternatives, self.clock.now(),
                                                 str(rules.reason)))
        event = BookingEvent("", start_at, end_at, rule.name, name, phone, ctx.business_id,
                             notes, source, call_sid)
        try:
            written = await self._write(ctx, rule, targets, event)
        except CalendarError as exc:
            return await self._record_request(ctx, row.id, base, exc, "booking")
        if written is None:
            alternatives = await self.alternatives(ctx, rule, targets, start_at)
            async with self.db.transaction() as session:
                await self.update_row(session, row.id, status=BookingStatus.TAKEN,
                                      error="slot taken")
            return replace(base, status="taken", booking_id=row.id, reason="busy",
                           alternatives=alternatives,
                           message=taken_message(start_at, alternatives, self.clock.now(),
                                                 "busy"))
        async with self.db.transaction() as session:
            business_row, _ = await self.load(session, ctx.business_id)
            saved = await self.update_row(session, row.id, status=BookingStatus.BOOKED,
                                          uid=written.uid, calendar_id=written.target.id,
                                          href=_stored_href(written.target, written.stored.href),
                                          etag=written.stored.etag)
            info = booking_info(saved, ctx.tz, written.target.name)
            await self.notifier.booked(session, business_row, info)
        log_event(log, "calendar.booked", business_id=ctx.business_id, uid=written.uid,
                  calendar=written.target.name, caller=mask(phone), call_sid=call_sid)
        return replace(base, status="booked", uid=written.uid, booking_id=row.id,
                       calendar=written.target.name,
                       message=f"You're booked for {rule.name} "
                               f"{spoken_when(start_at, now=self.clock.now())}.")

    async def _already_booked(self, session: AsyncSession, ctx: BusinessContext,
                              rule: ServiceRule, phone: str, start: datetime
                              ) -> BookingResult | None:
        """A retried request (same caller, service and start) gets the booking it already has."""
        row = (await session.execute(select(Booking).where(
            Booking.business_id == ctx.business_id, Booking.caller_phone == phone,
            Booking.start_at == start, Booking.service == rule.name,
            Booking.status == BookingStatus.BOOKED))).scalars().first()
        if row is None:
            return None
        return BookingResult("booked", rule.name, start, row.end_at.astimezone(ctx.tz),
                             row.caller_name, phone, uid=row.uid, booking_id=row.id,
                             message=f"You're booked for {rule.name} "
                                     f"{spoken_when(start, now=self.clock.now())}.")

    async def _write(self, ctx: BusinessContext, rule: ServiceRule,
                     targets: Sequence[CalendarTarget], event: BookingEvent) -> _Written | None:
        window_start = shift(event.start, -rule.buffer_before)
        window_end = shift(event.end, rule.buffer_after)
        errors: list[CalendarError] = []
        for target in targets:
            try:
                url = await self.gateway.url(target)
                backend = await self.gateway.backend(target)
                async with self.gateway.lock(url):
                    busy = await self.gateway.busy(target, window_start, window_end, ctx.tz,
                                                  fresh=True)
                    if overlaps(busy, window_start, window_end):
                        continue
                    uid, resource = new_uid()
                    mine = BookingEvent(uid, event.start, event.end, event.service,
                                        event.caller_name, event.caller_phone, event.business_id,
                                        event.notes, event.source, event.call_sid)
                    stored = await backend.create(url, resource,
                                                  booking_ical(mine, now=self.clock.now()))
                    self.gateway.invalidate(url)
                    if await self.lost_race(target, ctx.tz, uid, window_start, window_end):
                        try:
                            await backend.delete(stored.href, stored.etag)
                        except CalendarError as exc:
                            log_event(log, "calendar.double_booking", logging.ERROR,
                                      business_id=ctx.business_id, uid=uid, error=str(exc))
                            return _Written(target, uid, stored)
                        self.gateway.invalidate(url)
                        continue
                    return _Written(target, uid, stored)
            except WriteConflict:
                continue  # our fresh name or UID exists: someone else's write; try elsewhere
            except WriteOutcomeUnknown as exc:
                # This calendar may hold the booking now: writing it to another one too could
                # book the caller twice. The request records where it may be.
                raise WriteOutcomeUnknown(str(exc), href=_stored_href(target, exc.href),
                                          uid=mine.uid, calendar_id=target.id) from exc
            except CalendarError as exc:
                log_event(log, "calendar.write_failed", logging.WARNING,
                          business_id=ctx.business_id, calendar=target.name, error=str(exc),
                          transient=exc.transient)
                errors.append(exc)
        if errors:
            raise errors[0]
        return None

    async def lost_race(self, target: CalendarTarget, tz: ZoneInfo, uid: str,
                         start: datetime, end: datetime) -> bool:
        if not self.verify_after_write:
            return False
        try:
            busy = await self.gateway.busy(target, start, end, tz, fresh=True)
        except CalendarError as exc:  # written, but cannot look again: keep the booking
            log_event(log, "calendar.verify_skipped", logging.WARNING, uid=uid, error=str(exc))
            return False
        rivals = [b for b in busy if b.uid != uid and b.start < end and b.end > start]
        return any(not b.booking or (b.uid or "") < uid for b in rivals)

    async def alternatives(self, ctx: BusinessContext, rule: ServiceRule,
                            targets: Sequence[CalendarTarget], preferred: datetime,
                            ignore_uids: frozenset[str] = frozenset()) -> tuple[Slot, ...]:
        day = datetime.combine(preferred.astimezone(ctx.tz).date(), time(0), ctx.tz)
        start, end = day, day + timedelta(days=ALTERNATIVES_DAYS)
        busy: dict[str, list[Busy]] = {}
        for target in targets:
            try:
                got = await self.gateway.busy(target, shift(start, -rule.buffer_before),
                                              shift(end, rule.duration + rule.buffer_after),
                                              ctx.tz,
                                              fresh=True)
            except CalendarError:
                continue
            busy[target.name] = [b for b in got if b.uid not in ignore_uids]
        if not busy:
            return ()
        slots = free_slots(ctx.schedule, rule, ctx.policy, busy, start=start, end=end,
                           now=self.clock.now())
        return tuple(nearest_alternatives(slots, preferred))

    async def _record_request(self, ctx: BusinessContext, booking_id: int,
                              base: BookingResult, exc: CalendarError, what: str
                              ) -> BookingResult:
        # A write that was never answered may be on the calendar: keep where, and tell the
        # team to look before confirming (not "nothing was written").
        maybe_written = isinstance(exc, WriteOutcomeUnknown)
        where = {"href": exc.href, "uid": exc.uid, "calendar_id": exc.calendar_id} \
            if isinstance(exc, WriteOutcomeUnknown) else {}
        async with self.db.transaction() as session:
            business_row, _ = await self.load(session, ctx.business_id)
            row = await self.update_row(session, booking_id, status=BookingStatus.REQUESTED,
                                        error=f"{type(exc).__name__}: {exc}", **where)
            await self.notifier.request_recorded(session, business_row,
                                                 booking_info(row, ctx.tz), what,
                                                 maybe_written=maybe_written)
        log_event(log, "calendar.request_recorded", logging.WARNING,
                  business_id=ctx.business_id, what=what, error=str(exc),
                  transient=exc.transient)
        return replace(base, status="requested", booking_id=booking_id,
                       reason="calendar_unavailable", message=exc.caller_message)

    async def update_row(self, session: AsyncSession, booking_id: int, **values: object) -> Booking:
        row = await session.get(Booking, booking_id)
        assert row is not None
        for key, value in values.items():
            setattr(row, key, value)
        row.updated_at = self.clock.now()
        await session.flush()
        return row

    # -- cancel and reschedule ---------------------------------------------------------------


def overlaps(busy: Sequence[Busy], start: datetime, end: datetime,
              ignore: frozenset[str] = frozenset()) -> bool:
    return any(b.start < end and b.end > start and (b.uid is None or b.uid not in ignore)
               for b in busy)


def _stored_href(target: CalendarTarget, href: str) -> str:
    # The embedded server's port may differ per process: keep only the path for it.
    return urlsplit(href).path if target.kind == "embedded" else href


def taken_message(start: datetime, alternatives: Sequence[Slot], now: datetime,
                   reason: str) -> str:
    what = {"busy": "is booked", "closed": "is outside our hours",
            "too_soon": "is too soon to book", "too_far": "is too far ahead to book"}
    first = f"{spoken_moment(start, now=now)} {what.get(reason, 'is not available')}"
    if not alternatives:
        return first[0].upper() + first[1:] + ", and I don't see anything close to it."
    return (first[0].upper() + first[1:] + "; I have "
            + spoken_slots([s.start for s in alternatives], now=now) + ".")

