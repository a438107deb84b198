"""Words about bookings: texts to the team and the caller, and lists of offered times. Pure,
no I/O. Times are shown in the business's zone, e.g. "Tue 14 Jan 3:30 pm"; how one moment is
said ("Tuesday the 14th at 3 pm", "tomorrow at 9 am") is the kernel's
(:func:`receptionist.core.spoken_moment`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from receptionist.core import (
    WEEKDAY_KEYS,
    pretty_phone,
    spoken_moment,
    spoken_time,
)

__all__ = [
    "caller_cancelled_text",
    "caller_confirmation_text",
    "caller_moved_text",
    "caller_request_text",
    "short_time",
    "spoken_slots",
    "team_booking_text",
    "team_cancelled_text",
    "team_moved_text",
    "team_request_text",
]


def short_time(at: datetime) -> str:
    """``Tue 14 Jan 3:30 pm`` (``3 pm`` on the hour)."""
    day = WEEKDAY_KEYS[at.weekday()].title()
    return f"{day} {at.day} {at.strftime('%b')} {spoken_time(at.time())}"


def spoken_slots(starts: Sequence[datetime], *, now: datetime | None = None) -> str:
    """``3:30 pm or 4:15 pm`` on one day, otherwise each with its day."""
    if not starts:
        return ""
    same_day = len({s.date() for s in starts}) == 1
    parts = [spoken_moment(s, now=now) if not same_day or i == 0 else spoken_time(s.time())
             for i, s in enumerate(starts)]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]


def _who(name: str, phone: str) -> str:
    return f"{name} {pretty_phone(phone)}".strip()


def team_booking_text(service: str, start: datetime, name: str, phone: str,
                      source: str = "phone") -> str:
    how = "booked by phone" if source == "phone" else f"booked via {source}"
    return f"New booking: {service}, {short_time(start)}, {_who(name, phone)}, {how}"


def team_cancelled_text(service: str, start: datetime, name: str, phone: str) -> str:
    return f"Booking cancelled: {service}, {short_time(start)}, {_who(name, phone)}"


def team_moved_text(service: str, old_start: datetime, new_start: datetime, name: str,
                    phone: str) -> str:
    return (f"Booking moved: {service}, {short_time(old_start)} -> {short_time(new_start)}, "
            f"{_who(name, phone)}")


def team_request_text(service: str, start: datetime | None, name: str, phone: str,
                      what: str = "booking", reason: str = "calendar unreachable", *,
                      maybe_written: bool = False) -> str:
    when = short_time(start) if start else "no time given"
    written = ("the calendar did not answer the booking: check whether it is there before "
               "confirming" if maybe_written else "nothing was written to the calendar")
    return (f"Please confirm by text: {what} request for {service}, {when}, {_who(name, phone)} "
            f"({reason}; {written})")


def caller_confirmation_text(business: str, service: str, start: datetime,
                             business_phone: str | None) -> str:
    change = f" To change or cancel, call {pretty_phone(business_phone)}." if business_phone \
        else ""
    return f"{business}: you're booked for {service} on {short_time(start)}.{change}"


def caller_cancelled_text(business: str, service: str, start: datetime) -> str:
    return f"{business}: your {service} on {short_time(start)} is cancelled."


def caller_moved_text(business: str, service: str, start: datetime) -> str:
    return f"{business}: your {service} is moved to {short_time(start)}."


def caller_request_text(business: str, service: str, start: datetime | None) -> str:
    when = f" around {short_time(start)}" if start else ""
    return (f"{business}: we got your request for {service}{when}. "
            "The team will confirm your time by text shortly.")
