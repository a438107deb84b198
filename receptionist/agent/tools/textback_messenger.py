"""``Messenger`` over the text-back subsystem: messages for the team are stored and their texts
queued in the outbox in one transaction; confirmations and links go to the caller the same way.

Every text carries a dedupe key derived from the call, so a retried tool call never texts twice.
"""

from __future__ import annotations

import hashlib
import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from receptionist.agent.models import AgentMessage
from receptionist.agent.ports import BookingChange, CallContext, TeamNote
from receptionist.core import (
    Clock,
    Database,
    SystemClock,
    get_business,
    log_event,
    mask,
    pretty_phone,
)
from textback import Message, TextbackService, note_conversion

__all__ = ["TextbackMessenger"]

log = logging.getLogger("receptionist.agent.messages")

_KIND_LABEL = {
    "message": "Message",
    "callback_request": "Please follow up",
    "transfer_missed": "Missed transfer",
}


def _caller(ctx: CallContext) -> str:
    return pretty_phone(ctx.caller_phone) if ctx.caller_phone else "number withheld"


def _key(*parts: str) -> str:
    raw = ":".join(parts)
    return raw if len(raw) <= 100 else raw[:60] + hashlib.sha1(raw.encode()).hexdigest()[:16]


class TextbackMessenger:
    def __init__(self, db: Database, textback: TextbackService, clock: Clock | None = None
                 ) -> None:
        self.db = db
        self.textback = textback
        self.clock = clock or SystemClock()

    async def take_message(self, ctx: CallContext, note: TeamNote) -> int:
        async with self.db.transaction() as session:
            business = await get_business(session, ctx.business_id)
            row = AgentMessage(
                business_id=business.id, call_sid=ctx.call_sid, kind=note.kind,
                caller_phone=ctx.caller_phone, name=note.name, reason=note.reason,
                urgency=note.urgency, created_at=self.clock.now(),
            )
            session.add(row)
            await session.flush()
            urgent = "URGENT " if note.urgency == "urgent" else ""
            who = f"{note.name} ({_caller(ctx)})" if note.name else _caller(ctx)
            body = f"{urgent}{_KIND_LABEL.get(note.kind, 'Message')} from {who}: {note.reason}"
            sent = await self.textback.notify_team(
                session, business, kind="messages", body=body[:600],
                contact_phone=ctx.caller_phone, dedupe_key=_key("agent-msg", str(row.id)),
            )
            row.team_texted = len(sent)
        self.textback.worker.wake()
        log_event(log, "agent.message_taken", call_sid=ctx.call_sid, kind=note.kind,
                  urgency=note.urgency, team=len(sent), caller=mask(ctx.caller_phone or ""))
        return len(sent)

    async def booking_changed(self, ctx: CallContext, change: BookingChange) -> bool:
        texted = False
        async with self.db.transaction() as session:
            business = await get_business(session, ctx.business_id)
            who = f"{change.name} ({_caller(ctx)})" if change.name else _caller(ctx)
            if change.change == "booked":
                team = f"New booking: {change.service} on {change.label} for {who}."
                caller = (f"{business.name}: you're booked for {change.service} on "
                          f"{change.label}. To change it, just call us.")
            elif change.change == "cancelled":
                team = f"Cancelled by phone: {change.service} on {change.label} for {who}."
                caller = f"{business.name}: your {change.service} on {change.label} is cancelled."
            else:
                was = f" (was {change.previous_label})" if change.previous_label else ""
                team = f"Moved by phone: {change.service} to {change.label}{was} for {who}."
                caller = (f"{business.name}: your {change.service} is now on {change.label}. "
                          "To change it, just call us.")
            key = _key("agent", ctx.call_sid, change.change, change.booking_id or change.label)
            caller_key = _key("agent-caller", ctx.call_sid, change.change,
                              change.booking_id or change.label)
            if not await _exists(session, key, prefix=True):
                await self.textback.notify_team(session, business, kind="bookings", body=team,
                                                contact_phone=ctx.caller_phone, dedupe_key=key)
            if ctx.caller_phone:
                if not await _exists(session, caller_key):
                    await self.textback.text_caller(
                        session, business, to=ctx.caller_phone, body=caller,
                        kind=f"booking_{change.change}"[:20], dedupe_key=caller_key,
                        call_sid=ctx.call_sid)
                texted = True
                if change.change == "booked":
                    await note_conversion(session, business.id, ctx.caller_phone, "booking",
                                          at=self.clock.now())
        self.textback.worker.wake()
        return texted

    async def text_caller(self, ctx: CallContext, *, body: str, kind: str) -> bool:
        if not ctx.caller_phone:
            return False
        key = _key("agent", ctx.call_sid, kind, hashlib.sha1(body.encode()).hexdigest()[:12])
        async with self.db.transaction() as session:
            if await _exists(session, key):
                return True
            business = await get_business(session, ctx.business_id)
            await self.textback.text_caller(session, business, to=ctx.caller_phone, body=body,
                                            kind=kind[:20], dedupe_key=key, call_sid=ctx.call_sid)
        self.textback.worker.wake()
        return True


async def _exists(session: AsyncSession, dedupe_key: str, *, prefix: bool = False) -> bool:
    """Already queued? (``prefix``: any of the per-member keys ``notify_team`` derives.)"""
    cond = (Message.dedupe_key.startswith(dedupe_key + ":", autoescape=True) if prefix
            else Message.dedupe_key == dedupe_key)
    found = await session.scalar(select(Message.id).where(cond).limit(1))
    return found is not None
