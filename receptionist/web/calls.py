"""``/calls`` (searchable, paginated) and ``/calls/{call_sid}``: everything the call record holds.

A call is read from the lifecycle's row and the records written beside it by natural key
(``call_sid``): its events, the agent's transcript, tool calls and summary, the text-back decision
and its SMS, a booking, a message taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, or_, select

from calendar_sync import Booking
from receptionist.agent import AgentMessage, CallSummary, ToolCallRow, TranscriptTurn
from receptionist.deps import DbDep
from receptionist.telephony.models import Call, CallEvent
from receptionist.web.templating import PageScopeDep, render
from textback import Decision, Message

__all__ = ["MISSED_REASONS", "SKIP_REASONS", "router"]

router = APIRouter()

PAGE_SIZE = 50
OUTCOMES = {"handled_by_ai": "Answered by AI", "answered_by_team": "Answered by team",
            "missed": "Missed"}
# The lifecycle's and the text-back policy's reason codes, in the owner's words.
MISSED_REASONS = {
    "hung_up_while_ringing": "the caller hung up while the phones rang",
    "no_answer": "nobody answered", "busy": "the line was busy", "failed": "the call failed",
    "dial_not_answered": "the team's phones were not answered",
    "answered_by_machine": "a voicemail answered the team's phone",
    "fallback": "Twilio could not reach the server (fallback URL)",
    "ai_unavailable": "the AI receptionist was unavailable",
    "hung_up_before_greeting": "the caller hung up before the greeting",
    "after_hours": "it was outside business hours",
    "textback_only": "the business is set to text back only",
}
SKIP_REASONS = {
    "disabled": "text-back is turned off", "anonymous": "the caller's number was withheld",
    "invalid_number": "the caller's number cannot receive texts",
    "own_number": "the call came from one of the business's own numbers",
    "team_member": "the caller is on the team", "opted_out": "the caller opted out of texts",
    "cooldown": "the caller was already texted within the cooldown",
}


@dataclass(frozen=True)
class CallPage:
    calls: list[Call]
    total: int
    page: int
    pages: int


def _search(stmt: Any, q: str) -> Any:
    term = q.strip()
    if not term:
        return stmt
    digits = "".join(c for c in term if c.isdigit())
    conditions = [Call.call_sid == term]
    if digits:
        conditions.append(Call.from_number.contains(digits))
    return stmt.where(or_(*conditions))


@router.get("/calls", response_class=HTMLResponse)
async def calls(request: Request, scope: PageScopeDep, db: DbDep,
                q: Annotated[str, Query(max_length=200)] = "",
                outcome: Annotated[str, Query(max_length=40)] = "",
                page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> HTMLResponse:
    business = scope.business
    if business is None:
        return render(request, scope, "calls.html", active="calls", title="Calls")
    if outcome and outcome not in OUTCOMES:
        raise HTTPException(422, f"outcome must be one of {', '.join(OUTCOMES)}")
    page = max(page, 1)
    stmt = _search(select(Call).where(Call.business_id == business.id), q)
    if outcome:
        stmt = stmt.where(Call.outcome == outcome)
    async with db.transaction() as session:
        total = int(await session.scalar(
            select(func.count()).select_from(stmt.order_by(None).subquery())) or 0)
        rows = list((await session.execute(
            stmt.order_by(Call.started_at.desc(), Call.id.desc())
            .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))).scalars())
    result = CallPage(rows, total, page, max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1))
    return render(request, scope, "calls.html", active="calls", title="Calls", result=result,
                  q=q, outcome=outcome, outcomes=OUTCOMES, reasons=MISSED_REASONS)


@dataclass(frozen=True)
class CallDetail:
    call: Call
    events: list[CallEvent]
    summary: CallSummary | None
    turns: list[TranscriptTurn]
    tools: list[ToolCallRow]
    decision: Decision | None
    texts: list[Message]
    bookings: list[Booking]
    messages: list[AgentMessage]

    @property
    def latencies_ms(self) -> list[int]:
        return [t.latency_ms for t in self.turns if t.latency_ms is not None]


async def load_call(db: Any, call_sid: str) -> CallDetail | None:
    async with db.transaction() as session:
        call = (await session.execute(
            select(Call).where(Call.call_sid == call_sid))).scalar_one_or_none()
        if call is None:
            return None

        async def rows(model: Any, *order: Any) -> list[Any]:
            return list((await session.execute(
                select(model).where(model.call_sid == call_sid).order_by(*order))).scalars())

        return CallDetail(
            call=call,
            events=await rows(CallEvent, CallEvent.at, CallEvent.id),
            summary=(await session.execute(select(CallSummary).where(
                CallSummary.call_sid == call_sid))).scalar_one_or_none(),
            turns=await rows(TranscriptTurn, TranscriptTurn.seq),
            tools=await rows(ToolCallRow, ToolCallRow.seq),
            decision=(await session.execute(select(Decision).where(
                Decision.call_sid == call_sid))).scalar_one_or_none(),
            texts=await rows(Message, Message.created_at, Message.id),
            bookings=await rows(Booking, Booking.created_at),
            messages=await rows(AgentMessage, AgentMessage.created_at),
        )


@router.get("/calls/{call_sid}", response_class=HTMLResponse)
async def call_detail(request: Request, call_sid: str, scope: PageScopeDep,
                      db: DbDep) -> HTMLResponse:
    detail = await load_call(db, call_sid)
    if detail is None:
        raise HTTPException(404, "not found")
    scope.principal.require(detail.call.business_id)  # another tenant's call: 404
    return render(request, scope, "call.html", active="calls", title=f"Call {call_sid}",
                  d=detail, outcomes=OUTCOMES, reasons=MISSED_REASONS, skips=SKIP_REASONS)
