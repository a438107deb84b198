"""The VEVENT we write (RFC 5545 essentials) and how a move rewrites it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from calendar_sync.ical import BookingEvent, booking_ical, ical_uid, moved_ical, new_uid

NY = ZoneInfo("America/New_York")
START = datetime(2026, 12, 8, 15, 30, tzinfo=NY)
NOW = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)


def event(**changes: object) -> BookingEvent:
    values: dict[str, object] = dict(uid="abc@receptionist.invalid", start=START,
                                     end=START + timedelta(hours=1), service="Drain cleaning",
                                     caller_name="Jane Doe, Jr.", caller_phone="+12025550143",
                                     business_id=3, notes="kitchen; sink\nleaks",
                                     call_sid="CA123")
    values.update(changes)
    return BookingEvent(**values)  # type: ignore[arg-type]


def test_booking_event_has_the_required_properties():
    text = booking_ical(event(), now=NOW)
    assert "METHOD" not in text
    assert "\r\n" in text
    cal = icalendar.Calendar.from_ical(text)
    assert str(cal["VERSION"]) == "2.0" and "PRODID" in cal
    [tz] = cal.walk("VTIMEZONE")
    assert str(tz["TZID"]) == "America/New_York"
    [vevent] = cal.walk("VEVENT")
    assert str(vevent["UID"]) == "abc@receptionist.invalid"
    assert vevent["DTSTAMP"].dt == NOW
    assert vevent["DTSTART"].params["TZID"] == "America/New_York"
    assert vevent["DTSTART"].dt == START and vevent["DTEND"].dt == START + timedelta(hours=1)
    assert "DURATION" not in vevent
    assert str(vevent["STATUS"]) == "CONFIRMED" and str(vevent["TRANSP"]) == "OPAQUE"
    assert int(vevent["SEQUENCE"]) == 0
    assert str(vevent["SUMMARY"]) == "Drain cleaning – Jane Doe, Jr."
    description = str(vevent["DESCRIPTION"])
    assert "+12025550143" in description and "kitchen; sink\nleaks" in description
    assert str(vevent["X-CALL-SID"]) == "CA123"
    # escaped on the wire
    assert "Jane Doe\\, Jr." in text and "kitchen\\; sink\\nleaks" in text


def test_the_vtimezone_is_short():
    assert len(booking_ical(event(), now=NOW)) < 4000


def test_move_keeps_owner_edits_and_bumps_the_sequence():
    cal = icalendar.Calendar.from_ical(booking_ical(event(), now=NOW))
    [vevent] = cal.walk("VEVENT")
    vevent.add("location", "12 Elm St")  # the owner added this in their calendar app
    text = cal.to_ical().decode()
    later = START + timedelta(days=1)
    moved = icalendar.Calendar.from_ical(moved_ical(text, "abc@receptionist.invalid", later,
                                                    later + timedelta(hours=1),
                                                    now=NOW + timedelta(minutes=5)))
    [vevent] = moved.walk("VEVENT")
    assert vevent["DTSTART"].dt == later
    assert int(vevent["SEQUENCE"]) == 1
    assert vevent["DTSTAMP"].dt == NOW + timedelta(minutes=5)
    assert str(vevent["LOCATION"]) == "12 Elm St"
    assert len(moved.walk("VTIMEZONE")) == 1


def test_uids():
    uid, name = new_uid()
    assert uid.startswith(name) and "@" in uid and "@" not in name
    assert ical_uid(booking_ical(event(uid=uid), now=NOW)) == uid
    assert ical_uid("garbage") is None
