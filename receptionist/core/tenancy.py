"""Businesses, their phone numbers and team members: who a call or text belongs to.

One deployment serves many businesses; the number a call or text was sent to (``To``) picks the
business. Team members carry what they want to be told about (replies, bookings, messages).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from receptionist.core.clock import utcnow
from receptionist.core.db import Base, UTCDateTime
from receptionist.core.hours import WeeklyHours
from receptionist.core.phones import InvalidPhoneNumber, normalize
from receptionist.core.routing import NOTIFY_KINDS, Routing

__all__ = [
    "NOTIFY_KINDS",
    "Business",
    "BusinessNotFound",
    "PhoneNumber",
    "Routing",
    "TeamMember",
    "business_for_number",
    "get_business",
]

class BusinessNotFound(LookupError):
    """No business matches the number or id given."""


class Business(Base):
    __tablename__ = "businesses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="America/New_York")
    routing: Mapped[str] = mapped_column(String(32), default=Routing.RING_THEN_TEXTBACK.value)
    forward_to: Mapped[str | None] = mapped_column(String(20), default=None)
    ring_seconds: Mapped[int] = mapped_column(Integer, default=20)
    booking_link: Mapped[str | None] = mapped_column(Text, default=None)
    hours: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    closed_dates: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Outside hours skip ringing: apologise, hang up, text back with the after-hours template.
    after_hours_textback: Mapped[bool] = mapped_column(Boolean, default=True)
    textback_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    textback_cooldown_hours: Mapped[int] = mapped_column(Integer, default=24)
    textback_template: Mapped[str | None] = mapped_column(Text, default=None)
    textback_after_hours_template: Mapped[str | None] = mapped_column(Text, default=None)
    # The first text to a caller says "Reply STOP to opt out." when its template does not.
    textback_stop_notice: Mapped[bool] = mapped_column(Boolean, default=True)
    # "21:00-08:00" in the caller's local time: text-backs wait until it ends. None: send at once.
    textback_quiet_hours: Mapped[str | None] = mapped_column(String(11), default=None)
    greeting: Mapped[str | None] = mapped_column(Text, default=None)
    address: Mapped[str | None] = mapped_column(Text, default=None)
    # Fields the owner set by hand; a website re-crawl never overwrites these.
    overrides: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    numbers: Mapped[list[PhoneNumber]] = relationship(
        back_populates="business", cascade="all, delete-orphan", order_by="PhoneNumber.id"
    )
    team: Mapped[list[TeamMember]] = relationship(
        back_populates="business", cascade="all, delete-orphan", order_by="TeamMember.id"
    )

    @property
    def weekly_hours(self) -> WeeklyHours:
        return WeeklyHours.from_json(self.hours)

    @property
    def closed(self) -> frozenset[date]:
        return frozenset(date.fromisoformat(d) for d in self.closed_dates or [])

    def is_open_at(self, moment: datetime) -> bool:
        """Open now? A business with no hours set counts as always open."""
        hours = self.weekly_hours
        if hours.is_empty:
            return True
        return hours.is_open_at(moment, self.timezone, self.closed)

    @property
    def routing_mode(self) -> Routing | None:
        """The stored routing as the enum; None for a value this version does not know."""
        try:
            return Routing(self.routing)
        except ValueError:
            return None

    def ring_targets(self) -> list[str]:
        """Who gets rung (and a transfer dials): the forwarding number, else the team's phones."""
        if self.forward_to:
            return [self.forward_to]
        return list(dict.fromkeys(m.phone for m in self.team if m.phone))

    @property
    def primary_number(self) -> str | None:
        return self.numbers[0].number if self.numbers else None

    def own_or_website(self, field: str, website: Any) -> Any:
        """The owner's value beats the website's: this business's ``field`` when the owner set it
        by hand (even to nothing) or it has one, else what the website says."""
        own = getattr(self, field)
        return own if field in (self.overrides or []) or own else website

    def mark_overridden(self, *fields: str) -> None:
        self.overrides = sorted(set(self.overrides or []) | set(fields))

    def team_for(self, kind: str) -> list[TeamMember]:
        return [m for m in self.team if kind in m.receives_kinds]

    def to_json(self) -> dict[str, object]:
        """The business as the JSON API and ``business … --json`` show it."""
        return {
            "id": self.id, "name": self.name, "numbers": [n.number for n in self.numbers],
            "timezone": self.timezone, "routing": self.routing, "forward_to": self.forward_to,
            "ring_seconds": self.ring_seconds, "booking_link": self.booking_link,
            "hours": self.weekly_hours.to_text(), "closed": self.closed_dates,
            "address": self.address, "greeting": self.greeting, "overrides": self.overrides,
            "textback": {"enabled": self.textback_enabled,
                         "cooldown_hours": self.textback_cooldown_hours,
                         "template": self.textback_template,
                         "after_hours_template": self.textback_after_hours_template,
                         "stop_notice": self.textback_stop_notice,
                         "quiet_hours": self.textback_quiet_hours},
            "team": [{"id": m.id, "name": m.name, "phone": m.phone,
                      "receives": m.receives_kinds} for m in self.team],
        }


class PhoneNumber(Base):
    __tablename__ = "phone_numbers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(20), unique=True)
    business: Mapped[Business] = relationship(back_populates="numbers")


class TeamMember(Base):
    __tablename__ = "team_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    business_id: Mapped[int] = mapped_column(
        ForeignKey("businesses.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(20))
    receives: Mapped[str] = mapped_column(String(100), default="replies,bookings,messages")
    business: Mapped[Business] = relationship(back_populates="team")

    @property
    def receives_kinds(self) -> list[str]:
        return [k for k in self.receives.split(",") if k]


def _with_children() -> Any:
    # One round trip: a business has a handful of numbers and team members.
    return (joinedload(Business.numbers), joinedload(Business.team))


async def business_for_number(session: AsyncSession, number: str) -> Business | None:
    """The business that owns ``number`` (E.164), with its numbers and team loaded."""
    stmt = (
        select(Business)
        .join(PhoneNumber, PhoneNumber.business_id == Business.id)
        .where(PhoneNumber.number == number)
        .options(*_with_children())
    )
    return (await session.execute(stmt)).unique().scalars().first()


async def get_business(session: AsyncSession, ref: str | int) -> Business:
    """Find a business by id or by one of its numbers, as the CLI and API accept either."""
    text = str(ref).strip()
    if text.isascii() and text.isdigit() and len(text) < 9:  # not "¹": int() refuses it
        stmt = select(Business).where(Business.id == int(text)).options(*_with_children())
        found = (await session.execute(stmt)).unique().scalars().first()
    else:
        try:
            number = normalize(text)
        except InvalidPhoneNumber as exc:
            raise BusinessNotFound(f"{text!r} is neither a business id nor a phone number") from exc
        found = await business_for_number(session, number)
    if found is None:
        raise BusinessNotFound(
            f"no business with id or number {text!r}; see `receptionist business list`"
        )
    return found


async def all_businesses(session: AsyncSession) -> list[Business]:
    stmt = select(Business).order_by(Business.id).options(*_with_children())
    return list((await session.execute(stmt)).unique().scalars().all())
