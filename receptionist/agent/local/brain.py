"""The local brain: a receptionist with no model and no API key.

Deterministic intent detection (``intents``) and slot filling (``slots``) over the same tools
every brain uses, so a fresh install answers from the business's website and settings, books,
cancels and moves appointments, takes messages, transfers and says goodbye. It speaks in short
sentences, asks for one missing thing at a time and confirms before booking.

One ``LocalBrain`` serves one conversation: the call (or the text conversation) makes it and
drops it at the end, and with it the conversation's ``Dialog`` (what it is waiting for, the
slots it offered). Nothing it reads from the website can change what it does: it only ever
reads sentences aloud, and sentences that look like instructions are skipped.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from receptionist.agent.local.dialog import Awaiting, Dialog, Task
from receptionist.agent.local.flows import Flows
from receptionist.agent.local.intents import Intent, Understanding, understand
from receptionist.agent.local.slots import extract_name, extract_when
from receptionist.agent.local.state import Said, ToolRun
from receptionist.agent.ports import BrainReply, CallContext, ToolBox, Turn
from receptionist.core import log_event

__all__ = ["LocalBrain"]

log = logging.getLogger("receptionist.agent.local.brain")

_LINK_WORDS = re.compile(r"\b(link|web ?site|url)\b")
_WANT = re.compile(r"\b(need|want|wanna|like|get|looking for|after|interested in)\b")
# wanting to know, or telling of a past visit: not a request for one
_ASKING = re.compile(r"\b(know|ask|asking|find out|question|tell me|understand)\b")
_PAST = re.compile(r"\b(last|yesterday|ago|had|went)\b")

class LocalBrain:
    """The local brain of one conversation."""

    def __init__(self, tools: ToolBox, dialog: Dialog | None = None) -> None:
        self.tools = tools
        self.dialog = dialog if dialog is not None else Dialog()

    @classmethod
    def resume(cls, tools: ToolBox, remembered: Mapping[str, Any] | None) -> LocalBrain:
        """Take up a conversation from what ``remembered`` gave after its last turn."""
        return cls(tools, Dialog.from_json(remembered))

    def remembered(self) -> dict[str, Any] | None:
        """The conversation's dialogue state as JSON, to be kept between two turns served by
        different processes (the text channel); None when there is nothing to remember."""
        return None if self.dialog == Dialog() else self.dialog.to_json()

    async def reply(self, ctx: CallContext, history: list[Turn], caller_text: str) -> BrainReply:
        """Never raises: this is the brain of last resort when a model has failed."""
        d = self.dialog
        run = ToolRun(self.tools, ctx)
        try:
            said = await self.respond(run, d, understand(caller_text))
        except Exception as exc:  # a bug here must not leave a caller in silence
            log_event(log, "agent.local_brain.failed", logging.ERROR, call_sid=ctx.call_sid,
                      error=repr(exc))
            d.reset_task()
            d.awaiting = Awaiting.OFFER_MESSAGE
            said = Said("Sorry, I didn't get that. I can take a message and have the team "
                        "call you back. Would that help?")
        d.last_reply = said.text
        if said.action is not None:  # hung up or put through: a later turn starts afresh
            self.dialog = Dialog()
        return BrainReply(text=said.text, tool_calls=run.calls, action=said.action)

    # --- the decision -----------------------------------------------------------------------

    async def respond(self, run: ToolRun, d: Dialog, u: Understanding) -> Said:
        flows = Flows(run, d)
        if u.is_empty or (u.word_count == 1 and not u.intents and not (
                d.awaiting is not None and d.awaiting.wants_words)):
            return flows.didnt_catch()
        d.misses = 0
        if u.urgent:
            d.note.urgent = True
        name = extract_name(u.text, u.norm, expecting=False)
        if name and d.awaiting not in (Awaiting.NAME, Awaiting.MESSAGE_NAME):
            d.name = name
        if u.has(Intent.HUMAN) and not u.has(Intent.NO):
            return await flows.transfer(u)
        if u.has(Intent.GOODBYE) and not (u.has(Intent.YES) and d.awaiting is Awaiting.CONFIRM):
            return await flows.goodbye()
        if u.has(Intent.REPEAT) and d.last_reply and u.word_count <= 6:
            return Said(d.last_reply)
        if u.has(Intent.IDENTITY):
            pending = flows.pending_question()
            reply = flows.identity()
            return Said(f"{reply.text} {pending}") if pending else reply
        if u.intents == {Intent.GREETING}:
            pending = flows.pending_question()
            return Said(f"Hi! {pending}" if pending else "Hi! How can I help you today?")
        if u.has(Intent.MESSAGE) and d.task is not Task.MESSAGE:
            return await flows.start_message(u)
        if u.has(Intent.CANCEL) and d.task is Task.BOOK:
            d.reset_task()
            d.awaiting = Awaiting.ANYTHING_ELSE
            return Said("No problem, I won't book that. Is there anything else I can help with?")
        if u.has(Intent.RESCHEDULE) and d.task is not Task.RESCHEDULE:
            return await flows.start_existing(Task.RESCHEDULE)
        if u.has(Intent.CANCEL) and d.task not in (Task.CANCEL, Task.RESCHEDULE):
            return await flows.start_existing(Task.CANCEL)
        if d.awaiting:
            said = await flows.answer(u)
            if said is not None:
                return said
        return await self.topic(flows, d, u)

    @staticmethod
    async def _asks_for_service(flows: Flows, u: Understanding) -> bool:
        """A request for one of the services though no word says "book": "I need a drain
        cleaning", or a word of a service's name and a day or time however the verb was
        misheard ("I'd like to walk a clean in next Tuesday at 10"), or wanted as a thing of its
        own ("I'd like to walk a cleaning next to…"); a word of a name inside another thing is
        not ("can I get custom shoe inserts?" is no booking of "Custom Orthotics"). Not "I'd
        like to know…", not "last Tuesday"."""
        if _WANT.search(u.norm) and await flows.names_a_service(u):
            return True
        if _ASKING.search(u.norm) or _PAST.search(u.norm):
            return False
        if extract_when(u.norm) is not None and await flows.hears_a_service(u):
            return True
        return bool(_WANT.search(u.norm)) and await flows.asks_for_a_service(u)

    async def topic(self, flows: Flows, d: Dialog, u: Understanding) -> Said:
        """A fresh request, or a question asked in the middle of a task (answered, then the
        pending question is asked again)."""
        pending = flows.pending_question()
        if u.has(Intent.LINK) and _LINK_WORDS.search(u.norm):
            return await flows.link()
        if u.has(Intent.BOOK) and d.task not in (Task.BOOK, Task.RESCHEDULE):
            return await flows.start_booking(u)
        if d.task is None and not u.question and not u.has(
                Intent.HOURS, Intent.ADDRESS, Intent.PRICES) and await self._asks_for_service(
                flows, u):
            return await flows.start_booking(u)  # "I need a drain cleaning tomorrow"
        answer: Said | None = None
        if u.urgent and d.task is None and not u.question and not u.has(
                Intent.HOURS, Intent.ADDRESS, Intent.PRICES, Intent.SERVICES, Intent.LINK):
            return await flows.urgent()  # "my basement is flooding"
        if u.has(Intent.HOURS):
            answer = await flows.hours(u)
        elif u.has(Intent.PHONE):
            answer = await flows.phone(u)
        elif u.has(Intent.ADDRESS):
            answer = await flows.address()
        elif u.has(Intent.PRICES):
            answer = await flows.prices(u)
        elif u.has(Intent.SERVICES):
            answer = await flows.services(u)
        elif u.has(Intent.LINK):
            answer = await flows.link()
        elif u.has(Intent.THANKS) and u.word_count <= 5:
            answer = Said("You're welcome.")
        elif u.intents and u.intents <= {Intent.YES, Intent.NO, Intent.THANKS}:
            if d.awaiting is None:
                d.awaiting = Awaiting.ANYTHING_ELSE
                return Said("What can I help you with?")
            answer = None
        else:
            answer = await flows.knowledge(u)
        if answer is None:
            return flows.didnt_catch() if pending is None else Said(pending)
        if answer.action is not None:
            return answer
        if pending is not None:
            return Said(f"{answer.text} {pending}")
        if d.awaiting is None:
            d.awaiting = Awaiting.ANYTHING_ELSE
            return Said(f"{answer.text} Anything else I can help with?")
        return answer
