"""The local brain's conversations: answering what the agent asked, taking a message,
transfers, goodbyes and the common questions (hours, address, prices, services, links, the
website). Booking lives in ``booking``. A tool's ``say`` text is used when it fails."""

from __future__ import annotations

import re

from receptionist.agent.local.answers import affirms, best_sentences
from receptionist.agent.local.booking import BookingFlows
from receptionist.agent.local.dialog import Awaiting, KnownService, Task
from receptionist.agent.local.intents import Intent, Understanding
from receptionist.agent.local.slots import extract_name, match_service, message_reason
from receptionist.agent.local.state import (
    Said,
    a,
    plain_name,
    said,
    say_of,
)
from receptionist.agent.local.wording import content_words
from receptionist.core import spoken_list

__all__ = ["Flows"]

_THAT = re.compile(r"\b(that|it|this|those|them)\b")
_HOURS_WORDS = content_words(
    "hours hour open opening close closing closed time times today tomorrow now weekday weekdays "
    "weekend weekends monday tuesday wednesday thursday friday saturday sunday mondays tuesdays "
    "wednesdays thursdays fridays saturdays sundays office morning evening night late early "
    "usual usually normal guys")
_SERVICE_WORDS = content_words(
    "do you offer provide fix repair handle have sell service services install installation "
    "able can does kind kinds type types sort")
_OFFERS = frozenset({Awaiting.OFFER_MESSAGE, Awaiting.OFFER_BOOKING, Awaiting.OFFER_DIRECTIONS,
                     Awaiting.OFFER_TRANSFER})
_PRICE_WORDS = content_words("price prices pricing cost costs charge charges fee fees rate "
                             "rates quote expensive cheap much how that it this")


