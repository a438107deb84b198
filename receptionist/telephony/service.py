"""Applies lifecycle events to stored calls: load, advance, store, decide — one transaction.

The text-back decision (and its outbox row) is written in the same transaction as the outcome,
so a retried or duplicated callback, or a second instance, can never text a caller twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from receptionist.core import (
    Business,
    Clock,
    Database,
    get_business,
    insert_ignore,
    log_event,
    mask,
)
from receptionist.telephony.lifecycle import (
    CallState,
    ConversationStarted,
    Event,
    MissedReason,
    Outcome,
    Phase,
    StreamStarted,
    Transition,
    advance,
)
from receptionist.telephony.models import Call, CallEvent
from textback import Decision, OutboxWorker, decide_missed_call, note_conversion

__all__ = ["Applied", "CallService"]

log = logging.getLogger("receptionist.calls")


@dataclass(frozen=True)
class Applied:
    transition: Transition
    decision: Decision | None

    @property
    def will_text(self) -> bool:
        return self.decision is not None and self.decision.action == "send"


class CallService:
    def __init__(self, db: Database, outbox: OutboxWorker, clock: Clock) -> None:
        self.db = db
        self.outbox = outbox
        self.clock = clock

    async def apply(self, call_sid: str, event: Event, *, business: Business | None,
                    from_number: str | None = None, to_number: str | None = None,
                    data: dict[str, Any] | None = None) -> Applied:
        async with self.db.transaction() as session:
            applied = await self.apply_in(session, call_sid, event, business=business,
                                          from_number=from_number, to_number=to_number,
                                          data=data, claim_texts=self.outbox.running)
        # A text-back written already claimed goes straight to this process's worker.
        for msg in session.info.pop("claimed", []):
            self.outbox.submit(msg)
        return applied

    async def apply_in(self, session: AsyncSession, call_sid: str, event: Event, *,
                       business: Business | None, from_number: str | None = None,
                       to_number: str | None = None,
                       data: dict[str, Any] | None = None,
                       claim_texts: bool = False) -> Applied:
        now = self.clock.now()
        call = await _load_for_update(session, call_sid, business, from_number, to_number, now)
        transition = advance(_state_of(call), event)
        _store(call, transition.state)
        session.add(CallEvent(call_sid=call_sid, kind=type(event).__name__,
                              data=data or {}, at=now))
        decision = None
        if transition.decided:
            if business is None and call.business_id is not None:
                business = await get_business(session, call.business_id)
            call.decided_at = now
            if transition.state.phase is Phase.ENDED:
                call.ended_at = now
            log_event(log, "call.decided", call_sid=call_sid, outcome=call.outcome,
                      reason=call.missed_reason, caller=mask(call.from_number))
            if business is not None and transition.state.outcome is Outcome.MISSED:
                decision = await decide_missed_call(
                    session, business, call_sid=call_sid, caller=call.from_number,
                    missed_reason=str(transition.state.missed_reason),
                    after_hours=call.after_hours, now=now, claim=claim_texts,
                )
            elif business is not None and call.from_number:
                await note_conversion(session, business.id, call.from_number, "handled_call", now)
        elif transition.state.phase is Phase.ENDED or call.outcome is not None:
            decision = (await session.execute(
                select(Decision).where(Decision.call_sid == call_sid)
            )).scalar_one_or_none()
        return Applied(transition, decision)

    # The media server's view of the lifecycle (``receptionist.media.ports.CallLifecycle``).

    async def stream_started(self, call_sid: str) -> None:
        await self.apply(call_sid, StreamStarted(), business=None)

    async def conversation_started(self, call_sid: str) -> None:
        await self.apply(call_sid, ConversationStarted(), business=None)

    async def caller_of(self, call_sid: str) -> str | None:
        call = await self.get(call_sid)
        return call.from_number if call is not None else None

    async def get(self, call_sid: str) -> Call | None:
        async with self.db.transaction() as session:
            return (await session.execute(
                select(Call).where(Call.call_sid == call_sid)
            )).scalar_one_or_none()


async def _load_for_update(session: AsyncSession, call_sid: str, business: Business | None,
                           from_number: str | None, to_number: str | None, now: Any) -> Call:
    # Callbacks can arrive before the incoming-call webhook (or without it): create the row if
    # missing, race-free, then hold it for this transaction.
    dialect = session.get_bind().dialect.name
    await session.execute(insert_ignore(dialect, Call, ["call_sid"]).values(
        call_sid=call_sid, business_id=business.id if business else None,
        from_number=from_number, to_number=to_number, started_at=now, phase="new",
        routing="", team_answered=False, stream_started=False, conversation_started=False,
        after_hours=False,
    ))
    call = (await session.execute(
        select(Call).where(Call.call_sid == call_sid).with_for_update()
        .execution_options(populate_existing=True)
    )).scalar_one()
    if call.business_id is None and business is not None:
        call.business_id = business.id
    call.from_number = call.from_number or from_number
    call.to_number = call.to_number or to_number
    return call


def _state_of(call: Call) -> CallState:
    return CallState(
        phase=Phase(call.phase), routing=call.routing, team_answered=call.team_answered,
        stream_started=call.stream_started, conversation_started=call.conversation_started,
        after_hours=call.after_hours,
        missed_hint=MissedReason(call.missed_hint) if call.missed_hint else None,
        outcome=Outcome(call.outcome) if call.outcome else None,
        missed_reason=MissedReason(call.missed_reason) if call.missed_reason else None,
    )


def _store(call: Call, state: CallState) -> None:
    call.phase = state.phase.value
    call.routing = state.routing
    call.team_answered = state.team_answered
    call.stream_started = state.stream_started
    call.conversation_started = state.conversation_started
    call.after_hours = state.after_hours
    call.missed_hint = state.missed_hint.value if state.missed_hint else None
    call.outcome = state.outcome.value if state.outcome else None
    call.missed_reason = state.missed_reason.value if state.missed_reason else None
