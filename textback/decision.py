"""The missed-call text-back, decided and queued inside the caller's (the call lifecycle's)
transaction, so the outcome, the decision and the SMS commit together or not at all."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update

from receptionist.core import Business, Executor, dialect_name, insert_ignore, log_event, mask
from textback.compliance import first_text, quiet_hours_hold
from textback.contacts import CallerContact, lock_contact
from textback.models import Contact, Decision, Message
from textback.outbox import enqueue
from textback.policy import Caller, TextbackVerdict, decide
from textback.templates import render

__all__ = ["TextbackDecision", "decide_missed_call", "decision_for_call"]

log = logging.getLogger("textback.decision")
# Statements built once (the text-back's hot path); see receptionist.telephony.service.
_DECISIONS = cast(Table, Decision.__table__)
_CONTACTS = cast(Table, Contact.__table__)
_TEXTED = update(_CONTACTS).where(_CONTACTS.c.id == bindparam("contact_id"))
_LINK_MESSAGE = update(_DECISIONS).where(_DECISIONS.c.id == bindparam("decision_id"))
_DECISION_FOR_CALL = select(
    _DECISIONS.c.action, _DECISIONS.c.skip_reason, _DECISIONS.c.message_id
).where(_DECISIONS.c.call_sid == bindparam("call_sid"))


@cache
def _claim(dialect: str) -> Any:
    return insert_ignore(dialect, _DECISIONS, ["call_sid"]).returning(_DECISIONS.c.id)


@dataclass(frozen=True)
class TextbackDecision:
    """What was decided for one missed call: ``send`` (``message_id`` queued) or ``skip``."""

    action: str
    skip_reason: str | None = None
    message_id: int | None = None

    @property
    def send(self) -> bool:
        return self.action == "send"


async def decide_missed_call(
    session: Executor,
    business: Business,
    *,
    call_sid: str,
    caller: str | None,
    missed_reason: str,
    after_hours: bool,
    now: datetime,
    claimed: list[Message] | None = None,
) -> TextbackDecision:
    """Record whether this missed call gets a text, and queue it. Idempotent per ``call_sid``:
    a second call (retry, duplicate callback, another instance) returns the first decision.

    With ``claimed`` (a list) the text is written already claimed and appended to it, for the
    caller to hand to its in-process outbox worker after the commit."""
    verdict, contact = await _verdict(session, business, caller, now)
    # The decision row is the claim: unique per call, written before anything else changes.
    decision_id = await session.scalar(_claim(dialect_name(session)), {
        "call_sid": call_sid, "business_id": business.id, "caller": caller,
        "missed_reason": missed_reason, "action": "send" if verdict.send else "skip",
        "skip_reason": verdict.skip_reason, "decided_at": now,
    })
    if decision_id is None:
        found = await decision_for_call(session, call_sid)
        assert found is not None
        return found
    if not verdict.send:
        log_event(log, "textback.skipped", call_sid=call_sid, caller=mask(caller),
                  reason=verdict.skip_reason)
        return TextbackDecision("skip", skip_reason=verdict.skip_reason)

    assert verdict.to is not None and contact is not None
    text = render(
        business.textback_after_hours_template if after_hours else business.textback_template,
        business=business.name, booking_link=business.booking_link,
        first_name=contact.first_name, after_hours=after_hours,
    )
    body, noticed = first_text(text.body, notice_on=business.textback_stop_notice,
                               noticed=contact.stop_notice_at is not None)
    held_until = quiet_hours_hold(business.textback_quiet_hours, caller=verdict.to,
                                  business_tz=business.timezone, now=now)
    msg = await enqueue(
        session, business_id=business.id, to=verdict.to, from_=business.primary_number or "",
        body=body, kind="textback", now=now, contact_phone=verdict.to, call_sid=call_sid,
        dedupe_key=f"textback:{call_sid}", claimed=claimed is not None, held_until=held_until,
    )
    if msg.status == "sending" and claimed is not None:
        claimed.append(msg)
    await session.execute(_TEXTED, {
        "contact_id": contact.id, "last_textback_at": now,
        "stop_notice_at": contact.stop_notice_at or (now if noticed else None),
    })
    await session.execute(_LINK_MESSAGE, {"decision_id": decision_id, "message_id": msg.id})
    log_event(log, "textback.queued", call_sid=call_sid, to=mask(verdict.to), message=msg.id,
              held_until=held_until.isoformat() if held_until else None)
    return TextbackDecision("send", message_id=msg.id)


async def decision_for_call(session: Executor, call_sid: str) -> TextbackDecision | None:
    row = (await session.execute(_DECISION_FOR_CALL, {"call_sid": call_sid})).first()
    return TextbackDecision(row.action, row.skip_reason, row.message_id) if row else None


async def _verdict(
    session: Executor, business: Business, caller: str | None, now: datetime
) -> tuple[TextbackVerdict, CallerContact | None]:
    team = frozenset(m.phone for m in business.team)
    own = frozenset(n.number for n in business.numbers)
    cooldown = timedelta(hours=business.textback_cooldown_hours)
    first = decide(Caller(caller), now=now, enabled=business.textback_enabled,
                   business_numbers=own, team_numbers=team, cooldown=cooldown)
    if not first.send:
        return first, None
    assert first.to is not None
    # Held for the transaction, so two missed calls racing on two instances see one cooldown.
    contact = await lock_contact(session, business.id, first.to)
    return decide(
        Caller(caller, contact.opted_out, contact.last_textback_at), now=now,
        enabled=True, business_numbers=own, team_numbers=team, cooldown=cooldown,
    ), contact
