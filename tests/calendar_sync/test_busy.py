"""Busy time read from real-world iCalendar objects (fixtures in tests/fixtures/calendars)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calendar_sync import busy_from_ical
from calendar_sync.busy import _COMPLEX, BOOKING_MARKER, _read_simple, busy_from_vevent
from calendar_sync.ical import BookingEvent, booking_ical

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "calendars"
NY = ZoneInfo("America/New_York")
START = datetime(2026, 12, 1, tzinfo=NY)
END = datetime(2026, 12, 31, tzinfo=NY)


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def local(items, tz=NY) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(f"{b.start.astimezone(tz):%m-%d %H:%M}-{b.end.astimezone(tz):%H:%M}"
                  for b in items)


def test_recurring_with_exdate_moved_and_cancelled_instances():
    busy = busy_from_ical([fixture("weekly_standup.ics")], START, END, NY)
    assert local(busy) == [
        "12-01 09:00-10:00",
        "12-03 09:00-10:00",
        # 12-08 excluded by EXDATE
        "12-10 14:00-15:00",   # RECURRENCE-ID moved it to 2 pm
        "12-17 09:00-10:00",   # 12-15 cancelled by its override
        "12-22 09:00-10:00",
        "12-24 09:00-10:00",
        "12-29 09:00-10:00",   # 12-31 is past the window's end
    ]
    assert {b.uid for b in busy} == {"standup-1@fixture.example"}


def test_all_day_events_block_whole_local_days():
    busy = busy_from_ical([fixture("all_day_vacation.ics")], START, END, NY)
    assert len(busy) == 1
    assert busy[0].start.astimezone(NY) == datetime(2026, 12, 9, tzinfo=NY)
    assert busy[0].end.astimezone(NY) == datetime(2026, 12, 11, tzinfo=NY)


@pytest.mark.parametrize("name", ["birthday_transparent.ics", "cancelled_meeting.ics"])
def test_transparent_and_cancelled_events_are_free(name):
    assert busy_from_ical([fixture(name)], START, END, NY) == []


def test_events_in_other_zones_keep_their_zone():
    busy = busy_from_ical([fixture("london_call.ics")], START, END, NY)
    assert local(busy) == ["12-07 11:00-11:30"]


def test_floating_times_are_read_in_the_business_zone():
    assert local(busy_from_ical([fixture("floating_lunch.ics")], START, END, NY)) == \
        ["12-07 12:30-13:15"]
    chicago = ZoneInfo("America/Chicago")
    assert local(busy_from_ical([fixture("floating_lunch.ics")], START, END, chicago),
                 chicago) == ["12-07 12:30-13:15"]


def test_window_limits_the_occurrences():
    busy = busy_from_ical([fixture("weekly_standup.ics")], datetime(2026, 12, 3, 9, 30, tzinfo=NY),
                          datetime(2026, 12, 3, 9, 45, tzinfo=NY), NY)
    assert local(busy) == ["12-03 09:00-10:00"]


def test_a_broken_object_does_not_hide_the_others():
    texts = ["BEGIN:VCALENDAR\nthis is not ical", fixture("london_call.ics")]
    assert local(busy_from_ical(texts, START, END, NY)) == ["12-07 11:00-11:30"]


def test_our_bookings_are_marked():
    start = datetime(2026, 12, 7, 10, tzinfo=NY)
    text = booking_ical(BookingEvent("u1@x", start, start + timedelta(hours=1), "Drain cleaning",
                                     "Jane", "+12025550143", 7), now=start)
    [busy] = busy_from_ical([text], START, END, NY)
    assert busy.booking and busy.uid == "u1@x"
    assert BOOKING_MARKER in text
    [other] = busy_from_ical([fixture("london_call.ics")], START, END, NY)
    assert not other.booking


# -- the fast reader agrees with icalendar on plain events -----------------------------------

ZONES = ["America/New_York", "Europe/London", "Asia/Kolkata", "Australia/Lord_Howe"]


@st.composite
def plain_event(draw: st.DrawFn) -> str:
    day = datetime(2026, 1, 1) + timedelta(days=draw(st.integers(0, 364)),
                                           minutes=15 * draw(st.integers(0, 95)))
    kind = draw(st.sampled_from(["utc", "tzid", "floating", "date"]))
    length = timedelta(minutes=15 * draw(st.integers(0, 40)))
    zone = draw(st.sampled_from(ZONES))
    quoted = draw(st.booleans())

    def stamp(moment: datetime, prop: str) -> str:
        if kind == "utc":
            return f"{prop}:{moment:%Y%m%dT%H%M%S}Z"
        if kind == "tzid":
            tzid = f'"{zone}"' if quoted else zone
            return f"{prop};TZID={tzid}:{moment:%Y%m%dT%H%M%S}"
        if kind == "date":
            return f"{prop};VALUE=DATE:{moment:%Y%m%d}"
        return f"{prop}:{moment:%Y%m%dT%H%M%S}"

    ending = draw(st.sampled_from(["dtend", "duration", "none"]))
    if kind == "date":
        length = timedelta(days=draw(st.integers(1, 3)))
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//prop//EN", "BEGIN:VEVENT",
             f"UID:{draw(st.sampled_from(['a@x', 'b,c@x', 'semi;colon@x']))}".replace(
                 ",", "\\,").replace(";colon", "\\;colon"),
             "DTSTAMP:20260101T000000Z", stamp(day, "DTSTART")]
    if ending == "dtend":
        lines.append(stamp(day + length, "DTEND"))
    elif ending == "duration":
        minutes = int(length.total_seconds() // 60)
        lines.append(f"DURATION:P{minutes // 1440}DT{minutes % 1440 // 60}H{minutes % 60}M"
                     if kind != "date" else f"DURATION:P{length.days}D")
    for prop, values in (("TRANSP", ["OPAQUE", "TRANSPARENT"]),
                         ("STATUS", ["CANCELLED", "CONFIRMED", "TENTATIVE"])):
        choice = draw(st.sampled_from([None, *values]))
        if choice:
            lines.append(f"{prop}:{choice}")
    if draw(st.booleans()):
        lines.append(f"{BOOKING_MARKER}:1")
    if draw(st.booleans()):
        lines.append("SUMMARY:" + "a long summary, folded; " * 8)
    if draw(st.booleans()):
        lines += ["BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:-PT15M", "DESCRIPTION:x",
                  "END:VALARM"]
    lines += ["END:VEVENT", "END:VCALENDAR"]
    text = "\r\n".join(lines) + "\r\n"
    return icalendar.Calendar.from_ical(text).to_ical().decode()  # folded as servers fold


@pytest.mark.slow  # a comparison over many generated calendars
@settings(max_examples=300, deadline=None)
@given(plain_event(), st.sampled_from(["America/New_York", "UTC", "Asia/Tokyo"]))
def test_fast_reader_matches_icalendar(text: str, zone: str) -> None:
    tz = ZoneInfo(zone)
    fast = _read_simple(text, tz)
    assert fast is not _COMPLEX
    [vevent] = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert fast == busy_from_vevent(vevent, tz)


@pytest.mark.parametrize("name", ["weekly_standup.ics"])
def test_complex_objects_take_the_full_parser(name):
    assert _read_simple(fixture(name), NY) is _COMPLEX
