"""Inbound texts: opt-out/opt-in/help keywords, caller replies forwarded to the team, and team
answers relayed back to the caller from the business number."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from receptionist.core import Business, Executor, insert_ignore, log_event, mask, pretty_phone
from textback.compliance import first_text, opt_out_confirmation
from textback.contacts import get_or_create_contact
from textback.hygiene import clean_sms_text
from textback.keywords import InboundIntent, classify
from textback.models import Contact, Message
from textback.outgoing import enqueue
from textback.segments import count_segments

__all__ = ["InboundResult", "apply_status", "handle_inbound"]

log = logging.getLogger("textback.inbound")

_CODE_PREFIX = re.compile(r"^\s*#?([A-Za-z0-9]{3,4})\b[\s:,-]*(.*)$", re.DOTALL)


@dataclass(frozen=True)
class InboundResult:
    """What the webhook should do: an immediate TwiML reply (or none) and whether the outbox has
    new work."""

    intent: str
    reply: str | None = None
    queued: int = 0


async def handle_inbound(
    session: AsyncSession, business: Business, *, from_: str, to: str, body: str,
    message_sid: str, now: datetime,
) -> InboundResult:
    body = clean_sms_text(body)  # stored, forwarded and relayed clean
    dialect = session.get_bind().dialect.name
    stored = await session.execute(
        insert_ignore(dialect, Message, ["provider_sid"]).values(
            business_id=business.id, direction="in", kind="reply", to_number=to,
            from_number=from_, body=body, contact_phone=from_, status="received",
            provider_sid=message_sid, created_at=now, attempts=0, segments=1,
        )
    )
    if stored.rowcount == 0:  # type: ignore[attr-defined]  # Twilio retried this webhook
        return InboundResult("duplicate")

    team = {m.phone: m for m in business.team}
    if from_ in team:
        await _mark_kind(session, message_sid, "team_answer", contact_phone=None)
        return await _relay_team_answer(session, business, team[from_].phone, body, now)

    intent = classify(body)
    contact = await get_or_create_contact(session, business.id, from_, lock=True)
    if intent is InboundIntent.OPT_OUT:
        already = contact.opted_out
        contact.opted_out, contact.opted_out_at = True, contact.opted_out_at if already else now
        await _mark_kind(session, message_sid, "opt_out", contact_phone=from_)
        # Anything still queued or claimed for this caller must not go out after a STOP; a
        # worker that claimed a text finds it canceled when it takes the claim to send.
        await session.execute(
            update(Message)
            .where(Message.business_id == business.id, Message.to_number == from_,
                   Message.status.in_(("pending", "sending")))
            .values(status="canceled", error="recipient opted out")
        )
        log_event(log, "textback.opted_out", business=business.id, caller=mask(from_),
                  again=already)
        if already:  # one confirmation, then nothing: a second STOP gets no text
            return InboundResult("opt_out")
        # The one confirmation, as the TwiML reply (the contact row is locked, so two STOPs
        # racing on two instances confirm once). Twilio suppresses it when it confirms itself.
        reply = opt_out_confirmation(business.name)
        _record_twiml_reply(session, business, to=from_, from_=to, body=reply,
                            kind="opt_out_confirmation", now=now)
        return InboundResult("opt_out", reply=reply)
    if intent is InboundIntent.OPT_IN:
        contact.opted_out, contact.opted_out_at = False, None
        await _mark_kind(session, message_sid, "opt_in", contact_phone=from_)
        log_event(log, "textback.opted_in", business=business.id, caller=mask(from_))
        return InboundResult("opt_in")
    if intent is InboundIntent.HELP:
        await _mark_kind(session, message_sid, "help", contact_phone=from_)
        number = business.primary_number or to
        reply = (f"{business.name}: reply to this number to reach our team, or call "
                 f"{pretty_phone(number)}. Msg & data rates may apply. "
                 "Reply STOP to opt out.")
        _record_twiml_reply(session, business, to=from_, from_=to, body=reply, kind="help",
                            now=now)
        return InboundResult("help", reply=reply)

    recipients = business.team_for("replies")
    for member in recipients:
        await enqueue(
            session, business_id=business.id, to=member.phone, from_=to,
            body=f"Reply from {pretty_phone(from_)} [{contact.short_code}]: {body}"[:1500],
            kind="forward", now=now, contact_phone=from_,
        )
    log_event(log, "textback.reply_forwarded", business=business.id, caller=mask(from_),
              team=len(recipients))
    return InboundResult("reply", queued=len(recipients))


def _record_twiml_reply(session: AsyncSession, business: Business, *, to: str, from_: str,
                        body: str, kind: str, now: datetime) -> None:
    """Keep a reply sent as TwiML (not through the outbox) in the caller's thread."""
    session.add(Message(
        business_id=business.id, direction="out", kind=kind, to_number=to, from_number=from_,
        body=body, contact_phone=to, status="sent_twiml", created_at=now, sent_at=now,
        attempts=1, segments=count_segments(body).segments,
    ))


