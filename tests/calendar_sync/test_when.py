"""What callers say, as ranges in the business's zone, relative to a fixed "now"."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from calendar_sync import DailyWindow, WhenNotUnderstood, date_range, parse_when

NY = ZoneInfo("America/New_York")
# Thursday 8 January 2026, 10:12 in New York.
NOW = datetime(2026, 1, 8, 10, 12, tzinfo=NY)


def window(a: int, b: int | None = None) -> DailyWindow:
    return DailyWindow(time(a), time(b) if b is not None else None)


@pytest.mark.parametrize("text,first_day,last_day,daily,preferred", [
    ("next Tuesday after 3", "2026-01-13", "2026-01-13", window(15), None),
    ("tomorrow morning", "2026-01-09", "2026-01-09", window(0, 12), None),
    ("the 14th", "2026-01-14", "2026-01-14", None, None),
    ("on the 5th", "2026-02-05", "2026-02-05", None, None),           # the 5th has passed
    ("Tuesday at 2:30", "2026-01-13", "2026-01-13", None, "2026-01-13T14:30"),
    ("this afternoon", "2026-01-08", "2026-01-08", window(12, 17), None),
    ("tonight", "2026-01-08", "2026-01-08", window(17), None),
    ("as soon as possible", "2026-01-08", "2026-01-14", None, None),
    ("next week", "2026-01-12", "2026-01-18", None, None),
    ("Friday between 1 and 3", "2026-01-09", "2026-01-09", window(13, 15), None),
    ("jan 20 around 10", "2026-01-20", "2026-01-20", None, "2026-01-20T10:00"),
    ("the twenty-first", "2026-01-21", "2026-01-21", None, None),
    ("3/2", "2026-03-02", "2026-03-02", None, None),
    ("at 9", "2026-01-09", "2026-01-09", None, "2026-01-09T09:00"),   # 9 am has passed today
    ("at 2", "2026-01-08", "2026-01-08", None, "2026-01-08T14:00"),   # 2 means 2 pm
    ("2pm", "2026-01-08", "2026-01-08", None, "2026-01-08T14:00"),
    ("in two weeks", "2026-01-22", "2026-01-22", None, None),
    ("next month", "2026-02-01", "2026-02-28", None, None),
    ("this weekend", "2026-01-10", "2026-01-11", None, None),
    ("half past two tomorrow", "2026-01-09", "2026-01-09", None, "2026-01-09T14:30"),
    ("Monday morning before 10", "2026-01-12", "2026-01-12", window(0, 10), None),
    ("noon on Friday", "2026-01-09", "2026-01-09", None, "2026-01-09T12:00"),
    ("Saturday the 17th", "2026-01-17", "2026-01-17", None, None),
    ("March 3rd at ten thirty", "2026-03-03", "2026-03-03", None, "2026-03-03T10:30"),
    ("December 24", "2026-12-24", "2026-12-24", None, None),
    ("January 2", "2027-01-02", "2027-01-02", None, None),             # next year's
    ("this Thursday", "2026-01-08", "2026-01-08", None, None),         # today
    ("Thursday", "2026-01-15", "2026-01-15", None, None),              # next week's
    ("the first available", "2026-01-08", "2026-01-14", None, None),
    ("Wednesday at 4 p.m.", "2026-01-14", "2026-01-14", None, "2026-01-14T16:00"),
    ("tuesday or wednesday", "2026-01-13", "2026-01-14", None, None),
    ("2026-02-10 9am", "2026-02-10", "2026-02-10", None, "2026-02-10T09:00"),
    ("after 3", "2026-01-08", "2026-01-14", window(15), None),
])
def test_parse_when(text, first_day, last_day, daily, preferred):
    rng = parse_when(text, now=NOW, tz=NY)
    first = max(datetime.fromisoformat(first_day).replace(tzinfo=NY), NOW)
    assert rng.start == first
    assert rng.end == datetime.fromisoformat(last_day).replace(tzinfo=NY) + timedelta(days=1)
    assert rng.daily == daily
    assert (rng.preferred.strftime("%Y-%m-%dT%H:%M") if rng.preferred else None) == preferred
    assert rng.start.tzinfo == NY


def test_the_clock_is_injected():
    later = datetime(2026, 1, 13, 16, 0, tzinfo=NY)  # Tuesday 4 pm
    assert parse_when("tomorrow", now=later, tz=NY).start.date().isoformat() == "2026-01-14"
    rng = parse_when("today after 3", now=later, tz=NY)
    assert rng.start == later


def test_zone_of_the_business_not_of_now():
    utc_now = datetime(2026, 1, 9, 2, 0, tzinfo=ZoneInfo("UTC"))  # still the 8th in New York
    assert parse_when("tomorrow", now=utc_now, tz="America/New_York").start.day == 9


@pytest.mark.parametrize("text", ["blah blah", "", "purple monkey"])
def test_not_understood(text):
    with pytest.raises(WhenNotUnderstood):
        parse_when(text, now=NOW, tz=NY)


def test_date_range_is_inclusive_whole_days():
    rng = date_range(date(2026, 3, 7), date(2026, 3, 8), "America/New_York")
    assert rng.start.isoformat() == "2026-03-07T00:00:00-05:00"
    assert rng.end.isoformat() == "2026-03-09T00:00:00-04:00"
    with pytest.raises(ValueError):
        date_range(date(2026, 3, 8), date(2026, 3, 7), NY)
