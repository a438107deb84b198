"""One conversation over text with the phone receptionist: the same brain, tools, prompts and
records as a call, without speech.

    exchange = await chat.start(business, caller_phone="+12025550143")   # the greeting
    exchange = await chat.say(exchange.conversation_id, "Are you open Saturday?")
    transcript = await chat.transcript(exchange.conversation_id)         # turns, bookings, texts

Every turn is stored before it is answered to anyone (``receptionist.chat.store``), so any
instance can take the next turn; two turns sent at once to the same conversation get one
answer and one ``ConversationBusy``. A conversation has no ``calls`` row: it is never decided as
missed and never texted back. The brain's reply runs first (its tools may book and text), then
the turn is written.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any

from receptionist.agent import (
    AgentKit,
    BrainError,
    BrainReply,
    CallAction,
    CallContext,
    TeamNote,
    Turn,
)
from receptionist.chat.errors import ConversationEnded, ConversationNotFound
from receptionist.chat.store import ChatStore, ChatTranscript, Conversation
from receptionist.core import Clock, Database, get_business, log_event, normalize

__all__ = ["ChatExchange", "ChatService"]

log = logging.getLogger("receptionist.chat")

_NO_TRANSFER = ("I can't put you through over text, so I've asked the team to get back to "
                "you.")


@dataclass(frozen=True)
class ChatExchange:
    conversation_id: str
    business_id: int
    reply: str  # what the agent said last
    ended: bool


class ChatService:
    def __init__(self, db: Database, kit: AgentKit, clock: Clock) -> None:
        self.db = db
        self.kit = kit
        self.clock = clock
        self.store = ChatStore(db, clock)

    async def start(self, business: int | str, *, caller_phone: str | None = None
                    ) -> ChatExchange:
        """Open a conversation: it begins, like a call, with the business's greeting."""
        phone = normalize(caller_phone) if caller_phone else None
        async with self.db.transaction() as session:
            business_id = (await get_business(session, business)).id
        greeting = await self.kit.briefing.greeting(business_id)
        conversation_id = "CHAT" + secrets.token_hex(14)
        await self.store.open(conversation_id, business_id, phone, greeting,
                              brain=_brain_name(self.kit))
        log_event(log, "chat.started", call_sid=conversation_id, business_id=business_id)
        return ChatExchange(conversation_id, business_id, greeting, False)

    async def say(self, conversation_id: str, text: str) -> ChatExchange:
        """One caller turn: the agent's answer, stored with the tools it ran."""
        conversation = await self.store.load(conversation_id)
        if conversation is None:
            raise ConversationNotFound(conversation_id)
        if conversation.ended:
            raise ConversationEnded(conversation_id)
        text = " ".join(text.split())
        ctx = CallContext(call_sid=conversation_id, business_id=conversation.business_id,
                          business_name=conversation.business_name,
                          caller_phone=conversation.caller_phone,
                          timezone=conversation.timezone)
        reply, degraded, dialog = await self._reply(ctx, conversation, text)
        said, ended = reply.text, reply.action == CallAction.HANG_UP
        if reply.action == CallAction.TRANSFER:  # there is no line to put them through on
            await self.kit.messenger.take_message(ctx, TeamNote(
                kind="callback_request",
                reason=f"Asked for a person in a text conversation: “{text[:300]}”"))
            said = f"{said} {_NO_TRANSFER}".strip()
        await self.store.append(conversation, caller=text, agent=said, tools=reply.tool_calls,
                                dialog=dialog, ended=ended, degraded=degraded)
        return ChatExchange(conversation_id, conversation.business_id, said, ended)

    async def _reply(self, ctx: CallContext, conversation: Conversation, text: str
                     ) -> tuple[BrainReply, bool, dict[str, Any] | None]:
        """The reply, whether the conversation is degraded to the local brain, and that brain's
        state to store with the turn (None when the remote brain answered)."""
        history = [Turn(t.role, t.text, t.at_ms) for t in conversation.turns]
        remote = self.kit.remote_brain
        if remote is not None and not conversation.degraded:
            try:
                return await remote.reply(ctx, history, text), False, None
            except BrainError as exc:  # the same degradation as on a call
                log_event(log, "chat.brain_failed", logging.WARNING, call_sid=ctx.call_sid,
                          error=str(exc), transient=exc.transient)
        # a turn may be served by any instance: the local brain lives for this turn only, taking
        # up the conversation from the state stored with the previous one
        local = self.kit.new_local_brain(conversation.dialog)
        reply = await local.reply(ctx, history, text)
        return reply, remote is not None, local.remembered()

    async def transcript(self, conversation_id: str) -> ChatTranscript:
        found = await self.store.transcript(conversation_id)
        if found is None:
            raise ConversationNotFound(conversation_id)
        return found


def _brain_name(kit: AgentKit) -> str:
    return "openai" if kit.remote_brain is not None else "local"
