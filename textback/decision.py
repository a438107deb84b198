"""The missed-call text-back, decided and queued inside the caller's (the call lifecycle's)
transaction, so the outcome, the decision and the SMS commit together or not at all."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from receptionist.core import Business, insert_ignore, log_event, mask
from textback.contacts import get_or_create_contact
from textback.models import Contact, Decision
from textback.outbox import enqueue
from textback.policy import Caller, TextbackVerdict, decide
from textback.templates import render

__all__ = ["decide_missed_call"]

log = logging.getLogger("textback.decision")

async def decide_missed_call(
    session: AsyncSession,
    business: Business,
    *,
    call_sid: str,
    caller: str | None,
    missed_reason: str,
    after_hours: bool,
    now: datetime,
    claim: bool = False,
) -> Decision:
    """Record whether this missed call gets a text, and queue it. Idempotent per ``call_sid``:
    a second call (retry, duplicate callback, another instance) returns the first decision.

    With ``claim`` the text is written already claimed and left in ``session.info["claimed"]``
    for the caller to hand to its in-process outbox worker after the commit."""
    dialect = session.get_bind().dialect.name
    claimed = await session.execute(
        insert_ignore(dialect, Decision, ["call_sid"]).values(
            call_sid=call_sid, business_id=business.id, caller=caller,
            missed_reason=missed_reason, action="pending", decided_at=now,
        )
    )
    decision = (await session.execute(
        select(Decision).where(Decision.call_sid == call_sid)
        .execution_options(populate_existing=True)
    )).scalar_one()
    if claimed.rowcount == 0:  # type: ignore[attr-defined]
        return decision

    verdict, contact = await _verdict(session, business, caller, now)
    if not verdict.send:
        decision.action, decision.skip_reason = "skip", verdict.skip_reason
        log_event(log, "textback.skipped", call_sid=call_sid, caller=mask(caller),
                  reason=verdict.skip_reason)
        return decision

    assert verdict.to is not None and contact is not None
    text = render(
        business.textback_after_hours_template if after_hours else business.textback_template,
        business=business.name, booking_link=business.booking_link,
        first_name=contact.first_name, after_hours=after_hours,
    )
    sender = business.primary_number or ""
    msg = await enqueue(
        session, business_id=business.id, to=verdict.to, from_=sender, body=text.body,
        kind="textback", now=now, contact_phone=verdict.to, call_sid=call_sid,
        dedupe_key=f"textback:{call_sid}", claimed=claim,
    )
    if claim:
        session.info.setdefault("claimed", []).append(msg)
    contact.last_textback_at = now
    decision.action, decision.message_id = "send", msg.id
    log_event(log, "textback.queued", call_sid=call_sid, to=mask(verdict.to), message=msg.id)
    return decision

async def _verdict(
    session: AsyncSession, business: Business, caller: str | None, now: datetime
) -> tuple[TextbackVerdict, Contact | None]:
    team = frozenset(m.phone for m in business.team)
    own = frozenset(n.number for n in business.numbers)
    first = decide(
        Caller(caller), now=now, enabled=business.textback_enabled, business_numbers=own,
        team_numbers=team, cooldown=timedelta(hours=business.textback_cooldown_hours),
    )
    if not first.send:
        return first, None
    assert first.to is not None
    # Lock the caller's contact so two missed calls racing on two instances see one cooldown.
    contact = await get_or_create_contact(session, business.id, first.to, lock=True)
    return decide(
        Caller(caller, contact.opted_out, contact.last_textback_at), now=now,
        enabled=True, business_numbers=own, team_numbers=team,
        cooldown=timedelta(hours=business.textback_cooldown_hours),
    ), contact
