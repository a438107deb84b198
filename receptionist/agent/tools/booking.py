"""Booking tools: find_slots, book, cancel_or_reschedule.

The service must be one the business offers (matched forgivingly), the slot must be one the
calendar hands out (it re-checks on booking), and the booking is for the number the call comes
from — a model cannot book, cancel or move anyone else's appointment. When the calendar cannot
be reached, the request is recorded for the team and the caller is told they'll get a text.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from receptionist.agent.facts import FactsSource
from receptionist.agent.local import match_service, normalize
from receptionist.agent.ports import (
    BookingChange,
    BookingOutcome,
    CallContext,
    Messenger,
    Scheduler,
    SchedulerError,
    Slot,
    TeamNote,
    ToolResult,
)
from receptionist.agent.tools.result import clean_name, clean_text, fail, ok
from receptionist.core import log_event, spoken_list

__all__ = ["BookingDesk"]

log = logging.getLogger("receptionist.agent.tools.toolbox")

_SLOT_ID = re.compile(r"^[A-Za-z0-9:+_.\-]{4,40}\Z")
_CALENDAR_DOWN = ("I can't reach the calendar right now. I've passed your request to the team "
                  "and they'll text you to confirm a time.")
_CALENDAR_DOWN_NO_NUMBER = ("I can't reach the calendar right now. Please call back a little "
                            "later, or I can take a message for the team.")


def slot_json(slot: Slot) -> dict[str, Any]:
    return {"slot": slot.slot_id, "label": slot.label, "service": slot.service,
            "start": slot.start.isoformat()}


class BookingDesk:
    def __init__(self, *, scheduler: Scheduler | None, messenger: Messenger | None,
                 facts: FactsSource) -> None:
        self.scheduler = scheduler
        self.messenger = messenger
        self.facts = facts

    # --- helpers ------------------------------------------------------------------------------

    async def bookable(self, ctx: CallContext) -> list[str]:
        """Services the calendar books ([] without a calendar or when it cannot say)."""
        if self.scheduler is None:
            return []
        try:
            return list(await self.scheduler.services(ctx.business_id))
        except SchedulerError:
            return []

    async def _services(self, ctx: CallContext) -> list[str]:
        names: list[str] = []
        if self.scheduler is not None:
            try:
                names = list(await self.scheduler.services(ctx.business_id))
            except SchedulerError:
                names = []
        if not names:
            names = (await self.facts.facts(ctx.business_id)).service_names
        return names

    async def _resolve_service(self, ctx: CallContext, said: str) -> tuple[str | None, list[str]]:
        names = await self._services(ctx)
        said = clean_text(said, 100)
        if not names:
            return (said or "appointment"), names
        if not said and len(names) == 1:
            return names[0], names
        for name in names:
            if name.lower() == said.lower():
                return name, names
        return match_service(normalize(said), names, threshold=0.75), names

    async def _record_request(self, ctx: CallContext, reason: str, name: str | None) -> bool:
        if self.messenger is None:
            return False
        try:
            await self.messenger.take_message(
                ctx, TeamNote(kind="callback_request", reason=reason, name=name))
        except Exception as exc:  # recording is best effort; the caller still hears an apology
            log_event(log, "agent.tool.request_not_recorded", logging.ERROR,
                      call_sid=ctx.call_sid, error=repr(exc))
            return False
        return True

    async def _calendar_down(self, ctx: CallContext, reason: str, name: str | None,
                             exc: BaseException) -> ToolResult:
        log_event(log, "agent.tool.calendar_unavailable", logging.WARNING,
                  call_sid=ctx.call_sid, error=repr(exc))
        recorded = await self._record_request(ctx, reason, name)
        say = _CALENDAR_DOWN if recorded and ctx.caller_phone else _CALENDAR_DOWN_NO_NUMBER
        return fail("calendar_unavailable", say, request_recorded=recorded)

    def _no_calendar(self) -> ToolResult:
        return fail("no_calendar", "I can't book appointments on this line, but I can take a "
                    "message and have the team call you back.")

    # --- tools --------------------------------------------------------------------------------

    async def find_slots(self, ctx: CallContext, args: dict[str, Any]) -> ToolResult:
        if self.scheduler is None:
            return self._no_calendar()
        if not await self.bookable(ctx):  # nothing is booked by phone here (e.g. a cafe)
            return self._no_calendar()
        service, names = await self._resolve_service(ctx, args["service"])
        if service is None:
            return fail("unknown_service", f"We offer {spoken_list(names, 'or')}. Which would "
                        "you like?", services=names)
        when = clean_text(args["when"], 100) or "soonest"
        try:
            offer = await self.scheduler.find_slots(ctx.business_id, service, when, limit=3)
        except SchedulerError as exc:
            if exc.transient:
                return await self._calendar_down(
                    ctx, f"Wants to book {service} ({when}); the calendar could not be reached "
                    "during the call. Please text them to arrange a time.", None, exc)
            return fail("bad_request", str(exc), service=service, when=when)
        except TimeoutError as exc:
            return await self._calendar_down(
                ctx, f"Wants to book {service} ({when}); the calendar timed out during the "
                "call. Please text them to arrange a time.", None, exc)
        data: dict[str, Any] = {"service": service, "when": when,
                                "slots": [slot_json(s) for s in offer.slots[:3]],
                                "requested_time_free": offer.requested_free,
                                "say": offer.message or None}
        if not offer.slots:
            data["say"] = (offer.message or f"I don't have anything free for {when}.") + \
                " Would another day work?"
        return ok(**data)

    async def book(self, ctx: CallContext, args: dict[str, Any]) -> ToolResult:
        if self.scheduler is None:
            return self._no_calendar()
        name = clean_name(args["name"])
        if name is None:
            return fail("invalid_name", "Sorry, can I get your name for the booking?")
        if not ctx.caller_phone:
            return fail("no_caller_number", "I can't book without a phone number to send the "
                        "confirmation to. I can take a message and the team will arrange it.")
        slot_id = clean_text(args["slot"], 40)
        if not _SLOT_ID.match(slot_id):
            return fail("invalid_slot", "Sorry, which of those times would you like?",
                        hint="pass the exact 'slot' value from find_slots")
        service, names = await self._resolve_service(ctx, args["service"])
        if service is None:
            return fail("unknown_service", f"We offer {spoken_list(names, 'or')}. Which would "
                        "you like?", services=names)
        try:
            outcome = await self.scheduler.book(
                ctx.business_id, service, slot_id, name=name, phone=ctx.caller_phone,
                call_sid=ctx.call_sid)
        except (SchedulerError, TimeoutError) as exc:
            if isinstance(exc, SchedulerError) and not exc.transient:
                return fail("bad_request", str(exc) or "Sorry, I couldn't book that.")
            return await self._calendar_down(
                ctx, f"Wants to book {service} at {slot_id} under the name {name}; the calendar "
                "could not be reached during the call. Please confirm with them by text.",
                name, exc)
        if outcome.status == "requested" and not outcome.notified:
            await self._record_request(
                ctx, f"Wants to book {service} at {outcome.label or slot_id} under the name "
                f"{name}; the calendar could not be reached. Please confirm by text.", name)
        if outcome.status != "booked":
            return self._not_done(outcome, "Sorry, I couldn't book that.")
        label = outcome.label or slot_id
        texted = outcome.notified and ctx.caller_phone is not None
        if not outcome.notified:
            texted = await self._texts(ctx, BookingChange(
                change="booked", booking_id=outcome.booking_id or "", service=outcome.service
                or service, label=label, name=name))
        return ok(booked=True, service=outcome.service or service, label=label, name=name,
                  confirmation_texted=texted)

    def _not_done(self, outcome: BookingOutcome, default: str) -> ToolResult:
        """A booking, cancellation or move the calendar did not make, as something to say."""
        say = outcome.message or default
        if outcome.status == "taken":
            labels = [s.label for s in outcome.alternatives]
            if labels and not outcome.message:
                say = (f"Sorry, that time isn't free. I have {spoken_list(labels, 'or')}. "
                       "Would one of those work?")
            return fail("slot_unavailable", say,
                        slots=[slot_json(s) for s in outcome.alternatives])
        if outcome.status == "requested":
            return fail("calendar_unavailable", say, request_recorded=True)
        if outcome.status == "ambiguous":
            return fail("ambiguous", say, candidates=list(outcome.candidates))
        if outcome.status == "not_found":
            return fail("not_found", say)
        return fail("not_possible", say)

    async def cancel_or_reschedule(self, ctx: CallContext, args: dict[str, Any]) -> ToolResult:
        if self.scheduler is None:
            return self._no_calendar()
        if not ctx.caller_phone:
            return fail("no_caller_number", "I can't look up bookings without your phone "
                        "number. I can take a message for the team.")
        action = args["action"]
        phone = ctx.caller_phone
        booking_id = clean_text(args.get("booking_id"), 200) or None
        try:
            if action == "lookup":
                upcoming = await self.scheduler.upcoming(ctx.business_id, phone=phone)
                bookings = [{"booking_id": b.booking_id, "service": b.service, "label": b.label,
                             "start": b.start.isoformat()} for b in upcoming[:5]]
                data: dict[str, Any] = {"bookings": bookings}
                if not bookings:
                    data["say"] = ("I can't find an upcoming booking for the number you're "
                                   "calling from.")
                return ok(**data)
            if action == "cancel":
                outcome = await self.scheduler.cancel(ctx.business_id, phone=phone,
                                                      booking_id=booking_id)
                if outcome.status != "cancelled":
                    return self._not_done(outcome, "Sorry, I couldn't cancel that.")
                if not outcome.notified:
                    await self._texts(ctx, BookingChange(
                        change="cancelled", booking_id=outcome.booking_id or "",
                        service=outcome.service, label=outcome.label))
                return ok(cancelled=True, service=outcome.service, label=outcome.label)
            new_slot = clean_text(args.get("new_slot"), 40)
            if not _SLOT_ID.match(new_slot):
                return fail("invalid_slot", "What day and time would you like instead?",
                            hint="find_slots first, then pass its 'slot' value as new_slot")
            outcome = await self.scheduler.reschedule(ctx.business_id, phone=phone,
                                                      slot_id=new_slot, booking_id=booking_id)
            if outcome.status != "booked":
                return self._not_done(outcome, "Sorry, I couldn't move that booking.")
            if not outcome.notified:
                await self._texts(ctx, BookingChange(
                    change="rescheduled", booking_id=outcome.booking_id or "",
                    service=outcome.service, label=outcome.label,
                    previous_label=outcome.previous_label))
            return ok(rescheduled=True, service=outcome.service, label=outcome.label,
                      previous_label=outcome.previous_label)
        except (SchedulerError, TimeoutError) as exc:
            if isinstance(exc, SchedulerError) and not exc.transient:
                return fail("not_possible", str(exc) or "Sorry, I couldn't do that.")
            return await self._calendar_down(
                ctx, f"Wants to {action} their booking; the calendar could not be reached "
                "during the call.", None, exc)

    async def _texts(self, ctx: CallContext, change: BookingChange) -> bool:
        if self.messenger is None:
            return False
        try:
            return await self.messenger.booking_changed(ctx, change)
        except Exception as exc:  # the change stands even if the texts could not be queued
            log_event(log, "agent.tool.booking_texts_failed", logging.ERROR,
                      call_sid=ctx.call_sid, error=repr(exc))
            return False
