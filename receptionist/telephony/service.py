"""Applies lifecycle events to stored calls: load, advance, store, decide — one transaction.

The text-back decision (and its outbox row) is written in the same transaction as the outcome,
so a retried or duplicated callback, or a second instance, can never text a caller twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, func, insert, select, update

from receptionist.core import (
    REVISION_NOW,
    Business,
    BusinessDirectory,
    Clock,
    Database,
    Executor,
    Routing,
    StaleDirectory,
    dialect_insert,
    dialect_name,
    get_business,
    insert_ignore,
    log_event,
    mask,
    orm_session,
    try_normalize,
)
from receptionist.telephony.lifecycle import (
    CallState,
    ConversationStarted,
    Event,
    IncomingCall,
    MissedReason,
    Outcome,
    Phase,
    StreamEnded,
    StreamStarted,
    Transition,
    advance,
)
from receptionist.telephony.models import Call, CallEvent
from textback import (
    Message,
    OutboxWorker,
    TextbackDecision,
    decide_missed_call,
    decision_for_call,
    note_conversion,
)

__all__ = ["STREAM_END_GRACE", "Applied", "CallService", "CallWebhook"]

log = logging.getLogger("receptionist.calls")
# Every webhook runs these: Core statements built once and run with parameters, because building
# a statement and the ORM's unit of work cost more here than the SQL itself.
_CALLS = cast(Table, Call.__table__)
_UPDATE_CALL = update(_CALLS).where(_CALLS.c.id == bindparam("call_id"))
_INSERT_EVENT = insert(cast(Table, CallEvent.__table__))
_INSERT_EVENT_READING_REVISION = _INSERT_EVENT.returning(REVISION_NOW)
# How long after a call's end its media server may still report the stream's end; past it the
# server is presumed gone and the call is decided without it (see ``settle_lost_streams``).
STREAM_END_GRACE = timedelta(seconds=20)


@dataclass(frozen=True)
class Applied:
    transition: Transition
    decision: TextbackDecision | None

    @property
    def will_text(self) -> bool:
        return self.decision is not None and self.decision.send


@dataclass(frozen=True)
class CallWebhook:
    """One voice webhook's unit of work: the business its ``To`` number belongs to, and the
    call's lifecycle advanced in the same transaction."""

    service: CallService
    conn: Executor
    business: Business | None
    claimed: list[Message]  # texts written already claimed, for the worker after the commit
    # The tenancy revision ``business`` was cached at, when it was taken from the directory
    # unread: ``apply`` checks it (see ``CallService.apply_in``).
    cached_at: int | None = None

    async def apply(self, call_sid: str, event: Event, *, from_number: str | None = None,
                    to_number: str | None = None,
                    data: dict[str, Any] | None = None) -> Applied:
        return await self.service.apply_in(
            self.conn, call_sid, event, business=self.business, from_number=from_number,
            to_number=to_number, data=data,
            claimed=self.claimed if self.service.outbox.running else None,
            business_cached_at=self.cached_at)


