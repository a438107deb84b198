"""Message tools: take_message (stored, team texted) and send_link (texted to the caller now).

Links come from the business's own settings and website profile, never from arguments, and go
only to the number the call comes from.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote_plus

from receptionist.agent.facts import FactsSource
from receptionist.agent.ports import CallContext, Messenger, TeamNote, ToolResult
from receptionist.agent.tools.result import clean_name, clean_text, fail, ok
from receptionist.core import log_event

__all__ = ["MessageDesk"]

log = logging.getLogger("receptionist.agent.tools.toolbox")

_LINK_TEXT = {
    "booking": "{name}: book online here: {link}",
    "website": "{name}: here's our website: {link}",
    "directions": "{name}: directions to {address}: {link}",
}
_NO_LINK = {
    "booking": "We don't have an online booking page, but I can book you in now if you like.",
    "website": "I don't have a website address to send, sorry.",
    "directions": "I don't have our address to hand, sorry.",
}


class MessageDesk:
    def __init__(self, *, messenger: Messenger | None, facts: FactsSource) -> None:
        self.messenger = messenger
        self.facts = facts

    async def take_message(self, ctx: CallContext, args: dict[str, Any]) -> ToolResult:
        reason = clean_text(args["reason"], 500)
        if len(reason) < 2:
            return fail("invalid_arguments", "What would you like me to pass on?")
        name = clean_name(args.get("name")) if args.get("name") else None
        urgency = args["urgency"]
        if self.messenger is None:
            return fail("no_messages", "Sorry, I can't take messages on this line right now. "
                        "Please try again later.")
        try:
            notified = await self.messenger.take_message(
                ctx, TeamNote(kind="message", reason=reason, name=name, urgency=urgency))
        except Exception as exc:  # the caller must hear that the message did not go through
            log_event(log, "agent.tool.message_failed", logging.ERROR, call_sid=ctx.call_sid,
                      error=repr(exc))
            return fail("message_failed", "Sorry, I couldn't save that message just now. "
                        "Please try calling back in a little while.")
        return ok(taken=True, name=name, urgency=urgency, team_notified=notified > 0,
                  caller_number_known=ctx.caller_phone is not None)

    async def send_link(self, ctx: CallContext, args: dict[str, Any]) -> ToolResult:
        kind = args["kind"]
        if not ctx.caller_phone:
            return fail("no_caller_number", "I can't see a number to text, sorry.")
        if self.messenger is None:
            return fail("no_texts", "I can't send texts from this line right now, sorry.")
        facts = await self.facts.facts(ctx.business_id)
        link: str | None
        if kind == "booking":
            link = facts.booking_link
        elif kind == "website":
            link = facts.website
        else:
            link = (f"https://www.google.com/maps/search/?api=1&query={quote_plus(facts.address)}"
                    if facts.address else None)
        if not link:
            return fail("no_link", _NO_LINK[kind])
        body = _LINK_TEXT[kind].format(name=facts.name, link=link, address=facts.address)
        sent = await self.messenger.text_caller(ctx, body=body, kind="link")
        if not sent:
            return fail("not_sent", "I couldn't send a text to this number, sorry.")
        return ok(sent=True, kind=kind)
