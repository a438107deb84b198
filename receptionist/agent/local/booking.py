"""The local brain's booking conversations: book (service, day and time, a choice, a name, a
confirmation), and move or cancel the caller's own booking. Every step goes through the tools."""

from __future__ import annotations

import re

from receptionist.agent.local.dialog import (
    QUESTIONS,
    Awaiting,
    Dialog,
    ExistingBooking,
    KnownService,
    OfferedSlot,
    Task,
)
from receptionist.agent.local.intents import Intent, Understanding
from receptionist.agent.local.slots import (
    extract_name,
    extract_when,
    match_service,
    pick_offered,
    service_asked_for,
    service_by_word,
)
from receptionist.agent.local.state import Said, ToolRun, a, on, said, say_of
from receptionist.core import spoken_list

__all__ = ["BookingFlows"]

# an utterance that only says who is calling
_NAMED = re.compile(r"^(?:(?:hi|hello|yes|yeah|ok|okay|sure|um|uh|oh|and) )*(?:my name is|my "
                    r"name's|it's|this is|i'm|i am|the name is|name's)\s+[a-z' ]+$")
# asked for a day and time, "the first one is fine" / "whichever is first": the first free slot
_FIRST_FREE = re.compile(r"\bfirst (?:one|1|slot|time|opening|available)\b|\bwhichever is first\b"
                         r"|\bwhatever(?:'s| is) first\b")