class CallService:
    def __init__(self, db: Database, outbox: OutboxWorker, clock: Clock,
                 directory: BusinessDirectory | None = None) -> None:
        self.db = db
        self.outbox = outbox
        self.clock = clock
        self.directory = directory or BusinessDirectory(db)

    @asynccontextmanager
    async def webhook(self, to: str | None) -> AsyncIterator[CallWebhook]:
        """One transaction for a webhook, on a plain connection (its Core statements skip an
        ORM session's bookkeeping): find the business, advance the call; texts queued already
        claimed go to this process's worker once it commits.

        A business in the directory's cache is taken unread; ``apply`` checks in the call's
        event insert that it is still current, and raises ``StaleDirectory`` (nothing is
        written) if not: the webhook then runs again (see ``receptionist.telephony.routes``)."""
        claimed: list[Message] = []
        async with self.db.connection() as conn:
            number = try_normalize(to)
            cached = self.directory.cached(number) if number else None
            if cached is not None:
                hook = CallWebhook(self, conn, cached[0], claimed, cached_at=cached[1])
            else:
                business = await self.directory.for_number(number, conn) if number else None
                hook = CallWebhook(self, conn, business, claimed)
            yield hook
        self._submit(claimed)

    async def apply(self, call_sid: str, event: Event, *, business: Business | None,
                    from_number: str | None = None, to_number: str | None = None,
                    data: dict[str, Any] | None = None) -> Applied:
        claimed: list[Message] = []
        async with self.db.connection() as conn:
            applied = await self.apply_in(conn, call_sid, event, business=business,
                                          from_number=from_number, to_number=to_number,
                                          data=data,
                                          claimed=claimed if self.outbox.running else None)
        self._submit(claimed)
        return applied

    def _submit(self, claimed: list[Message]) -> None:
        # A text-back written already claimed goes straight to this process's worker.
        for msg in claimed:
            self.outbox.submit(msg)

    async def apply_in(self, session: Executor, call_sid: str, event: Event, *,
                       business: Business | None, from_number: str | None = None,
                       to_number: str | None = None,
                       data: dict[str, Any] | None = None,
                       claimed: list[Message] | None = None,
                       business_cached_at: int | None = None) -> Applied:
        """``claimed``: where texts written already claimed go (``None``: written pending, for
        the worker's poll). ``business_cached_at``: the tenancy revision ``business`` was
        cached at, when it was not read in this transaction: checked in the event's insert,
        before the business decides anything, and ``StaleDirectory`` raised if it moved."""
        now = self.clock.now()
        call, transition, changes = await _advance(session, call_sid, event, business,
                                                   from_number, to_number, now)
        if changes:
            await session.execute(_UPDATE_CALL, {"call_id": call.id, **changes})
        recorded = {"call_sid": call_sid, "kind": type(event).__name__, "data": data or {},
                    "at": now}
        if business_cached_at is None:
            await session.execute(_INSERT_EVENT, recorded)
        elif (await session.scalar(_INSERT_EVENT_READING_REVISION, recorded) or 0) \
                != business_cached_at:
            self.directory.forget()
            raise StaleDirectory(call_sid)
        decision = None
        if transition.decided:
            if business is None and call.business_id is not None:
                async with orm_session(session) as orm:
                    business = await get_business(orm, call.business_id)
            log_event(log, "call.decided", call_sid=call_sid, outcome=transition.state.outcome,
                      reason=transition.state.missed_reason, caller=mask(call.from_number))
            if business is not None and transition.state.outcome is Outcome.MISSED:
                decision = await decide_missed_call(
                    session, business, call_sid=call_sid, caller=call.from_number,
                    missed_reason=str(transition.state.missed_reason),
                    after_hours=transition.state.after_hours, now=now, claimed=claimed,
                )
            elif business is not None and call.from_number:
                await note_conversion(session, business.id, call.from_number, "handled_call", now)
        elif transition.state.phase is Phase.ENDED or call.outcome is not None:
            decision = await decision_for_call(session, call_sid)
        return Applied(transition, decision)

    # The media server's view of the lifecycle (``receptionist.call.ports.CallLifecycle``).

    async def stream_started(self, call_sid: str) -> None:
        await self.apply(call_sid, StreamStarted(), business=None)

    async def conversation_started(self, call_sid: str) -> None:
        await self.apply(call_sid, ConversationStarted(), business=None)

    async def stream_ended(self, call_sid: str) -> None:
        await self.apply(call_sid, StreamEnded(), business=None)

    async def settle_lost_streams(self, *, grace: timedelta = STREAM_END_GRACE) -> int:
        """Decide calls that ended while their stream was live and whose media server never
        reported the stream's end (it crashed or lost the database): after ``grace`` nothing
        more can come, so they are decided on what is stored. Any instance may run it."""
        async with self.db.transaction() as session:
            sids = (await session.execute(
                select(Call.call_sid).where(Call.outcome.is_(None),
                                            Call.ended_status.is_not(None),
                                            Call.ended_at < self.clock.now() - grace)
            )).scalars().all()
        for sid in sids:
            await self.apply(sid, StreamEnded(), business=None, data={"settled": "no stream end"})
        return len(sids)

    async def settle_lost_streams_forever(self, every_s: float = 5.0) -> None:
        while True:
            await asyncio.sleep(every_s)
            try:
                settled = await self.settle_lost_streams()
            except Exception as exc:  # the database is away: the next round tries again
                log_event(log, "call.settle_failed", logging.WARNING, error=repr(exc))
                continue
            if settled:
                log_event(log, "call.settled_without_stream_end", logging.WARNING, calls=settled)

    async def caller_of(self, call_sid: str) -> str | None:
        call = await self.get(call_sid)
        return call.from_number if call is not None else None

    async def get(self, call_sid: str) -> Call | None:
        async with self.db.transaction() as session:
            return (await session.execute(
                select(Call).where(Call.call_sid == call_sid)
            )).scalar_one_or_none()


