"""The local brain: a receptionist with no model and no API key.

Deterministic intent detection (``intents``) and slot filling (``slots``) over the same tools
every brain uses, so a fresh install answers from the business's website and settings, books,
cancels and moves appointments, takes messages, transfers and says goodbye. It speaks in short
sentences, asks for one missing thing at a time and confirms before booking.

Per-call dialogue state (what it is waiting for, the slots it offered) lives in a small table
keyed by ``call_sid`` inside the brain, bounded and dropped with ``forget``; one brain may serve
many calls or one. Nothing it reads from the website can change what it does: it only ever reads
sentences aloud, and sentences that look like instructions are skipped.
"""

from __future__ import annotations

import json
import logging
import re
from collections import OrderedDict
from dataclasses import asdict, fields
from typing import Any

from receptionist.agent.local.flows import Flows
from receptionist.agent.local.intents import Intent, Understanding, understand
from receptionist.agent.local.slots import extract_name
from receptionist.agent.local.state import Dialog, Said, ToolRun
from receptionist.agent.ports import BrainReply, CallContext, ToolBox, Turn
from receptionist.core import log_event

__all__ = ["LocalBrain"]

log = logging.getLogger("receptionist.agent.local.brain")

_LINK_WORDS = re.compile(r"\b(link|web ?site|url)\b")
_WANT = re.compile(r"\b(need|want|wanna|like|get|looking for|after|interested in)\b")

class LocalBrain:
    def __init__(self, tools: ToolBox, *, max_calls: int = 4096) -> None:
        self.tools = tools
        self.max_calls = max_calls
        self._dialogs: OrderedDict[str, Dialog] = OrderedDict()

    def dialog(self, call_sid: str) -> Dialog:
        d = self._dialogs.get(call_sid)
        if d is None:
            d = self._dialogs[call_sid] = Dialog()
            while len(self._dialogs) > self.max_calls:
                self._dialogs.popitem(last=False)
        else:
            self._dialogs.move_to_end(call_sid)
        return d

    def forget(self, call_sid: str) -> None:
        """Drop a finished call's dialogue state."""
        self._dialogs.pop(call_sid, None)

    def remembered(self, call_sid: str) -> dict[str, Any] | None:
        """A conversation's dialogue state as JSON, to be kept between two turns served by
        different processes (the text channel); None when there is none."""
        d = self._dialogs.get(call_sid)
        return None if d is None else json.loads(json.dumps(asdict(d), default=str))

    def recall(self, call_sid: str, state: dict[str, Any] | None) -> None:
        """Take up a conversation from ``remembered`` state; unknown keys are ignored."""
        self.forget(call_sid)
        if state:
            d = self.dialog(call_sid)
            for f in fields(Dialog):
                if f.name in state:
                    setattr(d, f.name, state[f.name])

    async def reply(self, ctx: CallContext, history: list[Turn], caller_text: str) -> BrainReply:
        """Never raises: this is the brain of last resort when a model has failed."""
        d = self.dialog(ctx.call_sid)
        run = ToolRun(self.tools, ctx)
        try:
            said = await self.respond(run, d, understand(caller_text))
        except Exception as exc:  # a bug here must not leave a caller in silence
            log_event(log, "agent.local_brain.failed", logging.ERROR, call_sid=ctx.call_sid,
                      error=repr(exc))
            d.reset_task()
            d.awaiting = "offer_message"
            said = Said("Sorry, I didn't get that. I can take a message and have the team "
                        "call you back. Would that help?")
        d.last_reply = said.text
        if said.action is not None:
            self.forget(ctx.call_sid)
        return BrainReply(text=said.text, tool_calls=run.calls, action=said.action)

    # --- the decision -----------------------------------------------------------------------

    async def respond(self, run: ToolRun, d: Dialog, u: Understanding) -> Said:
        flows = Flows(run, d)
        if u.is_empty or (u.word_count == 1 and not u.intents and d.awaiting not in (
                "name", "message_name", "service", "when", "reason", "choice")):
            return flows.didnt_catch()
        d.misses = 0
        if u.urgent:
            d.urgent = True
        name = extract_name(u.text, u.norm, expecting=False)
        if name and d.awaiting not in ("name", "message_name"):
            d.name = name
        if u.has(Intent.HUMAN) and not u.has(Intent.NO):
            return await flows.transfer(u)
        if u.has(Intent.GOODBYE) and not (u.has(Intent.YES) and d.awaiting == "confirm"):
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
        if u.has(Intent.MESSAGE) and d.task != "message":
            return await flows.start_message(u)
        if u.has(Intent.CANCEL) and d.task == "book":
            d.reset_task()
            d.awaiting = "anything_else"
            return Said("No problem, I won't book that. Is there anything else I can help with?")
        if u.has(Intent.RESCHEDULE) and d.task != "reschedule":
            return await flows.start_existing("reschedule")
        if u.has(Intent.CANCEL) and d.task not in ("cancel", "reschedule"):
            return await flows.start_existing("cancel")
        if d.awaiting:
            said = await flows.answer(u)
            if said is not None:
                return said
        return await self.topic(flows, d, u)

    async def topic(self, flows: Flows, d: Dialog, u: Understanding) -> Said:
        """A fresh request, or a question asked in the middle of a task (answered, then the
        pending question is asked again)."""
        pending = flows.pending_question()
        if u.has(Intent.LINK) and _LINK_WORDS.search(u.norm):
            return await flows.link()
        if u.has(Intent.BOOK) and d.task not in ("book", "reschedule"):
            return await flows.start_booking(u)
        if d.task is None and not u.question and _WANT.search(u.norm) and not u.has(
                Intent.HOURS, Intent.ADDRESS, Intent.PRICES) and await flows.names_a_service(u):
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
                d.awaiting = "anything_else"
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
            d.awaiting = "anything_else"
            return Said(f"{answer.text} Anything else I can help with?")
        return answer