class Flows(BookingFlows):
    def didnt_catch(self) -> Said:
        self.d.misses += 1
        if self.d.misses >= 3:
            self.d.misses = 0
            self.d.reset_task()
            self.d.task, self.d.awaiting = Task.MESSAGE, Awaiting.REASON
            return said("Sorry, I'm having trouble hearing you. I can take a message for the "
                         "team. What would you like me to pass on?")
        pending = self.pending_question()
        return said("Sorry, I didn't catch that." + (f" {pending}" if pending else
                                                       " Could you say it again?"))

    async def goodbye(self) -> Said:
        result = await self.run("end_call")
        self.d.reset_task()
        return said(f"Thanks for calling {self.run.ctx.business_name}. Goodbye!", result.action)

    async def transfer(self, u: Understanding) -> Said:
        result = await self.run("transfer_to_human", reason=u.text[:200] or "caller asked")
        if result.ok:
            self.d.reset_task()
            return said("Sure, I'll put you through to the team now. One moment please.",
                         result.action)
        self.d.reset_task()
        self.d.awaiting = Awaiting.OFFER_MESSAGE
        return said(say_of(result, "Nobody is available right now. I can take a message."))

    async def answer(self, u: Understanding) -> Said | None:
        """Handle the caller's answer to the question the agent asked; None if it isn't one."""
        d = self.d
        asked = d.awaiting
        if asked is Awaiting.ANYTHING_ELSE:
            d.awaiting = None
            if u.has(Intent.NO) and not (u.intents - {Intent.NO, Intent.THANKS}):
                return await self.goodbye()
            if u.intents == {Intent.YES} and u.word_count <= 3:
                return said("Sure, what can I help with?")
            return None
        if asked in _OFFERS:
            d.awaiting = None
            if u.has(Intent.YES) and not u.has(Intent.NO):
                if asked is Awaiting.OFFER_TRANSFER:
                    return await self.transfer(u)
                if asked is Awaiting.OFFER_MESSAGE:
                    return await self.start_message(u)
                if asked is Awaiting.OFFER_BOOKING:
                    return await self.start_booking(u)
                return await self.link("directions")
            if u.has(Intent.NO) and u.word_count <= 4:
                if asked is Awaiting.OFFER_TRANSFER:
                    d.awaiting = Awaiting.OFFER_MESSAGE
                    return said("OK. I can take a message so someone calls you right back. "
                                "Shall I?")
                d.awaiting = Awaiting.ANYTHING_ELSE
                return said("No problem. Is there anything else I can help with?")
            return None
        if d.task is Task.BOOK or d.task is Task.RESCHEDULE:
            return await self._answer_booking(u, asked)
        if d.task is Task.MESSAGE:
            return await self._answer_message(u, asked)
        if d.task is Task.CANCEL and asked is Awaiting.CONFIRM_CANCEL:
            if u.has(Intent.YES):
                return await self._cancel()
            if u.has(Intent.NO):
                d.reset_task()
                d.awaiting = Awaiting.ANYTHING_ELSE
                return said("OK, I'll leave it as it is. Anything else I can help with?")
        return None

    async def _answer_message(self, u: Understanding, asked: Awaiting | None) -> Said | None:
        d = self.d
        if asked is Awaiting.MESSAGE_NAME:
            name = extract_name(u.text, u.norm, expecting=True)
            if name is None and (u.intents - {Intent.YES, Intent.NO}):
                return None
            d.name = name or d.name
            if d.note.reason:
                return await self._take_message()
            d.awaiting = Awaiting.REASON
            return said(f"Thanks{', ' + name if name else ''}. What would you like me to pass on?")
        if asked is Awaiting.REASON:
            if u.word_count < 2 and u.intents:
                return None
            d.note.reason = u.text.strip()
            return await self._take_message()
        return None

    async def start_message(self, u: Understanding) -> Said:
        d = self.d
        d.reset_task()
        d.task, d.note.urgent = Task.MESSAGE, u.urgent
        reason = message_reason(u.norm)
        if reason:
            d.note.reason = u.text.strip()
        if d.name is None:
            d.awaiting = Awaiting.MESSAGE_NAME
            return said("Sure, I can take a message. Can I get your name?")
        if d.note.reason:
            return await self._take_message()
        d.awaiting = Awaiting.REASON
        return said("Sure. What would you like me to pass on?")

    async def _take_message(self) -> Said:
        d = self.d
        note = d.note
        result = await self.run("take_message", name=d.name,
                                reason=note.reason or "Please call back",
                                urgency="urgent" if note.urgent else "normal")
        d.reset_task()
        d.awaiting = Awaiting.ANYTHING_ELSE
        if not result.ok:
            return said(say_of(result, "Sorry, I couldn't take that message."))
        who = f"Thanks {d.name}. " if d.name else "Thanks. "
        return said(who + "I've passed that on and someone will get back to you soon. "
                     "Anything else I can help with?")

    async def hours(self, u: Understanding) -> Said:
        if content_words(u.text) - _HOURS_WORDS:
            # "is the office open on Christmas Day?": the website may say; the hours may not
            answer = await self._search(u.text, strict=True)
            if answer is not None:
                return said(answer)
        result = await self.run("business_info", topic="hours")
        hours = result.data.get("hours")
        if not hours:
            return await self._fallback_search("What are your opening hours?",
                                               say_of(result, "I don't have our hours to hand."))
        open_now = result.data.get("open_now")
        now = "" if open_now is None else (" We're open now." if open_now
                                            else " We're closed right now.")
        return said(f"Our hours are {hours}{now}")

    async def address(self) -> Said:
        result = await self.run("business_info", topic="address")
        address = result.data.get("address")
        if not address:
            return await self._fallback_search("Where are you located? What is your address?",
                                               say_of(result, "I don't have our address."))
        if self.run.ctx.caller_phone:
            self.d.awaiting = Awaiting.OFFER_DIRECTIONS
            return said(f"We're at {address}. Would you like me to text you directions?")
        return said(f"We're at {address}.")

    async def phone(self, u: Understanding) -> Said:
        """The business's number as the profile holds it (the owner's value over the website's),
        else whatever the website says about calling."""
        result = await self.run("business_info", topic="contact")
        phone = result.data.get("phone")
        if phone:
            return said(f"Our number is {phone}.")
        return await self._fallback_search(u.text, "I don't have our number to hand.")

    async def _named_service(self, u: Understanding) -> KnownService | None:
        """The service this utterance is about (or the one talked about last: "that")."""
        services = await self._load_services()
        named = match_service(u.norm, [s.name for s in services]) if services else None
        if named is None and self.d.last_service and _THAT.search(u.norm):
            named = self.d.last_service
        found = next((s for s in services if s.name == named), None)
        if found is not None:
            self.d.last_service = found.name
        return found

    async def prices(self, u: Understanding) -> Said:
        service = await self._named_service(u)
        if service is not None and service.price:
            text = f"{a(service.name)} is {service.price}."
            return said(text[:1].upper() + text[1:])
        if service is None and len(content_words(u.text) - _PRICE_WORDS) > 0:
            # "is there a fee for Gresham?": a question for the website, not the price list
            answer = await self._search(u.text)
            if answer is not None:
                return said(answer)
        priced = [s for s in await self._load_services() if s.price]
        if priced and service is None:
            parts = [f"{plain_name(s.name)} is {s.price}" for s in priced[:4]]
            text = spoken_list(parts)
            return said(f"{text[:1].upper()}{text[1:]}.")
        return await self._fallback_search(u.text, "I don't have that price to hand. I can "
                                           "have the team text you a quote.")

    async def services(self, u: Understanding) -> Said:
        service = await self._named_service(u)
        beyond = content_words(u.text) - _SERVICE_WORDS
        if service is not None:
            beyond -= content_words(service.name)
        if beyond:
            # "which brands of water heater do you install?": more than "do you do X"
            answer = await self._search(u.text)
            if answer is not None:
                return said(answer)
        if service is not None:
            extra = f" It's {service.price}." if service.price else ""
            text = f"Yes, we do {plain_name(service.name)}.{extra}"
            if service.bookable:
                self.d.awaiting = Awaiting.OFFER_BOOKING
                return said(f"{text} Would you like to book?")
            return said(text)
        names = [plain_name(s.name) for s in await self._load_services()]
        specific = len(u.norm.split()) > 4 and "services" not in u.norm
        if specific or not names:
            fallback = (f"I'm not sure about that. We offer {spoken_list(names[:5])}."
                        if names else "I'm not sure about that.")
            return await self._fallback_search(u.text, fallback)
        return said(f"We offer {spoken_list(names[:6])}.")

    async def urgent(self) -> Said:
        self.d.awaiting = Awaiting.OFFER_TRANSFER
        return said("That sounds urgent. Shall I put you through to the team now?")

    def identity(self) -> Said:
        return said(f"I'm {self.run.ctx.business_name}'s virtual receptionist. I can answer "
                    "questions, book appointments or take a message. How can I help?")

    async def link(self, kind: str = "booking") -> Said:
        result = await self.run("send_link", kind=kind)
        if result.ok:
            return said("I've just texted you the link.")
        return said(say_of(result, "Sorry, I couldn't send that."))

    async def knowledge(self, u: Understanding) -> Said:
        if u.word_count <= 2 and not u.intents:
            return self.didnt_catch()
        return await self._fallback_search(u.text, None)

    async def _search(self, question: str, *, strict: bool = False) -> str | None:
        result = await self.run("search_knowledge", question=question[:300])
        if not result.ok:
            return None
        answer = best_sentences(question, list(result.data.get("passages", [])),
                                strict=strict or not result.data.get("answer_found"),
                                business=self.run.ctx.business_name)
        return f"Yes. {answer}" if answer and affirms(question, answer) else answer

    async def _fallback_search(self, question: str, otherwise: str | None) -> Said:
        answer = await self._search(question)
        if answer:
            return said(answer)
        self.d.awaiting = Awaiting.OFFER_MESSAGE
        text = otherwise or "I'm not sure about that one."
        if "message" not in text:
            text += " I can take a message and have the team get back to you."
        return said(text)


