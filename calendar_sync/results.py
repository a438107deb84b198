"""What the calendar API returns: frozen value objects with a ``to_json`` for the CLI and routes.
Times are aware and in the business's time zone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from calendar_sync.availability import Slot
from calendar_sync.when import TimeRange

__all__ = [
    "BookingInfo",
    "BookingResult",
    "BookingStatus",
    "CalendarInfo",
    "CancelResult",
    "ConnectionCheck",
    "ServiceInfo",
    "SlotSearch",
]


class BookingStatus(StrEnum):
    PENDING = "pending"          # being written (a crash leaves it for the team to check)
    BOOKED = "booked"            # in the calendar
    TAKEN = "taken"              # the slot was not free; alternatives were offered
    REQUESTED = "requested"      # the calendar could not be reached: the team confirms by text
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    name: str
    minutes: int
    buffer_before_minutes: int
    buffer_after_minutes: int
    calendars: tuple[str, ...]
    from_website: bool = False  # taken from the crawled site; the owner has not confirmed it

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "minutes": self.minutes,
                "buffer_before_minutes": self.buffer_before_minutes,
                "buffer_after_minutes": self.buffer_after_minutes,
                "calendars": list(self.calendars), "from_website": self.from_website}


@dataclass(frozen=True, slots=True)
class CalendarInfo:
    name: str
    url: str
    kind: str              # "caldav" or "embedded"
    selected: bool

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "url": self.url, "kind": self.kind, "selected": self.selected}


@dataclass(frozen=True, slots=True)
class ConnectionCheck:
    ok: bool
    kind: str
    calendars: tuple[tuple[str, str | None], ...]  # (name, error or None)
    elapsed_ms: float

    def to_json(self) -> dict[str, object]:
        return {"ok": self.ok, "kind": self.kind, "elapsed_ms": round(self.elapsed_ms, 1),
                "calendars": [{"name": n, "ok": e is None, "error": e}
                              for n, e in self.calendars]}


@dataclass(frozen=True, slots=True)
class BookingInfo:
    id: int
    uid: str | None
    service: str
    start: datetime
    end: datetime
    caller_name: str
    caller_phone: str
    status: BookingStatus
    calendar: str | None = None
    notes: str = ""
    call_sid: str | None = None
    source: str = "phone"

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "uid": self.uid, "service": self.service,
                "start": self.start.isoformat(), "end": self.end.isoformat(),
                "caller_name": self.caller_name, "caller_phone": self.caller_phone,
                "status": self.status.value, "calendar": self.calendar, "notes": self.notes,
                "call_sid": self.call_sid, "source": self.source}


@dataclass(frozen=True, slots=True)
class BookingResult:
    """The outcome of ``book`` or ``reschedule``; ``status`` is one of

    * ``booked``: in the calendar (``uid``, ``calendar``);
    * ``taken``: not bookable (``reason``: busy, closed, too_soon, too_far), see ``alternatives``;
    * ``requested``: the calendar could not be reached; recorded for the team, who confirm by
      text;
    * ``not_found`` / ``ambiguous`` (reschedule): no upcoming booking for that phone, or several
      (``candidates``: ask the caller which).

    ``message`` is a sentence the agent can say."""

    status: str
    service: str
    start: datetime
    end: datetime
    caller_name: str
    caller_phone: str
    uid: str | None = None
    booking_id: int | None = None
    calendar: str | None = None
    reason: str | None = None
    alternatives: tuple[Slot, ...] = ()
    candidates: tuple[BookingInfo, ...] = ()
    message: str = ""

    @property
    def booked(self) -> bool:
        return self.status == "booked"

    def to_json(self) -> dict[str, object]:
        return {"status": self.status, "uid": self.uid, "start": self.start.isoformat(),
                "end": self.end.isoformat(),
                "alternatives": [s.to_json() for s in self.alternatives],
                "service": self.service, "calendar": self.calendar, "reason": self.reason,
                "booking_id": self.booking_id, "message": self.message,
                "candidates": [b.to_json() for b in self.candidates]}


@dataclass(frozen=True, slots=True)
class CancelResult:
    """``cancelled`` | ``not_found`` | ``ambiguous`` (several upcoming bookings: ask which, see
    ``candidates``) | ``requested`` (calendar unreachable; the team will do it)."""

    status: str
    booking: BookingInfo | None = None
    candidates: tuple[BookingInfo, ...] = ()
    message: str = ""

    def to_json(self) -> dict[str, object]:
        return {"status": self.status,
                "booking": self.booking.to_json() if self.booking else None,
                "candidates": [b.to_json() for b in self.candidates], "message": self.message}


@dataclass(frozen=True, slots=True)
class SlotSearch:
    """Free slots in ``range``. When the caller named an exact time, ``preferred_free`` says
    whether it is bookable and ``alternatives`` are the nearest other starts."""

    service: str
    range: TimeRange
    slots: tuple[Slot, ...]
    preferred_free: bool | None = None
    alternatives: tuple[Slot, ...] = field(default=())
    message: str = ""  # what the agent can say: a few well-spread options

    def to_json(self) -> dict[str, object]:
        return {"service": self.service, "range": self.range.to_json(),
                "slots": [s.to_json() for s in self.slots],
                "preferred_free": self.preferred_free,
                "alternatives": [s.to_json() for s in self.alternatives],
                "message": self.message}
