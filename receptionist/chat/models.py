"""The text channel's one table: a conversation in progress. Its turns, tools and summary are
written to the agent's tables (``agent_transcript_turn``, ``agent_tool_call``,
``agent_call_summary`` with ``engine="chat"``) under the conversation id, like a call's under its
CallSid; it never has a ``calls`` row, so it is never decided as missed nor texted back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from receptionist.core import Base, UTCDateTime, utcnow

__all__ = ["ChatConversation"]


class ChatConversation(Base):
    __tablename__ = "chat_conversation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(64), unique=True)
    business_id: Mapped[int] = mapped_column(
        ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    caller_phone: Mapped[str | None] = mapped_column(String(64), default=None)
    # the local brain's memory between two turns (any instance may serve the next one)
    dialog: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    turn_count: Mapped[int] = mapped_column(Integer, default=0)  # guards concurrent turns
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
