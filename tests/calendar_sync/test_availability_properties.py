"""Property tests: whatever the hours, busy times, service and clock, every offered slot is
bookable, and every bookable grid start is offered (checked against a slow, obvious oracle)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calendar_sync import BookingPolicy, Busy, Schedule, ServiceRule, check_slot, free_slots
from receptionist.core import WeeklyHours

pytestmark = pytest.mark.slow  # a property search

ZONES = ["America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]
# Around both 2026 DST changes in New York (and London's, a week earlier/later).
DAYS = [date(2026, 3, 6), date(2026, 3, 27), date(2026, 10, 23), date(2026, 10, 30),
        date(2026, 6, 1)]


@st.composite
def weekly_hours(draw: st.DrawFn) -> WeeklyHours:
    days = []
    for _ in range(7):
        if draw(st.booleans()):
            days.append(())
            continue
        a = draw(st.integers(0, 20))
        b = draw(st.integers(a + 1, 24))
        first = (time(a), time(23, 59, 59) if b == 24 else time(b))
        if draw(st.booleans()) and b <= 21:
            c = draw(st.integers(b + 1, 23))
            days.append((first, (time(c), time(23, 59, 59))))
        else:
            days.append((first,))
    return WeeklyHours(tuple(days))


@st.composite
def scenario(draw: st.DrawFn) -> dict:
    tz_name = draw(st.sampled_from(ZONES))
    tz = ZoneInfo(tz_name)
    day = draw(st.sampled_from(DAYS))
    origin = datetime.combine(day, time(0), tz).astimezone(UTC)
    span = timedelta(days=3)
    calendars = {}
    for key in draw(st.lists(st.sampled_from("abc"), min_size=0, max_size=3, unique=True)):
        items = []
        for _ in range(draw(st.integers(0, 12))):
            start = origin + timedelta(minutes=draw(st.integers(0, int(span.total_seconds()
                                                                        // 60))))
            length = timedelta(minutes=draw(st.integers(1, 300)))
            items.append(Busy(start, start + length, uid=f"{key}{len(items)}"))
        calendars[key] = items
    closed = frozenset(draw(st.sets(st.sampled_from([day + timedelta(days=i)
                                                     for i in range(3)]), max_size=1)))
    return {
        "schedule": Schedule(tz_name, draw(weekly_hours()), closed),
        "service": ServiceRule("S", timedelta(minutes=draw(st.sampled_from([15, 30, 45, 60, 90]))),
                               timedelta(minutes=draw(st.sampled_from([0, 10, 15, 30]))),
                               timedelta(minutes=draw(st.sampled_from([0, 5, 15, 30])))),
        "policy": BookingPolicy(notice=timedelta(minutes=draw(st.sampled_from([0, 30, 120]))),
                                horizon=timedelta(days=draw(st.integers(1, 4))),
                                granularity=timedelta(minutes=draw(st.sampled_from([15, 30, 60])))),
        "busy": calendars,
        "start": origin,
        "end": origin + span,
        "now": origin + timedelta(minutes=draw(st.integers(-600, 1800))),
    }


def oracle(sc: dict) -> set[datetime]:
    """Every grid start that satisfies the rules, found the slow, obvious way."""
    sched: Schedule = sc["schedule"]
    service: ServiceRule = sc["service"]
    policy: BookingPolicy = sc["policy"]
    tz = sched.tz
    out = set()
    day = sc["start"].astimezone(tz).date()
    while day <= sc["end"].astimezone(tz).date():
        if day not in sched.closed:
            intervals = []
            for a, b in sched.hours.days[day.weekday()]:
                s = datetime.combine(day, a, tz).astimezone(UTC)
                e = (datetime.combine(day + timedelta(days=1), time(0), tz) if b == time(23, 59, 59)
                     else datetime.combine(day, b, tz)).astimezone(UTC)
                if s < e:
                    if intervals and s <= intervals[-1][1]:
                        intervals[-1] = (intervals[-1][0], max(intervals[-1][1], e))
                    else:
                        intervals.append((s, e))
            for s, e in intervals:
                t = s
                while t + service.duration <= e:
                    ok = (t >= sc["start"] and t < sc["end"]
                          and t >= sc["now"] + policy.notice
                          and t < sc["now"] + policy.horizon)
                    ws, we = t - service.buffer_before, t + service.duration + service.buffer_after
                    free = [k for k, items in sc["busy"].items()
                            if not any(b.start < we and b.end > ws for b in items)]
                    if ok and (free or not sc["busy"]):
                        out.add(t)
                    t += policy.granularity
        day += timedelta(days=1)
    return out


def compute(sc: dict):  # type: ignore[no-untyped-def]
    return free_slots(sc["schedule"], sc["service"], sc["policy"], sc["busy"],
                      start=sc["start"], end=sc["end"], now=sc["now"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario())
def test_offered_slots_are_exactly_the_bookable_ones(sc: dict) -> None:
    slots = compute(sc)
    assert {s.start.astimezone(UTC) for s in slots} == oracle(sc)
    instants = [s.start.timestamp() for s in slots]
    assert instants == sorted(instants)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario())
def test_every_slot_respects_busy_hours_notice_and_buffers(sc: dict) -> None:
    sched: Schedule = sc["schedule"]
    service: ServiceRule = sc["service"]
    for slot in compute(sc):
        assert slot.start.tzinfo == sched.tz
        assert slot.end.astimezone(UTC) - slot.start.astimezone(UTC) == service.duration
        assert slot.start >= sc["now"] + sc["policy"].notice
        assert slot.start.astimezone(sched.tz).date() not in sched.closed
        # inside one opening interval of its local day. Compared as instants (UTC): aware
        # datetimes sharing a tzinfo compare and add by wall clock, which is wrong across a DST
        # change (a 01:45-02:00 slot on the spring-forward day ends at 03:00 EDT).
        local = slot.start.astimezone(sched.tz)
        start, end = slot.start.astimezone(UTC), slot.end.astimezone(UTC)
        assert any(
            datetime.combine(local.date(), a, sched.tz).astimezone(UTC) <= start
            and end <= (datetime.combine(local.date() + timedelta(days=1), time(0),
                                         sched.tz) if b == time(23, 59, 59)
                        else datetime.combine(local.date(), b, sched.tz)).astimezone(UTC)
            for a, b in sched.hours.days[local.weekday()])
        # no overlap with busy time (plus buffers) on the calendars said to be free
        ws, we = start - service.buffer_before, end + service.buffer_after
        assert set(slot.calendars) <= set(sc["busy"])
        for key in slot.calendars:
            assert not any(b.start < we and b.end > ws for b in sc["busy"][key])
        if sc["busy"]:
            assert slot.calendars
        # and the single-slot check agrees
        assert check_slot(sched, service, sc["policy"], sc["busy"], start=slot.start,
                          now=sc["now"]).ok
