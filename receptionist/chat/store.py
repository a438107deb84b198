"""A text conversation in the database, written the way a call is recorded: its turns in
``agent_transcript_turn``, its tools in ``agent_tool_call``, a summary in ``agent_call_summary``
(``engine="chat"``), all under the conversation id; plus the ``chat_conversation`` row that
holds what the next turn needs. One short transaction per turn."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update

from receptionist.agent import (
    AgentMessage,
    CallAction,
    CallRecord,
    CallSummary,
    EndReason,
    RecordedTool,
    RecordedTurn,
    ToolCall,
    ToolCallRow,
    ToolResult,
    TranscriptTurn,
    summarize,
)
from receptionist.chat.errors import ConversationBusy
from receptionist.chat.models import ChatConversation
from receptionist.core import Business, Clock, Database

__all__ = ["CHANNEL", "ChatStore", "ChatTranscript", "Conversation"]

CHANNEL = "chat"  # the engine a chat's summary names: the text channel, no speech


@dataclass(frozen=True)
class Conversation:
    conversation_id: str
    business_id: int
    business_name: str
    timezone: str
    caller_phone: str | None
    dialog: dict[str, Any] | None
    turn_count: int
    tool_count: int
    turns: tuple[RecordedTurn, ...]
    started_at: datetime
    ended: bool
    degraded: bool


@dataclass(frozen=True)
class ChatTranscript:
    conversation_id: str
    business_id: int
    ended: bool
    turns: list[dict[str, str]]
    bookings: list[dict[str, Any]] = field(default_factory=list)
    texts: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The ``receptionist chat --json`` shape."""
        return {"turns": self.turns, "bookings": self.bookings, "texts": self.texts,
                "messages": self.messages}


def _ms(since: datetime, now: datetime) -> int:
    return max(0, round((now - since).total_seconds() * 1000))


