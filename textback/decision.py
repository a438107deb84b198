"""The missed-call text-back, decided and queued inside the caller's (the call lifecycle's)
transaction, so the outcome, the decision and the SMS commit together or not at all."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, select, update

from receptionist.core import Business, Executor, dialect_name, insert_ignore, log_event, mask
from textback.compliance import first_text, quiet_hours_hold
from textback.contacts import CallerContact, lock_contact
from textback.models import Contact, Decision, Message
from textback.outgoing import enqueue_once
from textback.policy import Caller, TextbackVerdict, decide
from textback.templates import render

__all__ = ["TextbackDecision", "decide_missed_call", "decision_for_call"]

log = logging.getLogger("textback.decision")
# Statements built once (the text-back's hot path); see receptionist.telephony.service.
_DECISIONS = cast(Table, Decision.__table__)
_CONTACTS = cast(Table, Contact.__table__)
_TEXTED = update(_CONTACTS).where(_CONTACTS.c.id == bindparam("contact_id"))
_DELETE_MESSAGE = delete(cast(Table, Message.__table__)).where(
    Message.__table__.c.id == bindparam("message_id"))
_DELETE_CONTACT = delete(_CONTACTS).where(_CONTACTS.c.id == bindparam("contact_id"))
_NEW_CONTACT = CallerContact(0, None, opted_out=False, last_textback_at=None)  # as first seen
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
    caller to hand to its in-process outbox worker after the commit.

    The decision row (unique per call) is the claim. A text is written just before it, so that
    the decision names its message in one insert; the text has the call's dedupe key, so a call
    decided already either finds its text there (nothing is written) or, decided as a skip,
    has its decision refuse this one, which then takes back what it wrote. A first-time
    caller's contact is created already marked texted."""
    template = business.textback_after_hours_template if after_hours \
        else business.textback_template
    verdict, contact, new_text = await _verdict(session, business, caller, now, template,
                                                after_hours)
    if not verdict.send:
        decision_id = await _claim_decision(session, business, call_sid, caller, missed_reason,
                                            verdict, now, None)
        if decision_id is None:
            return await _decided_before(session, call_sid)
        log_event(log, "textback.skipped", call_sid=call_sid, caller=mask(caller),
                  reason=verdict.skip_reason)
        return TextbackDecision("skip", skip_reason=verdict.skip_reason)

    assert verdict.to is not None and contact is not None
    body, noticed = new_text if contact.created else _first_text(business, template,
                                                                 after_hours, contact)
    held_until = quiet_hours_hold(business.textback_quiet_hours, caller=verdict.to,
                                  business_tz=business.timezone, now=now)
    msg = await enqueue_once(
        session, business_id=business.id, to=verdict.to, from_=business.primary_number or "",
        body=body, kind="textback", now=now, contact_phone=verdict.to, call_sid=call_sid,
        dedupe_key=f"textback:{call_sid}", claimed=claimed is not None, held_until=held_until,
    )
    decision_id = None if msg is None else await _claim_decision(
        session, business, call_sid, caller, missed_reason, verdict, now, msg.id)
    if msg is None or decision_id is None:
        # Decided before: take back what this call wrote (the text, a contact it created).
        if msg is not None:
            await session.execute(_DELETE_MESSAGE, {"message_id": msg.id})
        if contact.created:
            await session.execute(_DELETE_CONTACT, {"contact_id": contact.id})
        return await _decided_before(session, call_sid)
    if msg.status == "sending" and claimed is not None:
        claimed.append(msg)
    if not contact.created:  # a new contact was written texted already
        await session.execute(_TEXTED, {
            "contact_id": contact.id, "last_textback_at": now,
            "stop_notice_at": contact.stop_notice_at or (now if noticed else None),
        })
    log_event(log, "textback.queued", call_sid=call_sid, to=mask(verdict.to), message=msg.id,
              held_until=held_until.isoformat() if held_until else None)
    return TextbackDecision("send", message_id=msg.id)


async def _claim_decision(session: Executor, business: Business, call_sid: str,
                          caller: str | None, missed_reason: str, verdict: TextbackVerdict,
                          now: datetime, message_id: int | None) -> int | None:
    """The decision row, or ``None`` when the call has one already (nothing is written)."""
    return cast(int | None, await session.scalar(_claim(dialect_name(session)), {
        "call_sid": call_sid, "business_id": business.id, "caller": caller,
        "missed_reason": missed_reason, "action": "send" if verdict.send else "skip",
        "skip_reason": verdict.skip_reason, "decided_at": now, "message_id": message_id,
    }))


async def _decided_before(session: Executor, call_sid: str) -> TextbackDecision:
    found = await decision_for_call(session, call_sid)
    assert found is not None
    return found


def _first_text(business: Business, template: str | None, after_hours: bool,
                contact: CallerContact) -> tuple[str, bool]:
    """The text-back's body for ``contact`` and whether it tells them how to stop."""
    text = render(template, business=business.name, booking_link=business.booking_link,
                  first_name=contact.first_name, after_hours=after_hours)
    return first_text(text.body, notice_on=business.textback_stop_notice,
                      noticed=contact.stop_notice_at is not None)


async def decision_for_call(session: Executor, call_sid: str) -> TextbackDecision | None:
    row = (await session.execute(_DECISION_FOR_CALL, {"call_sid": call_sid})).first()
    return TextbackDecision(row.action, row.skip_reason, row.message_id) if row else None


async def _verdict(
    session: Executor, business: Business, caller: str | None, now: datetime,
    template: str | None, after_hours: bool,
) -> tuple[TextbackVerdict, CallerContact | None, tuple[str, bool]]:
    """The verdict, the caller's contact (held) and the text as a first-time caller gets it
    (its body, and whether it tells them how to stop)."""
    team = frozenset(m.phone for m in business.team)
    own = frozenset(n.number for n in business.numbers)
    cooldown = timedelta(hours=business.textback_cooldown_hours)
    first = decide(Caller(caller), now=now, enabled=business.textback_enabled,
                   business_numbers=own, team_numbers=team, cooldown=cooldown)
    if not first.send:
        return first, None, ("", False)
    assert first.to is not None
    # A caller without a contact (never opted out, never texted) gets the text: if the contact
    # is created here, it is created texted, with the STOP notice if this first text has it.
    new_text = _first_text(business, template, after_hours, _NEW_CONTACT)
    # Held for the transaction, so two missed calls racing on two instances see one cooldown.
    contact = await lock_contact(session, business.id, first.to, texted_at=now,
                                 stop_notice_at=now if new_text[1] else None)
    if contact.created:
        return first, contact, new_text
    return decide(
        Caller(caller, contact.opted_out, contact.last_textback_at), now=now,
        enabled=True, business_numbers=own, team_numbers=team, cooldown=cooldown,
    ), contact, new_text
