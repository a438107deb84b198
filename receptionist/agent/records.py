"""After the call: the transcript (both sides, timestamps, per-turn latency), the tools the agent
ran, a short summary and the outcome, written once per call.

The call machinery fills a ``CallRecorder`` as the call goes (it is one of the call's own
objects) and hands ``recorder.finish(...)`` to ``store_call`` when the call ends. Writing is
idempotent on ``call_sid``: a second write of the same call changes nothing.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from receptionist.agent.models import AgentMessage, CallSummary, ToolCallRow, TranscriptTurn
from receptionist.agent.ports import CallContext, ToolCall, ToolResult, Turn
from receptionist.core import Database, log_event

__all__ = [
    "CallRecord",
    "CallRecorder",
    "EndReason",
    "RecordedTool",
    "RecordedTurn",
    "StoredCall",
    "TurnStages",
    "list_messages",
    "load_call",
    "percentile",
    "store_call",
    "summarize",
]

log = logging.getLogger("receptionist.agent.records")



class EndReason(StrEnum):
    """Why a conversation ended, as stored on its record (``calls.end_reason``)."""

    CALLER_HUNG_UP = "caller_hung_up"
    AGENT_HUNG_UP = "agent_hung_up"
    TRANSFERRED = "transferred"
    MALFORMED_STREAM = "malformed_stream"
    ERROR = "error"

@dataclass(frozen=True, slots=True)
class TurnStages:
    """Where the wait of one answer went, in ms from the end of the caller's speech (the
    figures hosted voice platforms report per turn). ``eou_ms``: end-of-utterance detection
    (speech end -> turn declared over); ``stt_ms``: speech end -> final transcript; ``brain_ms``:
    turn over and transcript in -> first words of the reply; ``tts_ms``: first words -> first
    audio chunk."""

    eou_ms: int
    stt_ms: int
    brain_ms: int
    tts_ms: int


@dataclass(frozen=True)
class RecordedTurn:
    role: str  # "agent" | "caller"
    text: str
    at_ms: int  # since the stream started
    latency_ms: int | None = None  # agent turns: end of caller speech → first agent audio
    interrupted: bool = False
    stages: TurnStages | None = None  # agent turns of the pipeline engine


@dataclass(frozen=True)
class RecordedTool:
    call: ToolCall
    result: ToolResult
    at_ms: int
    duration_ms: int | None = None


@dataclass(frozen=True)
class CallRecord:
    call_sid: str
    business_id: int | None
    caller_phone: str | None
    started_at: datetime
    ended_at: datetime | None
    turns: tuple[RecordedTurn, ...]
    tools: tuple[RecordedTool, ...]
    engine: str | None = None
    brain: str | None = None
    outcome: str | None = None
    end_reason: EndReason | None = None
    degraded: bool = False


class CallRecorder:
    """Collects one call's turns and tool calls; owned by the call, dropped with it."""

    def __init__(self, ctx: CallContext, started_at: datetime) -> None:
        self.ctx = ctx
        self.started_at = started_at
        self.turns: list[RecordedTurn] = []
        self.tools: list[RecordedTool] = []
        self.degraded = False
        self.brain: str | None = None

    def caller(self, text: str, at_ms: int) -> None:
        if text.strip():
            self.turns.append(RecordedTurn("caller", text.strip(), at_ms))

    def agent(self, text: str, at_ms: int, *, latency_ms: int | None = None,
              interrupted: bool = False, stages: TurnStages | None = None) -> None:
        if text.strip():
            self.turns.append(RecordedTurn("agent", text.strip(), at_ms, latency_ms, interrupted,
                                           stages))

    def turn(self, turn: Turn, *, latency_ms: int | None = None) -> None:
        if turn.role == "caller":
            self.caller(turn.text, turn.at_ms)
        else:
            self.agent(turn.text, turn.at_ms, latency_ms=latency_ms)

    def tool(self, call: ToolCall, result: ToolResult, at_ms: int,
             duration_ms: int | None = None) -> None:
        self.tools.append(RecordedTool(call, result, at_ms, duration_ms))

    def finish(self, ended_at: datetime | None, *, outcome: str | None = None,
               end_reason: EndReason | None = None, engine: str | None = None) -> CallRecord:
        return CallRecord(
            call_sid=self.ctx.call_sid, business_id=self.ctx.business_id,
            caller_phone=self.ctx.caller_phone, started_at=self.started_at, ended_at=ended_at,
            turns=tuple(self.turns), tools=tuple(self.tools), engine=engine, brain=self.brain,
            outcome=outcome, end_reason=end_reason, degraded=self.degraded,
        )