class ChatStore:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def open(self, conversation_id: str, business_id: int, caller_phone: str | None,
                   greeting: str, *, brain: str) -> None:
        now = self.clock.now()
        async with self.db.transaction() as session:
            session.add(ChatConversation(
                conversation_id=conversation_id, business_id=business_id,
                caller_phone=caller_phone, turn_count=1, started_at=now, updated_at=now))
            session.add(CallSummary(
                call_sid=conversation_id, business_id=business_id, caller_phone=caller_phone,
                engine=CHANNEL, brain=brain, summary="The caller said nothing.", turn_count=1,
                started_at=now, ended_at=now, duration_s=0))
            session.add(TranscriptTurn(call_sid=conversation_id, seq=0, role="agent",
                                       text=greeting, at_ms=0))

    async def load(self, conversation_id: str) -> Conversation | None:
        async with self.db.transaction() as session:
            row = await session.scalar(select(ChatConversation).where(
                ChatConversation.conversation_id == conversation_id))
            if row is None:
                return None
            business = await session.get(Business, row.business_id)
            summary = await session.scalar(select(CallSummary).where(
                CallSummary.call_sid == conversation_id))
            turns = (await session.scalars(select(TranscriptTurn).where(
                TranscriptTurn.call_sid == conversation_id).order_by(TranscriptTurn.seq))).all()
            tools = await session.scalar(select(func.count(ToolCallRow.id)).where(
                ToolCallRow.call_sid == conversation_id))
        return Conversation(
            conversation_id=conversation_id, business_id=row.business_id,
            business_name=business.name if business else "", timezone=business.timezone
            if business else "UTC", caller_phone=row.caller_phone, dialog=row.dialog,
            turn_count=row.turn_count, tool_count=int(tools or 0),
            turns=tuple(RecordedTurn(t.role, t.text, t.at_ms) for t in turns),
            started_at=row.started_at, ended=row.ended_at is not None,
            degraded=bool(summary and summary.degraded))

    async def append(self, conversation: Conversation, *, caller: str, agent: str,
                     tools: list[tuple[ToolCall, ToolResult]], dialog: dict[str, Any] | None,
                     ended: bool, degraded: bool) -> None:
        """Write one exchange; ``ConversationBusy`` if another was written since ``load``."""
        now = self.clock.now()
        at_ms = _ms(conversation.started_at, now)
        cid, seq = conversation.conversation_id, conversation.turn_count
        async with self.db.transaction() as session:
            claimed = await session.execute(
                update(ChatConversation)
                .where(ChatConversation.conversation_id == cid,
                       ChatConversation.turn_count == seq)
                .values(turn_count=seq + 2, dialog=dialog, updated_at=now,
                        ended_at=now if ended else None))
            if getattr(claimed, "rowcount", 0) != 1:
                raise ConversationBusy(cid)
            new_turns = [RecordedTurn("caller", caller, at_ms), RecordedTurn("agent", agent, at_ms)]
            for offset, turn in enumerate(new_turns):
                if turn.text:
                    session.add(TranscriptTurn(call_sid=cid, seq=seq + offset, role=turn.role,
                                               text=turn.text, at_ms=at_ms))
            for offset, (call, result) in enumerate(tools):
                session.add(ToolCallRow(
                    call_sid=cid, seq=conversation.tool_count + offset, at_ms=at_ms,
                    name=call.name, arguments=_jsonable(call.arguments), ok=result.ok,
                    error=result.error, result=_jsonable(result.data), action=result.action))
            await session.flush()
            rows = (await session.scalars(select(ToolCallRow).where(
                ToolCallRow.call_sid == cid).order_by(ToolCallRow.seq))).all()
            record = CallRecord(
                call_sid=cid, business_id=conversation.business_id,
                caller_phone=conversation.caller_phone, started_at=conversation.started_at,
                ended_at=now, turns=(*conversation.turns, *new_turns),
                tools=tuple(RecordedTool(ToolCall(str(r.seq), r.name, dict(r.arguments or {})),
                                         ToolResult(r.ok, dict(r.result or {}), r.error,
                                                    _action(r.action)), r.at_ms)
                                 for r in rows),
                engine=CHANNEL, degraded=degraded or conversation.degraded)
            names = {(r.name, r.ok) for r in rows}
            await session.execute(
                update(CallSummary).where(CallSummary.call_sid == cid).values(
                    summary=summarize(record), turn_count=len(record.turns),
                    booked=("book", True) in names,
                    message_taken=("take_message", True) in names,
                    degraded=record.degraded, ended_at=now,
                    end_reason=EndReason.AGENT_HUNG_UP if ended else None,
                    duration_s=round((now - conversation.started_at).total_seconds())))

    async def transcript(self, conversation_id: str) -> ChatTranscript | None:
        from calendar_sync import Booking
        from textback import Message

        async with self.db.transaction() as session:
            row = await session.scalar(select(ChatConversation).where(
                ChatConversation.conversation_id == conversation_id))
            if row is None:
                return None
            turns = (await session.scalars(select(TranscriptTurn).where(
                TranscriptTurn.call_sid == conversation_id).order_by(TranscriptTurn.seq))).all()
            bookings = (await session.scalars(select(Booking).where(
                Booking.call_sid == conversation_id).order_by(Booking.id))).all()
            messages = (await session.scalars(select(AgentMessage).where(
                AgentMessage.call_sid == conversation_id).order_by(AgentMessage.id))).all()
            # the team's texts name the booking or the message they are about, not the chat
            about = [Message.dedupe_key.startswith(f"{verb}:{b.uid or b.id}:")
                     for b in bookings for verb in ("booking", "cancel", "move")]
            about += [Message.dedupe_key.startswith(f"agent-msg:{m.id}:") for m in messages]
            texts = (await session.scalars(select(Message).where(
                Message.direction == "out", Message.business_id == row.business_id,
                or_(Message.call_sid == conversation_id, *about)).order_by(Message.id))).all()
        return ChatTranscript(
            conversation_id=conversation_id, business_id=row.business_id,
            ended=row.ended_at is not None,
            turns=[{"role": t.role, "text": t.text} for t in turns],
            bookings=[{"service": b.service, "start": b.start_at.isoformat(),
                       "name": b.caller_name, "status": b.status} for b in bookings],
            texts=[{"to": m.to_number, "kind": m.kind, "body": m.body, "status": m.status}
                   for m in texts],
            messages=[{"kind": m.kind, "name": m.name, "reason": m.reason,
                       "urgency": m.urgency} for m in messages])


def _action(stored: str | None) -> CallAction | None:
    try:
        return CallAction(stored) if stored else None
    except ValueError:  # stored by a version with an action this one does not know
        return None


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
