"""Results for the owner: does text-back work? Missed calls, texts sent/skipped/failed, reply
rate, time to the first human answer, opt-outs and conversion, per business and period.

Definitions (the dashboard and ``receptionist report`` show these words):
- missed calls: calls that ended ``missed`` (one text-back decision each);
- reply rate: texted callers who replied within 7 days of their text-back;
- first response: from a caller's first reply to the team's first answer (texted from a team
  phone or from the inbox), or to the thread being marked handled in the inbox if that came first;
- conversion: a texted caller who booked, or called again and was handled, within 7 days;
- held: text-backs waiting for the business's quiet hours to end (not counted as pending).
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from textback.models import Contact, ContactEvent, Decision, Message, shown_status

__all__ = ["ANSWER_KINDS", "ATTRIBUTION_WINDOW", "Report", "compute_report"]

ATTRIBUTION_WINDOW = timedelta(days=7)
_FAILED = {"failed", "undelivered", "canceled"}
ANSWER_KINDS = ("relay", "answer")  # the team's answer: from a team phone, from the inbox


@dataclass
class Report:
    business_id: int | None
    since: datetime
    until: datetime
    missed_calls: int = 0
    textbacks_sent: int = 0
    textbacks_failed: int = 0
    textbacks_pending: int = 0
    held: int = 0
    textbacks_skipped: dict[str, int] = field(default_factory=dict)
    replies: int = 0
    reply_rate: float | None = None
    median_first_response_s: float | None = None
    opt_outs: int = 0
    opt_out_rate: float | None = None
    conversions: int = 0
    conversion_rate: float | None = None
    # Each answered thread's first response, for the response-time chart (not in the JSON).
    first_response_s: list[float] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        del data["first_response_s"]
        data["since"], data["until"] = self.since.isoformat(), self.until.isoformat()
        return data


async def compute_report(
    session: AsyncSession, *, business_id: int | None, since: datetime, until: datetime,
    now: datetime | None = None,
) -> Report:
    report = Report(business_id, since, until)
    now = now or until

    def scoped(stmt: Any, column: Any) -> Any:
        return stmt.where(column == business_id) if business_id is not None else stmt

    # Columns, not ORM objects: a month of a busy business is thousands of rows.
    decisions = (await session.execute(scoped(
        select(Decision.action, Decision.skip_reason)
        .where(Decision.decided_at >= since, Decision.decided_at < until),
        Decision.business_id,
    ))).all()
    report.missed_calls = len(decisions)
    report.textbacks_skipped = dict(Counter(d.skip_reason or "unknown"
                                            for d in decisions if d.action == "skip"))

    texts = (await session.execute(scoped(
        select(Message.business_id, Message.to_number, Message.status, Message.held_until,
               Message.created_at)
        .where(Message.kind == "textback", Message.created_at >= since,
               Message.created_at < until),
        Message.business_id,
    ))).all()
    first_text: dict[tuple[int, str], datetime] = {}
    for msg in texts:
        if msg.status in _FAILED:
            report.textbacks_failed += 1
        elif shown_status(msg.status, msg.held_until, now) == "held":
            report.held += 1
        elif msg.status in ("pending", "sending"):
            report.textbacks_pending += 1
        else:
            report.textbacks_sent += 1
            key = (msg.business_id, msg.to_number)
            first_text[key] = min(first_text.get(key, msg.created_at), msg.created_at)
    if not first_text:
        return report

    phones = {p for _, p in first_text}
    horizon = until + ATTRIBUTION_WINDOW
    thread = (await session.execute(scoped(
        select(Message.business_id, Message.contact_phone, Message.direction, Message.kind,
               Message.created_at)
        .where(Message.contact_phone.in_(phones), Message.created_at >= since,
               Message.created_at < horizon)
        .order_by(Message.created_at),
        Message.business_id,
    ))).all()
    events = (await session.execute(scoped(
        select(ContactEvent.business_id, ContactEvent.phone, ContactEvent.at)
        .where(ContactEvent.phone.in_(phones), ContactEvent.at >= since,
               ContactEvent.at < horizon),
        ContactEvent.business_id,
    ))).all()
    handled = {(c.business_id, c.phone): c.handled_at for c in (await session.execute(scoped(
        select(Contact.business_id, Contact.phone, Contact.handled_at)
        .where(Contact.phone.in_(phones), Contact.handled_at.is_not(None)),
        Contact.business_id,
    ))).all() if c.handled_at is not None}

    replied, opted_out, converted = set(), set(), set()
    first_reply: dict[tuple[int, str], datetime] = {}
    response_times: list[float] = []
    answered: set[tuple[int, str]] = set()
    for msg in thread:
        key = (msg.business_id, msg.contact_phone or "")
        texted_at = first_text.get(key)
        if texted_at is None or msg.created_at < texted_at:
            continue
        in_window = msg.created_at - texted_at <= ATTRIBUTION_WINDOW
        if msg.direction == "in" and msg.kind == "reply" and in_window:
            replied.add(key)
            first_reply.setdefault(key, msg.created_at)
        elif msg.direction == "in" and msg.kind == "opt_out":
            opted_out.add(key)
        elif msg.kind in ANSWER_KINDS and key in first_reply and key not in answered:
            answered.add(key)
            response_times.append(_first_response(first_reply[key], msg.created_at,
                                                  handled.get(key)))
    for key, replied_at in first_reply.items():
        handled_at = handled.get(key)
        if key not in answered and handled_at is not None and handled_at >= replied_at:
            response_times.append((handled_at - replied_at).total_seconds())
    for ev in events:
        key = (ev.business_id, ev.phone)
        texted_at = first_text.get(key)
        if texted_at is not None and timedelta(0) <= ev.at - texted_at <= ATTRIBUTION_WINDOW:
            converted.add(key)

    texted = len(first_text)
    report.replies = len(replied)
    report.reply_rate = round(len(replied) / texted, 4)
    report.opt_outs = len(opted_out)
    report.opt_out_rate = round(len(opted_out) / texted, 4)
    report.conversions = len(converted)
    report.conversion_rate = round(len(converted) / texted, 4)
    if response_times:
        report.median_first_response_s = round(statistics.median(response_times), 1)
    report.first_response_s = sorted(response_times)
    return report


def _first_response(replied_at: datetime, answered_at: datetime,
                    handled_at: datetime | None) -> float:
    """An owner who marked the thread handled (they phoned the caller back) before any text
    answer responded then."""
    first = answered_at
    if handled_at is not None and replied_at <= handled_at < answered_at:
        first = handled_at
    return (first - replied_at).total_seconds()
