"""The iCalendar objects this product writes (RFC 5545 through ``icalendar``). Pure, no I/O.

A booking is one VCALENDAR holding one VEVENT with UID, DTSTAMP (UTC), DTSTART/DTEND with the
business's TZID (and its VTIMEZONE), SUMMARY, DESCRIPTION with the caller's details,
STATUS:CONFIRMED, TRANSP:OPAQUE, SEQUENCE and the ``X-RECEPTIONIST-BOOKING`` marker. No METHOD.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import icalendar

from calendar_sync.busy import BOOKING_MARKER

__all__ = ["BookingEvent", "booking_ical", "ical_uid", "moved_ical", "new_uid"]

PRODID = "-//Receptionist//Calendar booking//EN"
UID_DOMAIN = "receptionist.invalid"


def new_uid() -> tuple[str, str]:
    """A fresh (UID, resource name): the UID carries a domain, the name is plain hex."""
    hex_id = uuid.uuid4().hex
    return f"{hex_id}@{UID_DOMAIN}", hex_id


@dataclass(frozen=True, slots=True)
class BookingEvent:
    uid: str
    start: datetime  # aware, in the business's zone (becomes the TZID)
    end: datetime
    service: str
    caller_name: str
    caller_phone: str
    business_id: int
    notes: str = ""
    source: str = "phone"
    call_sid: str | None = None


def booking_ical(event: BookingEvent, *, now: datetime) -> str:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    vevent = icalendar.Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", now.astimezone(UTC))
    vevent.add("created", now.astimezone(UTC))
    vevent.add("dtstart", event.start)
    vevent.add("dtend", event.end)
    vevent.add("summary", f"{event.service} – {event.caller_name}")
    lines = [f"Booked by {'phone' if event.source == 'phone' else event.source} "
             "(AI receptionist).", f"Caller: {event.caller_name}", f"Phone: {event.caller_phone}"]
    if event.notes:
        lines.append(f"Notes: {event.notes}")
    vevent.add("description", "\n".join(lines))
    vevent.add("status", "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    vevent.add("sequence", 0)
    vevent.add(BOOKING_MARKER, str(event.business_id))
    if event.call_sid:
        vevent.add("X-CALL-SID", event.call_sid)
    cal.add_component(vevent)
    _add_timezones(cal, event.start)
    return str(cal.to_ical().decode())


def moved_ical(text: str, uid: str, start: datetime, end: datetime, *, now: datetime) -> str:
    """The stored object with the booking moved: new DTSTART/DTEND, SEQUENCE + 1, fresh DTSTAMP.
    Anything the owner added to the event (notes, alarms) is kept."""
    cal = icalendar.Calendar.from_ical(text)
    found = False
    for vevent in cal.walk("VEVENT"):
        if str(vevent.get("UID")) != uid:
            continue
        found = True
        for prop in ("DTSTART", "DTEND", "DURATION", "DTSTAMP", "SEQUENCE", "LAST-MODIFIED"):
            vevent.pop(prop, None)
        vevent.add("dtstart", start)
        vevent.add("dtend", end)
        vevent.add("dtstamp", now.astimezone(UTC))
        vevent.add("last-modified", now.astimezone(UTC))
        vevent.add("sequence", _sequence(text, uid) + 1)
    if not found:
        raise ValueError(f"the stored event has no VEVENT with UID {uid}")
    known = {str(tz.get("TZID")) for tz in cal.walk("VTIMEZONE")}
    if getattr(start.tzinfo, "key", None) not in known:
        _add_timezones(cal, start)
    return str(cal.to_ical().decode())


def ical_uid(text: str) -> str | None:
    try:
        cal = icalendar.Calendar.from_ical(text)
    except ValueError:
        return None
    for vevent in cal.walk("VEVENT"):
        if "UID" in vevent:
            return str(vevent["UID"])
    return None


def _sequence(text: str, uid: str) -> int:
    cal = icalendar.Calendar.from_ical(text)
    for vevent in cal.walk("VEVENT"):
        if str(vevent.get("UID")) == uid and "SEQUENCE" in vevent:
            return int(str(vevent["SEQUENCE"]))
    return 0


def _add_timezones(cal: icalendar.Calendar, around: datetime) -> None:
    # A VTIMEZONE for the years around the event: complete for it, and a few lines long rather
    # than icalendar's default of every transition since 1970.
    cal.add_missing_timezones(first_date=(around - timedelta(days=400)).date(),
                              last_date=(around + timedelta(days=800)).date())
