"""Cancel and reschedule a caller's booking, found by their phone number.

The event is changed with ``If-Match`` on the ETag we stored; when the owner edited it in their
calendar meanwhile (412), it is read again and the change applied to their version. A move is
checked against the server first (ignoring the event itself) and after the write, like a new
booking (see ``booking.py``); a move that loses a race is put back.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date, datetime
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from calendar_sync.availability import ServiceRule, check_slot, shift
from calendar_sync.booking import Booker, as_local, overlaps, taken_message
from calendar_sync.context import (
    BusinessContext,
    CalendarTarget,
    booking_info,
    find_service,
    load_targets,
    rule_of,
)
from calendar_sync.errors import CalendarError, CalendarMissing, ServiceNotFound, WriteConflict
from calendar_sync.ical import moved_ical
from calendar_sync.messages import spoken_slots
from calendar_sync.models import Booking
from calendar_sync.results import BookingInfo, BookingResult, BookingStatus, CancelResult
from receptionist.core import log_event, normalize, spoken_when

__all__ = ["Changes"]

log = logging.getLogger("calendar_sync.changes")


class Changes:
    def __init__(self, booker: Booker) -> None:
        self.booker = booker
        self.db = booker.db
        self.gateway = booker.gateway
        self.clock = booker.clock
        self.load = booker.load
        self.box = booker.box

    async def upcoming(self, business: int | str, caller_phone: str | None = None,
                       *, include_past: bool = False) -> list[BookingInfo]:
        async with self.db.transaction() as session:
            _, ctx = await self.load(session, business)
            rows = await self._find(session, ctx, caller_phone and normalize(caller_phone),
                                    include_past=include_past)
            names = {t.id: t.name for t in ctx.targets}
            return [booking_info(r, ctx.tz, names.get(r.calendar_id or -1)) for r in rows]

    async def _find(self, session: AsyncSession, ctx: BusinessContext, phone: str | None, *,
                    uid: str | None = None, on: datetime | date | None = None,
                    include_past: bool = False) -> list[Booking]:
        stmt = select(Booking).where(Booking.business_id == ctx.business_id,
                                     Booking.status == BookingStatus.BOOKED)
        if phone:
            stmt = stmt.where(Booking.caller_phone == phone)
        if uid:
            stmt = stmt.where(Booking.uid == uid)
        elif not include_past:
            stmt = stmt.where(Booking.end_at > self.clock.now())
        rows = list((await session.execute(stmt.order_by(Booking.start_at))).scalars())
        if isinstance(on, datetime):
            rows = [r for r in rows if r.start_at == on]
        elif isinstance(on, date):
            rows = [r for r in rows if r.start_at.astimezone(ctx.tz).date() == on]
        return rows

    async def _one(self, business: int | str, caller_phone: str, uid: str | None,
                   on: datetime | date | str | None
                   ) -> tuple[BusinessContext, Booking | None, list[BookingInfo]]:
        phone = normalize(caller_phone)
        async with self.db.transaction() as session:
            _, ctx = await self.load(session, business)
            rows = await self._find(session, ctx, phone, uid=uid, on=_day_or_time(on, ctx.tz))
            names = {t.id: t.name for t in ctx.targets}
            infos = [booking_info(r, ctx.tz, names.get(r.calendar_id or -1)) for r in rows]
        return ctx, rows[0] if len(rows) == 1 else None, infos

    async def _target_of(self, ctx: BusinessContext, row: Booking) -> CalendarTarget:
        """The calendar a booking was written to, even if it is no longer selected."""
        for target in ctx.targets:
            if target.id == row.calendar_id:
                return target
        async with self.db.transaction() as session:
            everything = await load_targets(
                session, ctx.business_id, box=self.box, embedded=self.gateway.embedded,
                embedded_enabled=True, selected_only=False)
        for target in everything:
            if target.id == row.calendar_id:
                return target
        raise CalendarMissing("the calendar of this booking is no longer connected")

    async def cancel(self, business: int | str, caller_phone: str, *, uid: str | None = None,
                     on: datetime | date | str | None = None) -> CancelResult:
        ctx, row, infos = await self._one(business, caller_phone, uid, on)
        if row is None:
            return _not_one(infos)
        info = infos[0]
        try:
            target = await self._target_of(ctx, row)
            url = await self.gateway.url(target)
            backend = await self.gateway.backend(target)
            href = urljoin(url, row.href or "")
            async with self.gateway.lock(url):
                try:
                    await backend.delete(href, row.etag)
                except WriteConflict:  # changed in the calendar since we wrote it: still ours
                    current = await backend.fetch(href)
                    if current is not None:
                        await backend.delete(href, current.etag)
            self.gateway.invalidate(url)
        except CalendarError as exc:
            async with self.db.transaction() as session:
                business_row, _ = await self.load(session, ctx.business_id)
                await self.booker.notifier.request_recorded(session, business_row, info,
                                                     "cancellation")
            return CancelResult("requested", info, message=exc.caller_message)
        async with self.db.transaction() as session:
            business_row, _ = await self.load(session, ctx.business_id)
            saved = await self.booker.update_row(session, row.id, status=BookingStatus.CANCELLED)
            info = booking_info(saved, ctx.tz, info.calendar)
            await self.booker.notifier.cancelled(session, business_row, info)
        log_event(log, "calendar.cancelled", business_id=ctx.business_id, uid=row.uid)
        when = spoken_when(info.start, now=self.clock.now())
        return CancelResult("cancelled", info,
                            message=f"Your {info.service} {when} is cancelled.")

    async def reschedule(self, business: int | str, caller_phone: str,
                         new_start: datetime | str, *, uid: str | None = None,
                         on: datetime | date | str | None = None) -> BookingResult:
        ctx, row, infos = await self._one(business, caller_phone, uid, on)
        if row is None:
            found = _not_one(infos)
            start = as_local(new_start, ctx.tz)
            return BookingResult(found.status, "", start, start, "", normalize(caller_phone),
                                 candidates=found.candidates, message=found.message)
        old = infos[0]
        async with self.db.transaction() as session:
            try:
                rule = rule_of(await find_service(session, ctx.business_id, row.service))
            except ServiceNotFound:  # the service was removed since: keep its length
                rule = ServiceRule(row.service, row.end_at - row.start_at)
        start_at = as_local(new_start, ctx.tz)
        end_at = shift(start_at, rule.duration)
        base = BookingResult("pending", rule.name, start_at, end_at, row.caller_name,
                             row.caller_phone)
        own = frozenset({row.uid}) if row.uid else frozenset()
        rules = check_slot(ctx.schedule, rule, ctx.policy, {}, start=start_at,
                           now=self.clock.now())
        try:
            target = await self._target_of(ctx, row)
            if not rules.ok:
                alternatives = await self.booker.alternatives(ctx, rule, [target], start_at, own)
                return replace(base, status="taken", booking_id=row.id, reason=str(rules.reason),
                               alternatives=alternatives,
                               message=taken_message(start_at, alternatives,
                                                     self.clock.now(), str(rules.reason)))
            moved = await self._move(ctx, rule, target, row, start_at, end_at)
        except CalendarError as exc:
            async with self.db.transaction() as session:
                business_row, _ = await self.load(session, ctx.business_id)
                await self.booker.notifier.request_recorded(session, business_row, old, "change")
            return replace(base, status="requested", booking_id=row.id,
                           reason="calendar_unavailable", message=exc.caller_message)
        if moved is None:
            alternatives = await self.booker.alternatives(ctx, rule, [target], start_at, own)
            return replace(base, status="taken", booking_id=row.id, reason="busy",
                           alternatives=alternatives,
                           message=taken_message(start_at, alternatives, self.clock.now(),
                                                 "busy"))
        if moved == "gone":
            async with self.db.transaction() as session:
                await self.booker.update_row(session, row.id, status=BookingStatus.CANCELLED,
                                             error="deleted from the calendar")
            return replace(base, status="not_found", booking_id=row.id,
                           message="I can't find that appointment in the calendar "
                           "any more.")
        async with self.db.transaction() as session:
            business_row, _ = await self.load(session, ctx.business_id)
            saved = await self.booker.update_row(session, row.id, start_at=start_at, end_at=end_at,
                                                 etag=moved)
            info = booking_info(saved, ctx.tz, target.name)
            await self.booker.notifier.moved(session, business_row, info, old.start)
        log_event(log, "calendar.rescheduled", business_id=ctx.business_id, uid=row.uid)
        return replace(base, status="booked", uid=row.uid, booking_id=row.id,
                       calendar=target.name,
                       message=f"Done, your {rule.name} is now "
                               f"{spoken_when(start_at, now=self.clock.now())}.")

    async def _move(self, ctx: BusinessContext, rule: ServiceRule, target: CalendarTarget,
                    row: Booking, start: datetime, end: datetime) -> str | None:
        """Move the event; returns its new ETag (or "" when unknown), None when the new time is
        not free, "gone" when the event was deleted from the calendar."""
        url = await self.gateway.url(target)
        backend = await self.gateway.backend(target)
        href = urljoin(url, row.href or "")
        uid = row.uid or ""
        ws, we = shift(start, -rule.buffer_before), shift(end, rule.buffer_after)
        async with self.gateway.lock(url):
            busy = await self.gateway.busy(target, ws, we, ctx.tz, fresh=True)
            if overlaps(busy, ws, we, ignore=frozenset({uid})):
                return None
            current = await backend.fetch(href)
            if current is None:
                return "gone"
            try:
                stored = await backend.replace(
                    href, moved_ical(current.ical, uid, start, end, now=self.clock.now()),
                    current.etag)
            except WriteConflict:  # edited in the calendar just now: apply the move to that
                current = await backend.fetch(href)
                if current is None:
                    return "gone"
                stored = await backend.replace(
                    href, moved_ical(current.ical, uid, start, end, now=self.clock.now()),
                    current.etag)
            self.gateway.invalidate(url)
            if await self.booker.lost_race(target, ctx.tz, uid, ws, we):
                await backend.replace(href, current.ical, stored.etag)  # put it back
                self.gateway.invalidate(url)
                return None
            return stored.etag or ""


def _day_or_time(on: datetime | date | str | None, tz: ZoneInfo) -> datetime | date | None:
    if isinstance(on, str):
        text = on.strip()
        return date.fromisoformat(text) if len(text) == 10 else as_local(text, tz)
    if isinstance(on, datetime):
        return as_local(on, tz)
    return on


def _not_one(infos: list[BookingInfo]) -> CancelResult:
    if not infos:
        return CancelResult("not_found", message="I don't see an upcoming appointment for "
                            "this phone number.")
    times = spoken_slots([i.start for i in infos])
    return CancelResult("ambiguous", candidates=tuple(infos),
                        message=f"I see {len(infos)} appointments: {times}. Which one?")
