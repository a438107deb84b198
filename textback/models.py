"""Text-back tables: contacts (opt-out, cooldown, thread code), decisions, the SMS outbox/inbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from receptionist.core import Base, UTCDateTime, utcnow

__all__ = ["Contact", "ContactEvent", "Decision", "Message"]


class Contact(Base):
    """A caller as seen by one business: opt-out state, last text-back and reply-thread code."""

    __tablename__ = "textback_contact"
    __table_args__ = (
        UniqueConstraint("business_id", "phone"),
        UniqueConstraint("business_id", "short_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"))
    phone: Mapped[str] = mapped_column(String(20))
    first_name: Mapped[str | None] = mapped_column(String(100), default=None)
    short_code: Mapped[str] = mapped_column(String(8))
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_textback_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # When a text to this caller first carried "Reply STOP to opt out." (None: not yet).
    stop_notice_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The owner's inbox: when the thread was last opened (unread = caller texts after this) and
    # when it was marked handled (the response-time metric counts it as the team's answer).
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Decision(Base):
    """One row per missed call: texted or skipped (with the reason). Unique on the CallSid, so a
    call can never be decided (or texted) twice."""

    __tablename__ = "textback_decision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    business_id: Mapped[int] = mapped_column(
        ForeignKey("businesses.id", ondelete="CASCADE"), index=True
    )
    caller: Mapped[str | None] = mapped_column(String(64), default=None)
    missed_reason: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(10))  # "send" or "skip"
    skip_reason: Mapped[str | None] = mapped_column(String(40), default=None)
    message_id: Mapped[int | None] = mapped_column(Integer, default=None)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Message(Base):
    """Every SMS in or out. Outbound rows are the transactional outbox: written before sending,
    claimed and sent by the worker, then updated by status callbacks."""

    __tablename__ = "textback_message"
    __table_args__ = (
        Index("ix_textback_message_due", "status", "next_attempt_at"),
        Index("ix_textback_message_thread", "business_id", "contact_phone", "created_at"),
        # The owner pages and the report: a business's text-backs or replies in a period.
        Index("ix_textback_message_kind", "business_id", "kind", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(8))  # "out" | "in"
    kind: Mapped[str] = mapped_column(String(20))
    to_number: Mapped[str] = mapped_column(String(64))
    from_number: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    # The caller this message is about (its thread), whoever it was sent to.
    contact_phone: Mapped[str | None] = mapped_column(String(64), default=None)
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    provider_sid: Mapped[str | None] = mapped_column(String(64), default=None, unique=True)
    error_code: Mapped[str | None] = mapped_column(String(16), default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    dedupe_key: Mapped[str | None] = mapped_column(String(128), default=None, unique=True)
    call_sid: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    segments: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Held for the business's quiet hours until then (also its next_attempt_at).
    held_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    def shown_status(self, now: datetime) -> str:
        return shown_status(self.status, self.held_until, now)


def shown_status(status: str, held_until: datetime | None, now: datetime) -> str:
    """The status the owner sees: ``held`` while quiet hours keep a text waiting."""
    if status == "pending" and held_until is not None and held_until > now:
        return "held"
    return status


class ContactEvent(Base):
    """What happened with a caller after a text-back, for conversion: a handled call or a
    booking. Written by the application (call lifecycle, booking flow) through
    ``textback.note_conversion``."""

    __tablename__ = "textback_contact_event"
    __table_args__ = (Index("ix_textback_contact_event_lookup", "business_id", "phone", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"))
    phone: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))  # "handled_call" | "booking"
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