def percentile(values: list[int], q: float) -> int | None:
    """Nearest-rank percentile (``q`` in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def summarize(record: CallRecord) -> str:
    """A few plain sentences for the owner: what the caller wanted and what the agent did."""
    parts: list[str] = []
    asked: list[str] = []
    for tool in record.tools:
        name, args, result = tool.call.name, tool.call.arguments, tool.result
        if name == "business_info" and args.get("topic") not in asked:
            asked.append(str(args.get("topic")))
        elif name == "search_knowledge":
            q = str(args.get("question", ""))[:80]
            found = "answered" if result.data.get("answer_found") else "not found"
            parts.append(f"Asked: “{q}” ({found}).")
        elif name == "book":
            if result.ok:
                parts.append(f"Booked {result.data.get('service')} on {result.data.get('label')} "
                             f"for {result.data.get('name')}.")
            else:
                parts.append(f"Booking failed ({result.error}).")
        elif name == "cancel_or_reschedule" and result.ok and args.get("action") != "lookup":
            what = "Cancelled" if args.get("action") == "cancel" else "Moved"
            parts.append(f"{what} a booking ({result.data.get('label')}).")
        elif name == "take_message" and result.ok:
            urgent = " (urgent)" if args.get("urgency") == "urgent" else ""
            parts.append(f"Message taken{urgent}: {str(args.get('reason', ''))[:160]}")
        elif name == "send_link" and result.ok:
            parts.append(f"Texted the {args.get('kind')} link.")
        elif name == "transfer_to_human" and result.ok:
            parts.append("Transferred to the team.")
        elif not result.ok and result.error == "calendar_unavailable":
            parts.append("Calendar unreachable; request passed to the team.")
    if asked:
        parts.insert(0, f"Asked about {', '.join(asked)}.")
    if record.degraded:
        parts.append("The AI model failed during the call; the local receptionist took over.")
    if not parts:
        said = [t.text for t in record.turns if t.role == "caller"]
        parts.append(f"Caller said: “{said[0][:120]}”" if said else "The caller said nothing.")
    return " ".join(parts)


async def store_call(db: Database, record: CallRecord) -> bool:
    """Write a finished call once. Returns False when it was already stored."""
    latencies = [t.latency_ms for t in record.turns if t.latency_ms is not None]
    duration = (round((record.ended_at - record.started_at).total_seconds())
                if record.ended_at else None)
    tool_names = {(t.call.name, t.result.ok) for t in record.tools}
    try:
        async with db.transaction() as session:
            exists = await session.scalar(
                select(CallSummary.id).where(CallSummary.call_sid == record.call_sid))
            if exists is not None:
                return False
            session.add(CallSummary(
                call_sid=record.call_sid, business_id=record.business_id,
                caller_phone=record.caller_phone, engine=record.engine, brain=record.brain,
                outcome=record.outcome, end_reason=record.end_reason,
                summary=summarize(record), turn_count=len(record.turns),
                latency_p50_ms=percentile(latencies, 50),
                latency_p95_ms=percentile(latencies, 95),
                booked=("book", True) in tool_names,
                message_taken=("take_message", True) in tool_names,
                transferred=("transfer_to_human", True) in tool_names,
                degraded=record.degraded, started_at=record.started_at,
                ended_at=record.ended_at, duration_s=duration,
            ))
            for seq, turn in enumerate(record.turns):
                stages = turn.stages
                session.add(TranscriptTurn(
                    call_sid=record.call_sid, seq=seq, role=turn.role, text=turn.text,
                    at_ms=turn.at_ms, latency_ms=turn.latency_ms, interrupted=turn.interrupted,
                    eou_ms=stages.eou_ms if stages else None,
                    stt_ms=stages.stt_ms if stages else None,
                    brain_ms=stages.brain_ms if stages else None,
                    tts_ms=stages.tts_ms if stages else None))
            for seq, tool in enumerate(record.tools):
                session.add(ToolCallRow(
                    call_sid=record.call_sid, seq=seq, at_ms=tool.at_ms, name=tool.call.name,
                    arguments=_jsonable(tool.call.arguments), ok=tool.result.ok,
                    error=tool.result.error, result=_jsonable(tool.result.data),
                    action=tool.result.action, duration_ms=tool.duration_ms))
    except IntegrityError:  # another instance stored it first
        return False
    log_event(log, "agent.call_stored", call_sid=record.call_sid, turns=len(record.turns),
              tools=len(record.tools), p50_ms=percentile(latencies, 50))
    return True


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


@dataclass(frozen=True)
class StoredCall:
    summary: CallSummary
    turns: list[TranscriptTurn] = field(default_factory=list)
    tools: list[ToolCallRow] = field(default_factory=list)
    messages: list[AgentMessage] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        s = self.summary
        return {
            "call_sid": s.call_sid, "business_id": s.business_id, "outcome": s.outcome,
            "summary": s.summary, "engine": s.engine, "brain": s.brain,
            "started_at": s.started_at.isoformat(),
            "ended_at": s.ended_at.isoformat() if s.ended_at else None,
            "latency_p50_ms": s.latency_p50_ms, "latency_p95_ms": s.latency_p95_ms,
            "turns": [{"role": t.role, "text": t.text, "at_ms": t.at_ms,
                       "latency_ms": t.latency_ms, "interrupted": t.interrupted,
                       "stages_ms": _stages_json(t)}
                      for t in self.turns],
            "tools": [{"name": t.name, "arguments": t.arguments, "ok": t.ok, "error": t.error,
                       "action": t.action, "at_ms": t.at_ms} for t in self.tools],
            "messages": [{"kind": m.kind, "name": m.name, "reason": m.reason,
                          "urgency": m.urgency} for m in self.messages],
        }


def _stages_json(turn: TranscriptTurn) -> dict[str, int] | None:
    if turn.eou_ms is None:
        return None
    return {"eou": turn.eou_ms, "stt": turn.stt_ms or 0, "brain": turn.brain_ms or 0,
            "tts": turn.tts_ms or 0}


async def load_call(db: Database, call_sid: str) -> StoredCall | None:
    async with db.transaction() as session:
        summary = await session.scalar(
            select(CallSummary).where(CallSummary.call_sid == call_sid))
        if summary is None:
            return None
        turns = (await session.scalars(select(TranscriptTurn).where(
            TranscriptTurn.call_sid == call_sid).order_by(TranscriptTurn.seq))).all()
        tools = (await session.scalars(select(ToolCallRow).where(
            ToolCallRow.call_sid == call_sid).order_by(ToolCallRow.seq))).all()
        messages = (await session.scalars(select(AgentMessage).where(
            AgentMessage.call_sid == call_sid).order_by(AgentMessage.id))).all()
    return StoredCall(summary, list(turns), list(tools), list(messages))


async def list_messages(db: Database, business_id: int | None = None, *, limit: int = 50
                        ) -> list[AgentMessage]:
    """Messages and requests for the team, newest first (dashboard, CLI)."""
    async with db.transaction() as session:
        stmt = select(AgentMessage).order_by(AgentMessage.id.desc()).limit(limit)
        if business_id is not None:
            stmt = stmt.where(AgentMessage.business_id == business_id)
        return list((await session.scalars(stmt)).all())
