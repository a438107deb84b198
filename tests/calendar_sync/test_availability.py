"""The availability engine, case by case."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from calendar_sync import (
    BookingPolicy,
    Busy,
    DailyWindow,
    Schedule,
    ServiceRule,
    Slot,
    Unavailable,
    check_slot,
    free_slots,
    nearest_alternatives,
)
from receptionist.core import WeeklyHours

NY = ZoneInfo("America/New_York")
MONDAY = date(2026, 12, 7)


def at(day: date, hh: int, mm: int = 0, tz: ZoneInfo = NY) -> datetime:
    return datetime.combine(day, time(hh, mm), tz)


def busy(day: date, start: tuple[int, int], end: tuple[int, int], uid: str = "x") -> Busy:
    return Busy(at(day, *start), at(day, *end), uid)


def hm(slots: list[Slot]) -> list[str]:
    return [s.start.strftime("%H:%M") for s in slots]


def schedule(hours: str = "Mon-Fri 09:00-12:00", closed: frozenset[date] = frozenset(),
             tz: str = "America/New_York") -> Schedule:
    return Schedule(tz, WeeklyHours.parse(hours), closed)


HOUR = ServiceRule("Consult", timedelta(minutes=60))
EARLY = at(MONDAY, 0)  # "now": long before the day opens
POLICY = BookingPolicy(notice=timedelta(0), granularity=timedelta(minutes=30))


def one_day(sched: Schedule, service: ServiceRule, items: dict[str, list[Busy]],
            policy: BookingPolicy = POLICY, now: datetime = EARLY,
            daily: DailyWindow | None = None, day: date = MONDAY) -> list[str]:
    return hm(free_slots(sched, service, policy, items, start=at(day, 0),
                         end=at(day + timedelta(days=1), 0), now=now, daily=daily))


CASES = [
    pytest.param(schedule(), HOUR, {"a": []}, POLICY, EARLY, None,
                 ["09:00", "09:30", "10:00", "10:30", "11:00"], id="empty day, 30-min grid"),
    pytest.param(schedule(), HOUR, {"a": [busy(MONDAY, (10, 0), (10, 30))]}, POLICY, EARLY, None,
                 ["09:00", "10:30", "11:00"], id="busy half hour"),
    pytest.param(schedule(), ServiceRule("C", timedelta(minutes=60), timedelta(minutes=15),
                                         timedelta(minutes=15)),
                 {"a": [busy(MONDAY, (10, 0), (10, 30))]}, POLICY, EARLY, None,
                 ["11:00"], id="buffers before and after"),
    pytest.param(schedule("Mon 08:00-12:00,13:00-16:00"), HOUR, {"a": []},
                 BookingPolicy(notice=timedelta(0), granularity=timedelta(hours=1)), EARLY, None,
                 ["08:00", "09:00", "10:00", "11:00", "13:00", "14:00", "15:00"],
                 id="lunch break is not bookable"),
    pytest.param(schedule(), HOUR, {"a": []}, BookingPolicy(notice=timedelta(hours=2),
                                                           granularity=timedelta(minutes=30)),
                 at(MONDAY, 8, 10), None, ["10:30", "11:00"], id="minimum notice"),
    pytest.param(schedule(), HOUR, {"a": [busy(MONDAY, (9, 0), (12, 0))],
                                    "b": [busy(MONDAY, (10, 0), (11, 0))]},
                 POLICY, EARLY, None, ["09:00", "11:00"], id="any free calendar will do"),
    pytest.param(schedule(), HOUR, {"a": [Busy(at(MONDAY, 0), at(MONDAY + timedelta(days=1), 0),
                                               "allday")]},
                 POLICY, EARLY, None, [], id="all-day event blocks the day"),
    pytest.param(schedule(closed=frozenset({MONDAY})), HOUR, {"a": []}, POLICY, EARLY, None, [],
                 id="closed date"),
    pytest.param(schedule(), HOUR, {"a": []}, POLICY, EARLY, DailyWindow(time(10), None),
                 ["10:00", "10:30", "11:00"], id="daily window: after 10"),
    pytest.param(schedule(), HOUR, {}, POLICY, EARLY, None,
                 ["09:00", "09:30", "10:00", "10:30", "11:00"], id="no calendars: hours only"),
    pytest.param(schedule("Mon 09:00-12:00"), ServiceRule("Long", timedelta(hours=4)),
                 {"a": []}, POLICY, EARLY, None, [], id="longer than the day"),
    pytest.param(schedule("Mon 09:10-11:00"), HOUR, {"a": []}, POLICY, EARLY, None,
                 ["09:10", "09:40"], id="grid starts at the opening time"),
    pytest.param(schedule(), HOUR, {"a": [Busy(datetime(2026, 12, 7, 14, 0, tzinfo=UTC),
                                               datetime(2026, 12, 7, 15, 0, tzinfo=UTC))]},
                 POLICY, EARLY, None, ["10:00", "10:30", "11:00"],
                 id="busy given in UTC (09:00-10:00 New York)"),
    pytest.param(schedule(), HOUR, {"a": [Busy(datetime(2026, 12, 7, 16, 0,
                                                        tzinfo=ZoneInfo("Europe/London")),
                                               datetime(2026, 12, 7, 17, 0,
                                                        tzinfo=ZoneInfo("Europe/London")))]},
                 POLICY, EARLY, None, ["09:00", "09:30", "10:00"],
                 id="busy in another zone (11:00-12:00 New York)"),
]


@pytest.mark.parametrize("sched,service,items,policy,now,daily,expected", CASES)
def test_free_slots(sched, service, items, policy, now, daily, expected):
    assert one_day(sched, service, items, policy, now, daily) == expected


def test_slots_carry_the_calendars_that_are_free():
    slots = free_slots(schedule(), HOUR, POLICY, {"ann": [busy(MONDAY, (9, 0), (10, 0))],
                                                 "bob": [busy(MONDAY, (10, 0), (11, 0))]},
                       start=at(MONDAY, 0), end=at(MONDAY, 23), now=EARLY)
    by_time = {s.start.strftime("%H:%M"): s.calendars for s in slots}
    assert by_time["09:00"] == ("bob",)
    assert by_time["10:00"] == ("ann",)
    assert by_time["11:00"] == ("ann", "bob")


def test_horizon_and_range_limit_the_days():
    policy = BookingPolicy(notice=timedelta(0), horizon=timedelta(days=2),
                           granularity=timedelta(hours=1))
    slots = free_slots(schedule("Mon-Sun 09:00-10:00"), HOUR, policy, {"a": []},
                       start=at(MONDAY, 0), end=at(MONDAY + timedelta(days=10), 0), now=EARLY)
    assert [s.start.date() for s in slots] == [MONDAY, MONDAY + timedelta(days=1)]


def test_slots_are_in_the_business_zone_with_offsets():
    slots = free_slots(schedule(), HOUR, POLICY, {}, start=at(MONDAY, 0), end=at(MONDAY, 23),
                       now=EARLY)
    assert slots[0].to_json() == {"start": "2026-12-07T09:00:00-05:00",
                                  "end": "2026-12-07T10:00:00-05:00"}


# -- DST: the business's own zone changes offset ---------------------------------------------

SPRING = date(2026, 3, 8)   # 02:00 -> 03:00 in New York (a 23-hour day)
FALL = date(2026, 11, 1)    # 02:00 -> 01:00 in New York (a 25-hour day)


@pytest.mark.parametrize("day,expected", [
    (SPRING, ["00:00:00-05:00", "01:00:00-05:00", "03:00:00-04:00"]),
    (FALL, ["00:00:00-04:00", "01:00:00-04:00", "01:00:00-05:00", "02:00:00-05:00",
            "03:00:00-05:00"]),
    (date(2026, 3, 1), ["00:00:00-05:00", "01:00:00-05:00", "02:00:00-05:00",
                        "03:00:00-05:00"]),
])
def test_dst_days_have_the_hours_that_exist(day, expected):
    sched = schedule("Sun 00:00-04:00")
    policy = BookingPolicy(notice=timedelta(0), granularity=timedelta(hours=1))
    slots = free_slots(sched, HOUR, policy, {"a": []}, start=at(day, 0),
                       end=at(day + timedelta(days=1), 0), now=at(day - timedelta(days=1), 0))
    assert [s.start.isoformat()[11:] for s in slots] == expected
    assert all(s.end.astimezone(UTC) - s.start.astimezone(UTC) == timedelta(hours=1)
               for s in slots)


@pytest.mark.parametrize("day,offset", [(date(2026, 3, 6), "-05:00"), (date(2026, 3, 9), "-04:00"),
                                        (date(2026, 10, 30), "-04:00"),
                                        (date(2026, 11, 2), "-05:00")])
def test_office_hours_stay_at_local_nine_across_dst(day, offset):
    slots = free_slots(schedule("Mon-Fri 09:00-10:00"), HOUR, POLICY, {"a": []},
                       start=at(day, 0), end=at(day, 23), now=at(day - timedelta(days=3), 0))
    assert [s.to_json()["start"] for s in slots] == [f"{day.isoformat()}T09:00:00{offset}"]


def test_busy_across_the_fall_back_hour():
    # 01:30 EDT-01:30 EST is one real hour of busy time across the repeated hour.
    sched = schedule("Sun 00:00-04:00")
    policy = BookingPolicy(notice=timedelta(0), granularity=timedelta(minutes=30))
    start = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT
    items = {"a": [Busy(start, start + timedelta(hours=1))]}
    slots = free_slots(sched, ServiceRule("S", timedelta(minutes=30)), policy, items,
                       start=at(FALL, 0), end=at(FALL, 23), now=at(FALL, 0) - timedelta(days=1))
    utc = [s.start.astimezone(UTC).strftime("%H:%M") for s in slots]
    assert "05:30" not in utc and "06:00" not in utc
    assert "05:00" in utc and "06:30" in utc


# -- one exact time --------------------------------------------------------------------------


@pytest.mark.parametrize("start,reason", [
    (at(MONDAY, 10), None),
    (at(MONDAY, 10, 5), None),                 # off the grid is fine when free
    (at(MONDAY, 11, 30), Unavailable.CLOSED),  # runs past 12:00
    (at(MONDAY, 8), Unavailable.CLOSED),
    (at(MONDAY, 9), Unavailable.BUSY),
    (at(MONDAY, 7) - timedelta(days=1), Unavailable.TOO_SOON),
    (at(MONDAY + timedelta(days=90), 10), Unavailable.TOO_FAR),
])
def test_check_slot(start, reason):
    items = {"a": [busy(MONDAY, (9, 0), (9, 30))]}
    check = check_slot(schedule("Mon-Sun 09:00-12:00"), HOUR, BookingPolicy(notice=timedelta(0)),
                       items, start=start, now=EARLY)
    assert check.reason == reason
    assert check.ok is (reason is None)


def test_check_slot_can_ignore_the_event_being_moved():
    items = {"a": [busy(MONDAY, (10, 0), (11, 0), uid="mine")]}
    sched, policy = schedule(), BookingPolicy(notice=timedelta(0))
    assert not check_slot(sched, HOUR, policy, items, start=at(MONDAY, 10, 30), now=EARLY).ok
    assert check_slot(sched, HOUR, policy, items, start=at(MONDAY, 10, 30), now=EARLY,
                      ignore_uids=frozenset({"mine"})).ok


# -- nearest alternatives -------------------------------------------------------------------


def test_nearest_alternatives_are_close_spread_and_in_order():
    policy = BookingPolicy(notice=timedelta(0), granularity=timedelta(minutes=15))
    items = {"a": [busy(MONDAY, (14, 30), (15, 30))]}
    slots = free_slots(schedule("Mon 09:00-18:00"), ServiceRule("S", timedelta(minutes=45)),
                       policy, items, start=at(MONDAY, 0), end=at(MONDAY, 23), now=EARLY)
    alternatives = nearest_alternatives(slots, at(MONDAY, 15), count=2)
    assert hm(alternatives) == ["15:30", "16:00"]
    three = nearest_alternatives(slots, at(MONDAY, 15), count=3)
    assert hm(three) == ["13:45", "15:30", "16:00"]  # 13:45 is 75 min away, 16:30 is 90
    assert all(abs(a.start - b.start) >= timedelta(minutes=30)
               for a in three for b in three if a is not b)


def test_nearest_alternatives_of_nothing():
    assert nearest_alternatives([], at(MONDAY, 15)) == []


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        free_slots(schedule(), HOUR, POLICY, {}, start=datetime(2026, 12, 7),
                   end=datetime(2026, 12, 8), now=EARLY)
