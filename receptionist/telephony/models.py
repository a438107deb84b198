"""Calls and their event log. One row per inbound call, keyed by Twilio's CallSid."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from receptionist.core import Base, UTCDateTime, utcnow

__all__ = ["Call", "CallEvent"]


class Call(Base):
    __tablename__ = "calls"
    # The owner pages: a business's calls, newest first, and its calls in a period.
    __table_args__ = (Index("ix_calls_business_started", "business_id", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    business_id: Mapped[int | None] = mapped_column(
        ForeignKey("businesses.id", ondelete="SET NULL"), index=True, default=None
    )
    from_number: Mapped[str | None] = mapped_column(String(64), default=None)
    to_number: Mapped[str | None] = mapped_column(String(64), default=None)
    routing: Mapped[str] = mapped_column(String(32), default="")
    phase: Mapped[str] = mapped_column(String(20), default="new")
    team_answered: Mapped[bool] = mapped_column(Boolean, default=False)
    stream_started: Mapped[bool] = mapped_column(Boolean, default=False)
    stream_ended: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    conversation_started: Mapped[bool] = mapped_column(Boolean, default=False)
    after_hours: Mapped[bool] = mapped_column(Boolean, default=False)
    missed_hint: Mapped[str | None] = mapped_column(String(40), default=None)
    outcome: Mapped[str | None] = mapped_column(String(20), default=None, index=True)
    missed_reason: Mapped[str | None] = mapped_column(String(40), default=None)
    # Twilio's final status while the stream's end is awaited (the lifecycle's docstring).
    ended_status: Mapped[str | None] = mapped_column(String(20), default=None)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    duration_s: Mapped[int | None] = mapped_column(Integer, default=None)


class CallEvent(Base):
    __tablename__ = "call_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
