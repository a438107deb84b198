"""Writing an outbound SMS into the outbox, inside the caller's transaction: the row first, the
send later (:class:`textback.outbox.OutboxWorker`)."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, insert

from receptionist.core import Executor, dialect_name, insert_ignore
from textback.models import Message
from textback.segments import count_segments

__all__ = ["enqueue", "enqueue_once"]

_MESSAGES = cast(Table, Message.__table__)
_INSERT = insert(_MESSAGES).returning(_MESSAGES.c.id)


async def enqueue(
    session: Executor,
    *,
    business_id: int,
    to: str,
    from_: str,
    body: str,
    kind: str,
    now: datetime,
    contact_phone: str | None = None,
    call_sid: str | None = None,
    dedupe_key: str | None = None,
    claimed: bool = False,
    canceled_reason: str | None = None,
    held_until: datetime | None = None,
) -> Message:
    """Add an outbound SMS to the outbox in the caller's transaction; the worker sends it.

    ``claimed`` writes the row already claimed by this process, to be handed to
    :meth:`OutboxWorker.submit` right after the commit: it skips the claim round trip on the
    text-back's hot path. A crash before the send leaves it ``sending``, which
    :meth:`OutboxWorker.reconcile_stale` settles later, as for any interrupted send.
    ``held_until`` (quiet hours) keeps the row pending until then; it cannot be ``claimed``."""
    values = _row(business_id=business_id, to=to, from_=from_, body=body, kind=kind, now=now,
                  contact_phone=contact_phone, call_sid=call_sid, dedupe_key=dedupe_key,
                  claimed=claimed, canceled_reason=canceled_reason, held_until=held_until)
    # A Core insert: every missed call's text passes here; the row comes back as a detached
    # snapshot (not in the session), which is all callers and the worker read.
    msg_id = await session.scalar(_INSERT, values)
    return Message(id=msg_id, **values)


async def enqueue_once(
    session: Executor,
    *,
    business_id: int,
    to: str,
    from_: str,
    body: str,
    kind: str,
    now: datetime,
    dedupe_key: str,
    contact_phone: str | None = None,
    call_sid: str | None = None,
    claimed: bool = False,
    held_until: datetime | None = None,
) -> Message | None:
    """:func:`enqueue` unless a text with ``dedupe_key`` exists already (then ``None``, and
    nothing is written): one statement, race-free (``ON CONFLICT DO NOTHING``)."""
    values = _row(business_id=business_id, to=to, from_=from_, body=body, kind=kind, now=now,
                  contact_phone=contact_phone, call_sid=call_sid, dedupe_key=dedupe_key,
                  claimed=claimed, canceled_reason=None, held_until=held_until)
    msg_id = await session.scalar(_insert_once(dialect_name(session)), values)
    return Message(id=msg_id, **values) if msg_id is not None else None


def _row(*, business_id: int, to: str, from_: str, body: str, kind: str, now: datetime,
         contact_phone: str | None, call_sid: str | None, dedupe_key: str | None,
         claimed: bool, canceled_reason: str | None,
         held_until: datetime | None) -> dict[str, Any]:
    claimed = claimed and held_until is None
    return {
        "business_id": business_id, "direction": "out", "kind": kind, "to_number": to,
        "from_number": from_, "body": body, "contact_phone": contact_phone,
        "status": "canceled" if canceled_reason else "sending" if claimed else "pending",
        "attempts": 1 if claimed and not canceled_reason else 0, "error": canceled_reason,
        "claimed_at": now if claimed else None, "next_attempt_at": held_until or now,
        "held_until": held_until, "call_sid": call_sid,
        "dedupe_key": dedupe_key, "segments": count_segments(body).segments, "created_at": now,
    }


@cache
def _insert_once(dialect: str) -> Any:
    return insert_ignore(dialect, _MESSAGES, ["dedupe_key"]).returning(_MESSAGES.c.id)
