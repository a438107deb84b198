"""Calendar tables: connections (secrets encrypted at rest), the calendars picked from them,
bookable services, booking rules per business, and every booking (also the ones the calendar
refused or could not take), so metrics can count conversions and nothing a caller asked for is
lost."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from receptionist.core import Base, UTCDateTime, utcnow

__all__ = ["BookableService", "Booking", "CalendarConnection", "CalendarPolicy", "CalendarRow",
           "ServiceOrigin"]


class ServiceOrigin(StrEnum):
    """Who set a bookable service: the owner (``service add``; a re-crawl never changes it),
    the crawled website (shown to the owner as "from the website — please check"), or a website
    service the owner removed (kept so that a re-crawl does not bring it back)."""

    OWNER = "owner"
    WEBSITE = "website"
    REMOVED = "removed"


class CalendarConnection(Base):
    """A CalDAV account, or the embedded server (``kind="embedded"``, no stored password: it is
    derived from the app secret)."""

    __tablename__ = "calendar_connection"
    __table_args__ = (UniqueConstraint("business_id", "kind", "url", "username"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    business_id: Mapped[int] = mapped_column(
        ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "caldav" | "embedded"
    url: Mapped[str] = mapped_column(String(500), default="")
    username: Mapped[str] = mapped_column(String(200), default="")
    password_encrypted: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CalendarRow(Base):
    """One calendar of a connection (a staff member, a room). ``href`` is absolute for CalDAV
    accounts and a path on the embedded server (whose port may differ per process)."""

    __tablename__ = "calendar_calendar"
    __table_args__ = (UniqueConstraint("connection_id", "href"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    business_id: Mapped[int] = mapped_column(
        ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    connection_id: Mapped[int] = mapped_column(
        ForeignKey("calendar_connection.id", ondelete="CASCADE"))
    href: Mapped[str] = mapped_column(String(1000))
    name: Mapped[str] = mapped_column(String(200))
    selected: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class BookableService(Base):
    __tablename__ = "calendar_service"
    __table_args__ = (UniqueConstraint("business_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    business_id: Mapped[int] = mapped_column(
        ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    key: Mapped[str] = mapped_column(String(120))  # casefolded name, for lookups
    duration_minutes: Mapped[int] = mapped_column(Integer)
    buffer_before_minutes: Mapped[int] = mapped_column(Integer, default=0)
    buffer_after_minutes: Mapped[int] = mapped_column(Integer, default=0)
    calendars: Mapped[list[str]] = mapped_column(JSON, default=list)  # names; empty = any
    origin: Mapped[str] = mapped_column(String(16), default="owner", server_default="owner")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CalendarPolicy(Base):
    """Booking rules of one business; defaults come from settings when there is no row."""

    __tablename__ = "calendar_policy"

    business_id: Mapped[int] = mapped_column(
        ForeignKey("businesses.id", ondelete="CASCADE"), primary_key=True)
    notice_minutes: Mapped[int] = mapped_column(Integer)
    horizon_days: Mapped[int] = mapped_column(Integer)
    slot_minutes: Mapped[int] = mapped_column(Integer)


class Booking(Base):
    """A booking as we asked for it and as it ended up (``status``: pending, booked, taken,
    requested, cancelled). ``call_sid`` is the call it came from, by natural key."""

    __tablename__ = "calendar_booking"
    __table_args__ = (
        Index("ix_calendar_booking_caller", "business_id", "caller_phone", "start_at"),
        Index("ix_calendar_booking_status", "business_id", "status", "start_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"))
    uid: Mapped[str | None] = mapped_column(String(255), default=None, unique=True)
    calendar_id: Mapped[int | None] = mapped_column(
        ForeignKey("calendar_calendar.id", ondelete="SET NULL"), default=None)
    href: Mapped[str | None] = mapped_column(String(1000), default=None)
    etag: Mapped[str | None] = mapped_column(String(255), default=None)
    service: Mapped[str] = mapped_column(String(120))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    caller_name: Mapped[str] = mapped_column(String(200))
    caller_phone: Mapped[str] = mapped_column(String(32))
    notes: Mapped[str] = mapped_column(Text, default="")
    call_sid: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    source: Mapped[str] = mapped_column(String(20), default="phone")
    status: Mapped[str] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
