"""The agent's tables: what was said on a call, what the agent did, and messages for the team.

Rows refer to a call by Twilio's ``call_sid`` (a natural key), never by a foreign key into the
telephony tables. A finished call is written once (``records.store_call``); a message is written
the moment it is taken, in the same transaction as the team's text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from receptionist.core import Base, UTCDateTime, utcnow

__all__ = ["AgentMessage", "CallSummary", "ToolCallRow", "TranscriptTurn"]


class CallSummary(Base):
    """One row per finished AI conversation."""

    __tablename__ = "agent_call_summary"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    business_id: Mapped[int | None] = mapped_column(
        ForeignKey("businesses.id", ondelete="SET NULL"), index=True, default=None
    )
    caller_phone: Mapped[str | None] = mapped_column(String(64), default=None)
    engine: Mapped[str | None] = mapped_column(String(20), default=None)
    brain: Mapped[str | None] = mapped_column(String(20), default=None)
    outcome: Mapped[str | None] = mapped_column(String(20), default=None)
    end_reason: Mapped[str | None] = mapped_column(String(40), default=None)
    summary: Mapped[str] = mapped_column(Text, default="")
    turn_count: Mapped[int] = mapped_column(Integer, default=0)
    latency_p50_ms: Mapped[int | None] = mapped_column(Integer, default=None)
    latency_p95_ms: Mapped[int | None] = mapped_column(Integer, default=None)
    booked: Mapped[bool] = mapped_column(Boolean, default=False)
    message_taken: Mapped[bool] = mapped_column(Boolean, default=False)
    transferred: Mapped[bool] = mapped_column(Boolean, default=False)
    degraded: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    duration_s: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TranscriptTurn(Base):
    """One spoken turn. ``at_ms`` counts from the stream start; ``latency_ms`` (agent turns) is
    end of the caller's speech → first agent audio."""

    __tablename__ = "agent_transcript_turn"
    __table_args__ = (UniqueConstraint("call_sid", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(10))  # "agent" | "caller"
    text: Mapped[str] = mapped_column(Text)
    at_ms: Mapped[int] = mapped_column(Integer)
    latency_ms: Mapped[int | None] = mapped_column(Integer, default=None)
    interrupted: Mapped[bool] = mapped_column(Boolean, default=False)
    # Where ``latency_ms`` went (``records.TurnStages``); pipeline answers only.
    eou_ms: Mapped[int | None] = mapped_column(Integer, default=None)
    stt_ms: Mapped[int | None] = mapped_column(Integer, default=None)
    brain_ms: Mapped[int | None] = mapped_column(Integer, default=None)
    tts_ms: Mapped[int | None] = mapped_column(Integer, default=None)


class ToolCallRow(Base):
    """One tool the agent ran, with its (validated) arguments and the result it spoke from."""

    __tablename__ = "agent_tool_call"
    __table_args__ = (UniqueConstraint("call_sid", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    at_ms: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(64))
    arguments: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    action: Mapped[str | None] = mapped_column(String(20), default=None)
    duration_ms: Mapped[int | None] = mapped_column(Integer, default=None)


class AgentMessage(Base):
    """A message taken for the team, or a request the agent could not complete itself."""

    __tablename__ = "agent_message"
    __table_args__ = (Index("ix_agent_message_business_created", "business_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"))
    call_sid: Mapped[str | None] = mapped_column(String(64), index=True, default=None)
    kind: Mapped[str] = mapped_column(String(20))  # message | callback_request | transfer_missed
    caller_phone: Mapped[str | None] = mapped_column(String(64), default=None)
    name: Mapped[str | None] = mapped_column(String(120), default=None)
    reason: Mapped[str] = mapped_column(Text)
    urgency: Mapped[str] = mapped_column(String(10), default="normal")
    status: Mapped[str] = mapped_column(String(20), default="new")  # new | done
    team_texted: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