async def _advance(session: Executor, call_sid: str, event: Event, business: Business | None,
                   from_number: str | None, to_number: str | None,
                   now: Any) -> tuple[Row[Any], Transition, dict[str, Any]]:
    """The call's row (held for the transaction), the event's transition, and the columns it
    changes that are not written yet.

    The incoming-call webhook almost always meets no row: it writes the new call as advanced
    already, in one insert that does nothing if the row exists (a callback came first, or a
    retry), and only then takes the general path: the upsert, then an update of what changed."""
    fresh = _new_call(call_sid, business, from_number, to_number, now)
    if isinstance(event, IncomingCall):
        transition = advance(CallState(), event)
        row = (await session.execute(_insert_new_call(dialect_name(session)), {
            **fresh, **_stored(transition.state), **_times(transition, now, None)})).first()
        if row is not None:
            return row, transition, {}
    # Callbacks can arrive before the incoming-call webhook (or without it): one upsert creates
    # the row if missing, race-free, fills in what an earlier callback did not know, holds the
    # row for this transaction (PostgreSQL's row lock; SQLite's write lock) and returns it.
    call = (await session.execute(_upsert_call(dialect_name(session)), fresh)).one()
    transition = advance(_state_of(call), event)
    changes = _changes(call, transition.state)
    changes.update(_times(transition, now, call.ended_at))
    return call, transition, changes


def _new_call(call_sid: str, business: Business | None, from_number: str | None,
              to_number: str | None, now: Any) -> dict[str, Any]:
    """A call row as first written, before any event (``CallState()``)."""
    return {
        "call_sid": call_sid, "business_id": business.id if business else None,
        "from_number": from_number, "to_number": to_number, "started_at": now, "phase": "new",
        "routing": "", "team_answered": False, "stream_started": False, "stream_ended": False,
        "conversation_started": False, "after_hours": False,
    }


def _times(transition: Transition, now: Any, ended_at: Any) -> dict[str, Any]:
    """When the call was decided and when it ended, if this transition did either."""
    times = {"decided_at": now} if transition.decided else {}
    if transition.state.phase is Phase.ENDED and ended_at is None:
        times["ended_at"] = now
    return times


@cache
def _insert_new_call(dialect: str) -> Any:
    return insert_ignore(dialect, _CALLS, ["call_sid"]).returning(*_CALLS.c)


@cache
def _upsert_call(dialect: str) -> Any:
    stmt = dialect_insert(dialect, _CALLS)
    return stmt.on_conflict_do_update(index_elements=["call_sid"], set_={
        name: func.coalesce(_CALLS.c[name], stmt.excluded[name])
        for name in ("business_id", "from_number", "to_number")
    }).returning(*_CALLS.c)


def _routing(stored: str) -> Routing | None:
    try:
        return Routing(stored)
    except ValueError:  # "" before the incoming call, or a mode this version does not know
        return None


def _state_of(call: Row[Any]) -> CallState:
    return CallState(
        phase=Phase(call.phase), routing=_routing(call.routing), team_answered=call.team_answered,
        stream_started=call.stream_started, stream_ended=call.stream_ended,
        conversation_started=call.conversation_started, after_hours=call.after_hours,
        ended_status=call.ended_status,
        missed_hint=MissedReason(call.missed_hint) if call.missed_hint else None,
        outcome=Outcome(call.outcome) if call.outcome else None,
        missed_reason=MissedReason(call.missed_reason) if call.missed_reason else None,
    )


def _changes(call: Row[Any], state: CallState) -> dict[str, Any]:
    """The columns ``state`` changes: a duplicate callback writes nothing to the call."""
    return {name: value for name, value in _stored(state).items()
            if getattr(call, name) != value}


def _stored(state: CallState) -> dict[str, Any]:
    """``state`` as the call's columns hold it."""
    return {
        "phase": state.phase.value, "routing": state.routing.value if state.routing else "",
        "team_answered": state.team_answered, "stream_started": state.stream_started,
        "stream_ended": state.stream_ended, "ended_status": state.ended_status,
        "conversation_started": state.conversation_started, "after_hours": state.after_hours,
        "missed_hint": state.missed_hint.value if state.missed_hint else None,
        "outcome": state.outcome.value if state.outcome else None,
        "missed_reason": state.missed_reason.value if state.missed_reason else None,
    }