class BookingFlows:
    def __init__(self, run: ToolRun, d: Dialog) -> None:
        self.run = run
        self.d = d

    def pending_question(self) -> str | None:
        d = self.d
        if d.awaiting is Awaiting.CONFIRM and d.chosen is not None:
            return self._confirm_text()
        if d.awaiting is Awaiting.SERVICE and d.services:
            names = [s.name for s in d.services]
            return f"What would you like to book? We offer {spoken_list(names[:5], 'or')}."
        if d.awaiting is Awaiting.CHOICE and d.offered:
            return self._offer_text()
        return None if d.awaiting is None else QUESTIONS.get(d.awaiting)

    async def _answer_booking(self, u: Understanding, asked: Awaiting | None) -> Said | None:
        d = self.d
        when = extract_when(u.norm, expecting=asked is Awaiting.WHEN)
        if asked is Awaiting.SERVICE:
            names = [s.name for s in d.services or []]
            service = (match_service(u.norm, names) or service_by_word(u.norm, names)
                       ) if names else None
            if service is None:
                return None
            d.service = service
            d.when = when or d.when
            return await self.advance_booking()
        if asked is Awaiting.WHEN:
            if _FIRST_FREE.search(u.norm) and not u.has(Intent.NO):
                return await self._first_free()
            if when is None:
                if u.has(Intent.NO):
                    d.reset_task()
                    d.awaiting = Awaiting.ANYTHING_ELSE
                    return said("No problem. Is there anything else I can help with?")
                name = extract_name(u.text, u.norm, expecting=False)
                if name and _NAMED.match(u.norm):  # "my name is John Smith": kept, asked again
                    d.name = name
                    return said(f"Thanks, {name}. {QUESTIONS[Awaiting.WHEN]}")
                return None
            d.when = when
            return await self.advance_booking()
        if asked is Awaiting.CHOICE:
            starts = [s.local_start(self.run.ctx.timezone) or (-1, -1, -1) for s in d.offered]
            index = pick_offered(u.norm, [s.label for s in d.offered], starts)
            if index is None and u.has(Intent.YES) and len(d.offered) == 1:
                index = 0
            if index is not None:
                d.chosen = d.offered[index]
                return await self.advance_booking()
            if when is not None:
                d.when, d.offered = when, []
                return await self.advance_booking()
            if u.has(Intent.NO):
                d.when, d.offered = None, []
                d.awaiting = Awaiting.WHEN
                return said("No problem. What other day or time would work?")
            if u.has(Intent.YES):
                return said(f"Which one? {self._offer_text()}")
            return None
        if asked is Awaiting.NAME:
            name = extract_name(u.text, u.norm, expecting=True)
            if name is None:
                if u.intents - {Intent.YES, Intent.NO}:
                    return None
                return said("Sorry, I didn't catch your name. Could you say it again?")
            d.name = name
            return await self.advance_booking()
        if asked is Awaiting.CONFIRM:
            if u.has(Intent.YES) and not u.has(Intent.NO):
                return await self._book() if d.task is Task.BOOK else await self._move()
            if when is not None:
                d.when, d.offered, d.chosen = when, [], None
                return await self.advance_booking()
            if u.has(Intent.NO):
                d.when, d.offered, d.chosen = None, [], None
                d.awaiting = Awaiting.WHEN
                return said("No problem. What day and time would work better?")
            return None
        return None

    async def _load_services(self) -> list[KnownService]:
        if self.d.services is None:
            result = await self.run("business_info", topic="services")
            listed = list(result.data.get("services") or []) if result.ok else []
            self.d.services = [KnownService.from_json(s) for s in listed]
        return self.d.services

    async def names_a_service(self, u: Understanding) -> bool:
        names = [s.name for s in await self._load_services()]
        return bool(names) and match_service(u.norm, names) is not None

    async def asks_for_a_service(self, u: Understanding) -> bool:
        """A word of one service's name ends what the caller asks for ("a cleaning next to…"),
        however bent; not a word inside another thing ("leak sealant")."""
        names = [s.name for s in await self._load_services()]
        return bool(names) and service_asked_for(u.norm, names) is not None

    async def hears_a_service(self, u: Understanding) -> bool:
        """A word of one service's name is in what was heard, however speech recognition bent
        it ("walk a clean in next Tuesday" holds "cleaning")."""
        names = [s.name for s in await self._load_services()]
        return bool(names) and service_by_word(u.norm, names) is not None

    async def start_booking(self, u: Understanding) -> Said:
        d = self.d
        name = d.name
        d.reset_task()
        d.task, d.name = Task.BOOK, name
        services = await self._load_services()
        names = [s.name for s in services]
        d.service = (match_service(u.norm, names) or service_by_word(u.norm, names)
                     or service_asked_for(u.norm, names)) if names else None
        d.when = extract_when(u.norm)
        return await self.advance_booking()

    async def advance_booking(self) -> Said:
        """Ask for the next missing piece, or act when nothing is missing."""
        d = self.d
        if d.task is Task.BOOK and d.service is None and len(d.services or []) > 1:
            d.awaiting = Awaiting.SERVICE
            return said(f"Sure. {self.pending_question()}")
        if d.chosen is None and not d.offered and d.when is None:
            d.awaiting = Awaiting.WHEN
            lead = f"Sure, {a(d.service)}. " if d.service and d.task is Task.BOOK else "Sure. "
            return said(lead + QUESTIONS[Awaiting.WHEN])
        if d.chosen is None and not d.offered:
            return await self._find()
        if d.chosen is None:
            d.awaiting = Awaiting.CHOICE
            return said(self._offer_text())
        if d.task is Task.BOOK and d.name is None:
            d.awaiting = Awaiting.NAME
            return said("Great. Can I get your name?")
        d.awaiting = Awaiting.CONFIRM
        return said(self._confirm_text())

    async def _find(self) -> Said:
        d = self.d
        service = d.service or (d.existing.service if d.existing else "")
        result = await self.run("find_slots", service=service, when=d.when or "soonest")
        if not result.ok:
            if result.error == "unknown_service":
                d.service = None
                d.services = [KnownService(str(n)) for n in result.data.get("services", [])]
                d.awaiting = Awaiting.SERVICE
                return said(say_of(result, "Which service would you like?"))
            if result.error in ("calendar_unavailable", "no_calendar"):
                d.reset_task()
                d.awaiting = Awaiting.ANYTHING_ELSE if result.data.get("request_recorded") \
                    else Awaiting.OFFER_MESSAGE
                return said(say_of(result, "I can't reach the calendar right now."))
            d.when = None
            d.awaiting = Awaiting.WHEN
            return said(say_of(result, "Sorry, I didn't get the day.") + " "
                         + QUESTIONS[Awaiting.WHEN])
        d.service = str(result.data.get("service") or d.service or "")
        slots = [OfferedSlot.from_json(s) for s in result.data.get("slots") or []]
        if not slots:
            d.when = None
            d.awaiting = Awaiting.WHEN
            return said(say_of(result, "I don't have anything free then. Would another day "
                                 "work?"))
        d.offered = slots
        if result.data.get("requested_time_free"):
            # the caller named an exact time and it is free: go straight to confirming it
            d.chosen = slots[0]
            return await self.advance_booking()
        d.awaiting = Awaiting.CHOICE
        offer = result.data.get("say")
        if offer and len(slots) > 1:
            return said(f"{offer} Which would you like?")
        if offer and result.data.get("requested_time_free") is False:
            return said(f"{offer} Would that work?")
        return said(self._offer_text())

    async def _first_free(self) -> Said:
        """The soonest free slot, taken as chosen; the caller hears which before the next
        question (and confirms it at the end)."""
        d = self.d
        d.when = "soonest"
        reply = await self._find()
        if d.awaiting is not Awaiting.CHOICE or not d.offered:
            return reply  # nothing free, or the calendar is away: its own words
        d.chosen = d.offered[0]
        d.offered = [d.chosen]
        following = (await self.advance_booking()).text.removeprefix("Great. ")
        return said(f"The first time I have is {d.chosen.label}. {following}")

    def _offer_text(self) -> str:
        labels = [s.label for s in self.d.offered]
        if len(labels) == 1:
            return f"The first opening is {labels[0]}. Does that work?"
        return f"I have {spoken_list(labels, 'or')}. Which would you like?"

    def _confirm_text(self) -> str:
        d = self.d
        label = d.chosen.label if d.chosen else ""
        if d.task is Task.RESCHEDULE:
            return f"So I'll move your booking to {label}. Is that right?"
        what = a(d.service) if d.service else "an appointment"
        who = f" for {d.name}" if d.name else ""
        return f"So that's {what} {on(label)}{who}. Shall I book it?"

    async def _book(self) -> Said:
        d = self.d
        assert d.chosen is not None
        result = await self.run("book", service=d.service or "", slot=d.chosen.slot,
                                name=d.name or "")
        if result.ok:
            label = result.data.get("label", d.chosen.label)
            texted = " I've texted you a confirmation." if result.data.get(
                "confirmation_texted") else ""
            d.reset_task()
            d.awaiting = Awaiting.ANYTHING_ELSE
            return said(f"You're all set for {label}.{texted} Anything else I can help with?")
        if result.error == "slot_unavailable" and result.data.get("slots"):
            d.offered = [OfferedSlot.from_json(s) for s in result.data["slots"]]
            d.chosen, d.awaiting = None, Awaiting.CHOICE
            return said(say_of(result, "Sorry, that time just went."))
        if result.error == "invalid_name":
            d.name, d.awaiting = None, Awaiting.NAME
            return said(say_of(result, "Can I get your name?"))
        d.reset_task()
        d.awaiting = Awaiting.ANYTHING_ELSE
        return said(say_of(result, "Sorry, I couldn't book that.") + " Anything else?")

    async def start_existing(self, task: Task) -> Said:
        d = self.d
        name = d.name
        d.reset_task()
        d.task, d.name = task, name
        result = await self.run("cancel_or_reschedule", action="lookup", booking_id=None,
                                new_slot=None)
        bookings = list(result.data.get("bookings") or []) if result.ok else []
        if not bookings:
            d.reset_task()
            d.awaiting = Awaiting.OFFER_MESSAGE
            default = "I can't find an upcoming booking for the number you're calling from."
            return said(say_of(result, default) + " I can take a message for the team if "
                         "you like.")
        d.existing = existing = ExistingBooking.from_json(bookings[0])
        what = f"your {(existing.service or 'appointment').lower()} {on(existing.label)}"
        if task is Task.CANCEL:
            d.awaiting = Awaiting.CONFIRM_CANCEL
            return said(f"I see {what}. Shall I cancel it?")
        d.service = existing.service or None
        d.awaiting = Awaiting.WHEN
        return said(f"I see {what}. What day and time would you like instead?")

    async def _cancel(self) -> Said:
        d = self.d
        result = await self.run("cancel_or_reschedule", action="cancel",
                                booking_id=d.existing.booking_id if d.existing else None,
                                new_slot=None)
        d.reset_task()
        d.awaiting = Awaiting.ANYTHING_ELSE
        if result.ok:
            return said("Done, that's cancelled. Anything else I can help with?")
        return said(say_of(result, "Sorry, I couldn't cancel that."))

    async def _move(self) -> Said:
        d = self.d
        assert d.chosen is not None
        result = await self.run("cancel_or_reschedule", action="reschedule",
                                booking_id=d.existing.booking_id if d.existing else None,
                                new_slot=d.chosen.slot)
        label = result.data.get("label") or d.chosen.label
        if result.ok:
            d.reset_task()
            d.awaiting = Awaiting.ANYTHING_ELSE
            return said(f"Done, you're now booked for {label}. Anything else I can help with?")
        d.reset_task()
        d.awaiting = Awaiting.ANYTHING_ELSE
        return said(say_of(result, "Sorry, I couldn't move that booking."))