async def _relay_team_answer(
    session: AsyncSession, business: Business, member_phone: str, body: str, now: datetime
) -> InboundResult:
    """Send a team member's answer to the caller: the thread named by a leading short code, or
    else the latest thread forwarded to that member."""
    target: str | None = None
    text = body.strip()
    m = _CODE_PREFIX.match(text)
    if m:
        code_contact = (await session.execute(
            select(Contact).where(Contact.business_id == business.id,
                                  Contact.short_code == m.group(1).upper())
        )).scalar_one_or_none()
        if code_contact is not None and m.group(2).strip():
            target, text = code_contact.phone, m.group(2).strip()
    if target is None:
        target = await session.scalar(
            select(Message.contact_phone)
            .where(Message.business_id == business.id, Message.kind == "forward",
                   Message.to_number == member_phone)
            .order_by(Message.created_at.desc(), Message.id.desc())
            .limit(1)
        )
    if target is None:
        return InboundResult("team_answer", reply=(
            "No caller conversation to answer yet. Start your text with a caller's code, "
            "e.g. K7Q Thanks, we'll be there at 3."))
    contact = await get_or_create_contact(session, business.id, target)
    if contact.opted_out:
        return InboundResult("team_answer", reply=(
            f"{pretty_phone(target)} has opted out of texts; call them instead."))
    text, noticed = first_text(text, notice_on=business.textback_stop_notice,
                               noticed=contact.stop_notice_at is not None)
    if noticed and contact.stop_notice_at is None:
        contact.stop_notice_at = now
    await enqueue(
        session, business_id=business.id, to=target, from_=business.primary_number or "",
        body=text, kind="relay", now=now, contact_phone=target,
    )
    log_event(log, "textback.relayed", business=business.id, caller=mask(target))
    return InboundResult("team_answer", queued=1)


async def _mark_kind(session: AsyncSession, sid: str, kind: str, *,
                     contact_phone: str | None) -> None:
    await session.execute(
        update(Message).where(Message.provider_sid == sid)
        .values(kind=kind, contact_phone=contact_phone)
    )


# Every text's status callbacks pass the statements below: Core, built once.
_MESSAGES = cast(Table, Message.__table__)
_CONTACTS = cast(Table, Contact.__table__)
_STATUS_OF = (_MESSAGES.c.id, _MESSAGES.c.direction, _MESSAGES.c.status, _MESSAGES.c.business_id,
              _MESSAGES.c.contact_phone, _MESSAGES.c.to_number)
_BY_SID = select(*_STATUS_OF).where(_MESSAGES.c.provider_sid == bindparam("sid")) \
    .with_for_update()
_BY_OUTBOX_ID = select(*_STATUS_OF).where(_MESSAGES.c.id == bindparam("outbox_id"),
                                          _MESSAGES.c.provider_sid.is_(None)).with_for_update()
_UPDATE_MESSAGE = update(_MESSAGES).where(_MESSAGES.c.id == bindparam("msg_id"))
_OPT_OUT = update(_CONTACTS).where(
    _CONTACTS.c.business_id == bindparam("business_id"), _CONTACTS.c.phone == bindparam("phone")
).values(opted_out=True, opted_out_at=bindparam("now"))
# Delivery statuses only move forward, whatever order Twilio's callbacks arrive in.
_RANK = {"pending": 0, "sending": 1, "accepted": 2, "scheduled": 2, "queued": 3, "sent": 4,
         "delivered": 5, "read": 6, "undelivered": 5, "failed": 5, "canceled": 5}


async def apply_status(
    session: Executor, *, message_sid: str, status: str, error_code: str | None,
    now: datetime, outbox_id: int | None = None,
) -> bool:
    """Record a delivery status callback on its outbound text (never moving it backwards);
    ``False`` if no outbound text has that sid. Core statements built once (every text gets
    its callbacks): the text's row held, then one update of what changed."""
    row = (await session.execute(_BY_SID, {"sid": message_sid})).first()
    changes: dict[str, object] = {}
    if row is None and outbox_id is not None:
        # The callback beat the worker's commit of Twilio's sid: match our id from the signed
        # callback URL and store the sid now.
        row = (await session.execute(_BY_OUTBOX_ID, {"outbox_id": outbox_id})).first()
        if row is not None:
            changes["provider_sid"] = message_sid
    known = row is not None and row.direction == "out"
    if row is not None and known and _RANK.get(status, -1) > _RANK.get(row.status, -1):
        changes["status"] = status
        if status == "delivered":
            changes["delivered_at"] = now
        if error_code:
            changes["error_code"] = error_code
            if error_code == "21610" and row.contact_phone == row.to_number:
                await session.execute(_OPT_OUT, {"business_id": row.business_id,
                                                 "phone": row.to_number, "now": now})
    if row is not None and changes:
        await session.execute(_UPDATE_MESSAGE, {"msg_id": row.id, **changes})
    return known
