"""``Scheduler`` over the calendar subsystem's ``CalendarService`` (CalDAV or embedded Radicale).

Slot ids are the local start (``2026-03-10T15:00``); the calendar re-checks the slot when it is
booked, so an id a model made up can only ever book a time that is really free. The caller's
own bookings are found by their phone number, never by anything the model says. When the
calendar service was built with a notifier (``TextingNotifier``), it queues the team's and
caller's texts itself and the outcome says so (``notified``).
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from calendar_sync import (
    BookingInfo,
    BookingResult,
    CalendarError,
    CalendarService,
    CancelResult,
    NullNotifier,
    ServiceNotFound,
    SetupError,
    SlotSearch,
    WhenNotUnderstood,
    nearest_alternatives,
    spoken_slots,
)
from calendar_sync import Slot as CalendarSlot
from receptionist.agent.ports import (
    BookingOutcome,
    SchedulerError,
    Slot,
    SlotOffer,
    UpcomingBooking,
)
from receptionist.core import spoken_moment

__all__ = ["CalendarScheduler"]

_ANY_TIME = {"", "soonest", "any", "anytime", "any time"}


class CalendarScheduler:
    def __init__(self, calendar: CalendarService, *, offer: int = 3,
                 offer_gap: timedelta = timedelta(minutes=60)) -> None:
        self.calendar = calendar
        self.offer = offer
        self.offer_gap = offer_gap

    @property
    def notifies(self) -> bool:
        """Whether the calendar texts the team and caller itself."""
        return not isinstance(self.calendar.notifier, NullNotifier)

    def _label(self, start: datetime) -> str:
        return spoken_moment(start, now=self.calendar.clock.now())

    def _slot(self, s: CalendarSlot, service: str, tz: tzinfo | None) -> Slot:
        local = s.start.astimezone(tz)
        return Slot(slot_id=local.strftime("%Y-%m-%dT%H:%M"), start=local,
                    end=s.end.astimezone(tz), service=service, label=self._label(local))

    async def services(self, business_id: int) -> list[str]:
        try:
            return [s.name for s in await self.calendar.list_services(business_id)]
        except CalendarError as exc:
            raise SchedulerError(exc.caller_message, transient=True) from exc

    async def find_slots(self, business_id: int, service: str, when: str, *,
                         limit: int = 3) -> SlotOffer:
        text = when.strip().lower()
        try:
            ctx = await self.calendar.context(business_id)
            search = await self.calendar.find_slots(
                business_id, service, None if text in _ANY_TIME else when)
        except WhenNotUnderstood as exc:
            raise SchedulerError("Sorry, which day and time would you like?") from exc
        except ServiceNotFound as exc:
            raise SchedulerError(f"Sorry, we don't book {service} by phone.") from exc
        except CalendarError as exc:  # down, slow, refused: the team takes it from here
            raise SchedulerError(exc.caller_message, transient=True) from exc
        return self._offer(search, ctx.tz, min(limit, self.offer))

    def _offer(self, search: SlotSearch, tz: ZoneInfo, count: int) -> SlotOffer:
        now = self.calendar.clock.now()
        preferred = search.range.preferred
        chosen: list[CalendarSlot]
        if search.preferred_free and preferred is not None:
            exact = [s for s in search.slots if s.start == preferred][:1]
            chosen = exact + nearest_alternatives(search.slots, preferred, count=count - 1,
                                                  min_gap=self.offer_gap)
        elif search.preferred_free is False or not search.slots:
            chosen = list(search.alternatives[:count])
        else:
            first = search.slots[0].start
            chosen = nearest_alternatives(search.slots, first - timedelta(seconds=1),
                                          count=count, min_gap=self.offer_gap)
        slots = tuple(self._slot(s, search.service, tz) for s in chosen)
        starts = [s.start for s in slots]
        if search.preferred_free and preferred is not None:
            message = f"{_cap(self._label(preferred))} is available."
        elif search.preferred_free is False and preferred is not None:
            message = f"{_cap(self._label(preferred))} is not available"
            message += f"; I have {spoken_slots(starts, now=now)}." if slots else "."
        elif search.slots:
            message = f"I have {spoken_slots(starts, now=now)}."
        elif slots:
            message = ("Nothing is free then; the next openings are "
                       f"{spoken_slots(starts, now=now)}.")
        else:
            message = "I don't see any openings then."
        return SlotOffer(slots=slots, requested_free=search.preferred_free, message=message)

    async def book(self, business_id: int, service: str, slot_id: str, *, name: str,
                   phone: str | None, call_sid: str | None = None) -> BookingOutcome:
        if not phone:
            raise SchedulerError("I need a phone number to book, to send your confirmation.")
        try:
            start = datetime.fromisoformat(slot_id)
        except ValueError as exc:
            raise SchedulerError("Sorry, which of those times would you like?") from exc
        try:
            result = await self.calendar.book(business_id, service, slot_id, caller_name=name,
                                              caller_phone=phone, call_sid=call_sid)
        except ServiceNotFound as exc:
            raise SchedulerError(f"Sorry, we don't book {service} by phone.") from exc
        except SetupError as exc:
            raise SchedulerError(exc.caller_message, transient=True) from exc
        except CalendarError as exc:
            raise SchedulerError(exc.caller_message, transient=True) from exc
        return self._outcome(result, business_id, fallback_start=start)

    def _outcome(self, result: BookingResult, business_id: int, *,
                 fallback_start: datetime | None = None,
                 previous: BookingInfo | None = None) -> BookingOutcome:
        alternatives = tuple(self._slot(s, result.service, result.start.tzinfo)
                             for s in result.alternatives)
        start = result.start or fallback_start
        return BookingOutcome(
            status=str(result.status), service=result.service,
            label=self._label(start) if start else "",
            booking_id=result.uid or (str(result.booking_id) if result.booking_id else None),
            previous_label=self._label(previous.start) if previous else None,
            alternatives=alternatives, message=result.message,
            notified=self.notifies and str(result.status) in ("booked", "requested"),
        )

    async def upcoming(self, business_id: int, *, phone: str) -> list[UpcomingBooking]:
        try:
            infos = await self.calendar.bookings(business_id, phone)
        except CalendarError as exc:
            raise SchedulerError(exc.caller_message, transient=True) from exc
        return [UpcomingBooking(booking_id=i.uid or str(i.id), service=i.service,
                                label=self._label(i.start), start=i.start) for i in infos]

    async def _pick(self, business_id: int, phone: str, booking_id: str | None
                    ) -> tuple[BookingInfo | None, BookingOutcome | None]:
        """The caller's booking to act on, or the outcome to report instead."""
        try:
            infos = await self.calendar.bookings(business_id, phone)
        except CalendarError as exc:
            raise SchedulerError(exc.caller_message, transient=True) from exc
        if booking_id:
            infos = [i for i in infos if booking_id in (i.uid, str(i.id))]
        if not infos:
            return None, BookingOutcome(
                status="not_found", message="I don't see an upcoming appointment for this "
                "phone number.")
        if len(infos) > 1:
            labels = tuple(self._label(i.start) for i in infos)
            return None, BookingOutcome(
                status="ambiguous", candidates=tuple(i.uid or str(i.id) for i in infos),
                message=f"I see {len(infos)} appointments: {', '.join(labels)}. Which one?")
        return infos[0], None

    async def cancel(self, business_id: int, *, phone: str,
                     booking_id: str | None = None) -> BookingOutcome:
        info, outcome = await self._pick(business_id, phone, booking_id)
        if info is None:
            assert outcome is not None
            return outcome
        try:
            result: CancelResult = await self.calendar.cancel(business_id, phone, uid=info.uid)
        except CalendarError as exc:
            raise SchedulerError(exc.caller_message, transient=True) from exc
        return BookingOutcome(
            status=result.status, service=info.service, label=self._label(info.start),
            booking_id=info.uid or str(info.id), message=result.message,
            notified=self.notifies and result.status in ("cancelled", "requested"))

    async def reschedule(self, business_id: int, *, phone: str, slot_id: str,
                         booking_id: str | None = None) -> BookingOutcome:
        info, outcome = await self._pick(business_id, phone, booking_id)
        if info is None:
            assert outcome is not None
            return outcome
        try:
            start = datetime.fromisoformat(slot_id)
        except ValueError as exc:
            raise SchedulerError("Sorry, which time would you like instead?") from exc
        try:
            result = await self.calendar.reschedule(business_id, phone, slot_id, uid=info.uid)
        except CalendarError as exc:
            raise SchedulerError(exc.caller_message, transient=True) from exc
        return self._outcome(result, business_id, fallback_start=start, previous=info)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]
