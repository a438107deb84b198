"""The receptionist's tools: one ``ToolBox`` every brain and engine uses.

``AgentTools.run`` never raises: arguments are checked against the tool's schema and then by the
tool's own rules, backends get a timeout, and every failure comes back as ``ToolResult(ok=False)``
with ``error`` (a short code) and ``data["say"]`` (a sentence the agent can speak). Facts the
caller must not control come from the call, not from arguments: the caller's number, the
business, the numbers a transfer rings.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from receptionist.agent.facts import FactsSource
from receptionist.agent.ports import (
    CallAction,
    CallContext,
    KnowledgeLookup,
    Messenger,
    Scheduler,
    ToolCall,
    ToolResult,
)
from receptionist.agent.tools.booking import BookingDesk
from receptionist.agent.tools.messages import MessageDesk
from receptionist.agent.tools.result import clean_text, fail, ok, run_guarded
from receptionist.agent.tools.schema import chat_tools, check_arguments, spec_for
from receptionist.agent.untrusted import DATA_NOTE, looks_like_instruction, quote_data
from receptionist.core import Clock, SystemClock, log_event, split_sentences

__all__ = ["AgentTools"]

log = logging.getLogger("receptionist.agent.tools.toolbox")

Handler = Callable[[CallContext, dict[str, Any]], Awaitable[ToolResult]]


class AgentTools:
    """The tools, bound to the subsystems. Shared by every call; holds no per-call state."""

    def __init__(
        self,
        *,
        facts: FactsSource,
        knowledge: KnowledgeLookup | None,
        scheduler: Scheduler | None,
        messenger: Messenger | None,
        clock: Clock | None = None,
        timeout_s: float = 12.0,  # Settings.voice_tool_timeout_s where the app builds it
        min_confidence: float = 0.3,
    ) -> None:
        self.facts = facts
        self.knowledge = knowledge
        self.clock = clock or SystemClock()
        self.timeout_s = timeout_s
        self.min_confidence = min_confidence
        self.booking = BookingDesk(scheduler=scheduler, messenger=messenger, facts=facts)
        self.messages = MessageDesk(messenger=messenger, facts=facts)
        self._handlers: dict[str, Handler] = {
            "search_knowledge": self.search_knowledge,
            "business_info": self.business_info,
            "find_slots": self.booking.find_slots,
            "book": self.booking.book,
            "cancel_or_reschedule": self.booking.cancel_or_reschedule,
            "take_message": self.messages.take_message,
            "send_link": self.messages.send_link,
            "transfer_to_human": self.transfer_to_human,
            "end_call": self.end_call,
        }

    def schemas(self) -> list[dict[str, Any]]:
        return chat_tools()

    async def run(self, ctx: CallContext, call: ToolCall) -> ToolResult:
        started = time.perf_counter()
        result = await self._run(ctx, call)
        log_event(log, "agent.tool", call_sid=ctx.call_sid, tool=call.name, ok=result.ok,
                  error=result.error, ms=round((time.perf_counter() - started) * 1000))
        return result

    async def _run(self, ctx: CallContext, call: ToolCall) -> ToolResult:
        spec = spec_for(call.name)
        handler = self._handlers.get(call.name)
        if spec is None or handler is None:
            return fail("unknown_tool", "Sorry, I can't do that.", tool=call.name)
        args = call.arguments if isinstance(call.arguments, dict) else None
        problems = check_arguments(spec.parameters, args)
        if args is None or problems:
            return fail("invalid_arguments", "Sorry, could you say that again?",
                        problems=problems or ["arguments must be an object"])
        return await run_guarded(handler(ctx, args), tool=call.name, call_sid=ctx.call_sid,
                                 timeout_s=self.timeout_s)

    # --- knowledge ------------------------------------------------------------------------

    async def search_knowledge(self, ctx: CallContext, args: dict[str, Any]) -> ToolResult:
        question = clean_text(args["question"], 300)
        if len(question) < 2:
            return fail("invalid_arguments", "Sorry, what would you like to know?")
        if self.knowledge is None:
            return fail("no_knowledge", "I don't have that information to hand. I can take a "
                        "message and have the team get back to you.")
        hits, confidence = await self.knowledge.search(ctx.business_id, question, 3)
        passages = []
        omitted = 0
        for hit in hits:
            lines = []
            for line in hit.text.splitlines():
                kept = []
                for sentence in split_sentences(line):
                    if looks_like_instruction(sentence):
                        omitted += 1
                    else:
                        kept.append(sentence)
                if kept:
                    lines.append(" ".join(kept))
            # a passage (700 characters at most) and the next sentence on its page
            text = quote_data("\n".join(lines), 1000, keep_lines=True)
            if text:
                passage = {"source": quote_data(hit.title or hit.url, 120), "quote": text,
                           "score": round(float(hit.score), 3)}
                # the innermost heading it sits under ("Paediatric Dentist"): what it is about
                section = quote_data(hit.heading.rsplit(" > ", 1)[-1], 120)
                if section and section != passage["source"] \
                        and not looks_like_instruction(section):
                    passage["section"] = section
                passages.append(passage)
        found = bool(passages) and confidence >= self.min_confidence
        data: dict[str, Any] = {
            "note": DATA_NOTE,
            "question": question,
            "confidence": round(float(confidence), 3),
            "answer_found": found,
            "passages": passages if found else passages[:1],
        }
        if omitted:
            data["omitted_instruction_like_sentences"] = omitted
        if not found:
            data["say"] = ("I'm not sure about that one. I can take a message and have the "
                           "team get back to you.")
        return ok(**data)

    async def business_info(self, ctx: CallContext, args: dict[str, Any]) -> ToolResult:
        topic = args["topic"]
        facts = await self.facts.facts(ctx.business_id)
        now = self.clock.now()
        data: dict[str, Any] = {"topic": topic, "business": facts.name}
        if topic in ("hours", "all"):
            data["hours"] = facts.spoken_hours()
            data["open_now"] = facts.is_open_at(now)
            data["closed_today"] = facts.local(now).date() in facts.closed_dates
        if topic in ("address", "all"):
            data["address"] = facts.address
        if topic in ("services", "prices", "all"):
            bookable = await self.booking.bookable(ctx)
            known = {s.name.lower() for s in facts.services}
            data["services"] = [
                {"name": s.name, "price": s.price, "duration_min": s.duration_min,
                 "bookable": s.name.lower() in {b.lower() for b in bookable}}
                for s in facts.services
            ] + [{"name": b, "price": None, "duration_min": None, "bookable": True}
                 for b in bookable if b.lower() not in known]
        if topic in ("contact", "all"):
            data["phone"] = facts.phone
            data["has_website"] = facts.website is not None
            data["has_booking_link"] = facts.booking_link is not None
        missing = {
            "hours": data.get("hours") is None,
            "address": data.get("address") is None,
            "services": not data.get("services"),
            "prices": not any(s.get("price") for s in data.get("services") or []),
        }.get(topic, False)
        if missing:
            data["say"] = (f"I don't have our {topic} to hand. I can check with the team and "
                           "have them text you.")
        return ok(**data)

    # --- the call itself --------------------------------------------------------------------

    async def transfer_to_human(self, ctx: CallContext, args: dict[str, Any]) -> ToolResult:
        reason = clean_text(args["reason"], 200)
        facts = await self.facts.facts(ctx.business_id)
        if not facts.transfer_numbers:
            return fail("nobody_available", "There's nobody available to take the call right "
                        "now, but I can take a message for the team.")
        return ToolResult(
            ok=True,
            data={"transferring": True, "reason": reason,
                  "open_now": facts.is_open_at(self.clock.now())},
            action=CallAction.TRANSFER,
        )

    async def end_call(self, ctx: CallContext, args: dict[str, Any]) -> ToolResult:
        return ToolResult(ok=True, data={"ending": True}, action=CallAction.HANG_UP)

