"""Property tests on iCalendar from servers: whatever a CalDAV server returns, reading busy time
never raises (a bad object is skipped) and every interval has start < end and overlaps the
window asked for."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from calendar_sync.busy import busy_from_ical

pytestmark = pytest.mark.slow  # a property search

TZ = ZoneInfo("America/New_York")
START = datetime(2026, 3, 1, tzinfo=UTC)
END = datetime(2026, 4, 1, tzinfo=UTC)
FAST = settings(max_examples=200, deadline=None)

STAMPS = st.one_of(
    st.from_regex(r"20260[34][0-3]\dT[0-2]\d[0-5]\d[0-5]\dZ?", fullmatch=True),
    st.from_regex(r"\d{8}(T\d{6}Z?)?", fullmatch=True),
    st.sampled_from(["20261399T250000", "99991231T235959", "00010101", "20260230",
                     "２０２６０３１０", "", "garbage"]),
)
DURATIONS = st.one_of(
    st.from_regex(r"[+-]?P(\d{1,3}W)?(\d{1,3}D)?(T(\d{1,3}H)?(\d{1,3}M)?(\d{1,3}S)?)?",
                  fullmatch=True),
    st.sampled_from(["P99999999999W", "PT0S", "P", "-PT1H", "nonsense"]),
)
PARAMS = st.sampled_from(["", ";VALUE=DATE", ";TZID=Europe/London", ";TZID=Not/AZone",
                          ';TZID="America/Chicago"', ";TZID=", ";VALUE=DATE-TIME"])
EXTRA = st.lists(st.sampled_from([
    "RRULE:FREQ=DAILY;COUNT=3", "RRULE:FREQ=WEEKLY;UNTIL=garbage", "RRULE:nonsense",
    "EXDATE:20260310T100000Z", "RDATE:20260312T100000Z", "RECURRENCE-ID:20260310T100000Z",
    "TRANSP:TRANSPARENT", "STATUS:CANCELLED", "UID:x\\;y", "X-RECEPTIONIST-BOOKING:1",
    "BEGIN:VALARM", "END:VALARM", "END:VEVENT", "BEGIN:VEVENT", ":", "NOCOLON", ";:x",
]), max_size=3)


@st.composite
def calendars(draw: st.DrawFn) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//t//EN"]
    if draw(st.booleans()):
        zone = draw(st.sampled_from(["Europe/London", "Custom Zone", "America/Chicago"]))
        lines += ["BEGIN:VTIMEZONE", f"TZID:{zone}", "BEGIN:STANDARD",
                  "DTSTART:19701025T030000", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0000",
                  "END:STANDARD", "END:VTIMEZONE"]
    for _ in range(draw(st.integers(1, 2))):
        lines += ["BEGIN:VEVENT", "UID:e", "DTSTAMP:20260101T000000Z"]
        if draw(st.booleans()) or True:
            lines.append(f"DTSTART{draw(PARAMS)}:{draw(STAMPS)}")
        choice = draw(st.integers(0, 2))
        if choice == 0:
            lines.append(f"DTEND{draw(PARAMS)}:{draw(STAMPS)}")
        elif choice == 1:
            lines.append(f"DURATION:{draw(DURATIONS)}")
        lines += draw(EXTRA)
        lines.append("END:VEVENT")
    if draw(st.booleans()):
        lines.append("END:VCALENDAR")
    return draw(st.sampled_from(["\r\n", "\n"])).join(lines)


def _event(dtstart: str, tail: str) -> str:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\n"
            f"DTSTART:{dtstart}\r\n{tail}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


@FAST
@given(st.lists(st.one_of(calendars(), st.text(max_size=200)), max_size=3))
@example([_event("20261399T250000", "DTEND:20260310T110000Z")])  # month 13, hour 25
@example([_event("20260310T100000Z", "DURATION:P99999999999W")])  # past datetime's range
@example([_event("99991231T235959Z", "DURATION:PT1H")])
# a second VEVENT with no DTSTART nested in the first: the recurrence expander asks for it
@example(["BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:e\r\n"
          "DTSTAMP:20260101T000000Z\r\nDTSTART:20260301T000000\r\nBEGIN:VEVENT\r\n"
          "END:VEVENT\r\nEND:VEVENT\r\nEND:VCALENDAR"])
# RECURRENCE-ID twice: the expander reads a list where it wants one date
@example(["BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:e\r\n"
          "DTSTAMP:20260101T000000Z\r\nDTSTART:20260300T000000\r\nDTEND:00000000\r\nEND:VEVENT"
          "\r\nBEGIN:VEVENT\r\nUID:e\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20261399T250000\r\n"
          "DTEND:20260300T000000\r\nRECURRENCE-ID:20260310T100000Z\r\n"
          "RECURRENCE-ID:20260310T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR"])
def test_busy_intervals_are_well_formed(texts: list[str]) -> None:
    for busy in busy_from_ical(texts, START, END, TZ):
        assert busy.start < busy.end
        assert busy.start < END and busy.end > START
        assert busy.start.tzinfo is not None and busy.end.tzinfo is not None
