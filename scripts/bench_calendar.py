"""Calendar benchmarks (issue 4).

1. Availability: free slots for a 60-day horizon over 3 calendars holding 2,000 events each
   (5 % weekly recurring, some with EXDATEs), from busy time already read (what the busy cache
   holds between a caller's questions); target < 50 ms. Reading the iCalendar text (parse +
   recurrence expansion) is timed too, once per calendar fetch.
2. Check-and-book: ``CalendarService.book`` against the embedded Radicale (re-check REPORT, PUT
   with If-None-Match, check-after-write REPORT, two database transactions); target p95 < 300 ms.

    .venv/bin/python scripts/bench_calendar.py [--bookings 60] [--existing 200]
"""
# bench_all:

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from calendar_sync import (
    BookingPolicy,
    CalendarService,
    Schedule,
    ServiceRule,
    busy_from_ical,
    free_slots,
)
from calendar_sync.ical import BookingEvent, booking_ical, new_uid
from calendar_sync.settings import CalendarConfig
from receptionist.core import (
    Business,
    Database,
    FixedClock,
    PhoneNumber,
    WeeklyHours,
)

TZ = "America/New_York"
HOURS = "Mon-Fri 08:00-18:00; Sat 09:00-13:00"


def synthetic_calendar(seed: int, count: int, start: datetime, days: int) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for i in range(count):
        s = start + timedelta(minutes=rng.randrange(0, days * 24 * 60 // 15) * 15)
        length = rng.choice([15, 30, 45, 60, 90, 120])
        tzid = rng.choice(["America/New_York", "America/Chicago", "UTC"])
        local = s.astimezone(__import__("zoneinfo").ZoneInfo(tzid))
        end = local + timedelta(minutes=length)
        rule = ""
        if i % 20 == 0:  # 5 % weekly recurring, every other one with an EXDATE
            rule = "RRULE:FREQ=WEEKLY;COUNT=20\r\n"
            if i % 40 == 0:
                ex = local + timedelta(weeks=2)
                rule += f"EXDATE;TZID={tzid}:{ex:%Y%m%dT%H%M%S}\r\n"
        transp = "TRANSP:TRANSPARENT\r\n" if i % 50 == 7 else ""
        texts.append(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:{seed}-{i}@bench\r\nDTSTAMP:20260101T000000Z\r\n"
            f"DTSTART;TZID={tzid}:{local:%Y%m%dT%H%M%S}\r\n"
            f"DTEND;TZID={tzid}:{end:%Y%m%dT%H%M%S}\r\n{rule}{transp}"
            f"SUMMARY:Busy {i}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    return texts


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def bench_availability(runs: int, events: int) -> None:
    tz = __import__("zoneinfo").ZoneInfo(TZ)
    now = datetime(2026, 3, 2, 8, 0, tzinfo=tz)  # spans the 8 March DST change
    horizon_end = now + timedelta(days=60)
    calendars = {f"staff-{n}": synthetic_calendar(n, events, now, 60) for n in range(3)}
    parse_ms = []
    busy = {}
    for key, texts in calendars.items():
        started = time.perf_counter()
        busy[key] = busy_from_ical(texts, now, horizon_end, tz)
        parse_ms.append((time.perf_counter() - started) * 1000)
    occurrences = sum(len(v) for v in busy.values())
    schedule = Schedule(TZ, WeeklyHours.parse(HOURS))
    service = ServiceRule("Consult", timedelta(minutes=60), timedelta(minutes=15),
                          timedelta(minutes=15))
    policy = BookingPolicy(notice=timedelta(hours=1), horizon=timedelta(days=60),
                           granularity=timedelta(minutes=15))
    timings = []
    slots = []
    for _ in range(runs):
        started = time.perf_counter()
        slots = free_slots(schedule, service, policy, busy, start=now, end=horizon_end, now=now)
        timings.append((time.perf_counter() - started) * 1000)
    print(f"availability: 60 days x 3 calendars x {events} events "
          f"({occurrences} busy intervals after expansion), {len(slots)} free slots")
    print(f"  engine (cached busy time): median {statistics.median(timings):.1f} ms, "
          f"p95 {percentile(timings, 95):.1f} ms, max {max(timings):.1f} ms  (target < 50 ms)")
    print(f"  reading iCalendar (parse + expand, per calendar of {events}): "
          f"median {statistics.median(parse_ms):.0f} ms")


async def bench_booking(bookings: int, existing: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-calendar-") as tmp:
        folder = Path(tmp)
        db = Database(f"sqlite+aiosqlite:///{folder}/bench.db")
        await db.create_all()
        async with db.transaction() as session:
            business = Business(name="Bench Plumbing", timezone=TZ,
                                hours=WeeklyHours.parse(HOURS).to_json(),
                                numbers=[PhoneNumber(number="+12025550100")], team=[])
            session.add(business)
            await session.flush()
            business_id = business.id
        tz = __import__("zoneinfo").ZoneInfo(TZ)
        first_day = date(2026, 3, 2)
        clock = FixedClock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
        config = CalendarConfig(
            embedded=True, embedded_dir=folder / "calendars", embedded_host="127.0.0.1",
            embedded_port=0, embedded_public_url="", timeout_s=5, busy_cache_s=30,
            verify_after_write=True, notice_minutes=60, horizon_days=365, slot_minutes=15)
        service = CalendarService(db, config, secret_key=b"bench", clock=clock)
        try:
            await service.add_service(business_id, "Consult", 30)
            ctx = await service.context(business_id)
            target = ctx.targets[0]
            backend = await service.gateway.backend(target)
            url = await service.gateway.url(target)
            # Existing appointments, on days the benchmark does not book.
            for i in range(existing):
                day = first_day + timedelta(days=60 + i // 16)
                s = datetime.combine(day, datetime.min.time(), tz) + timedelta(
                    hours=8 + (i % 16) // 2, minutes=30 * (i % 2))
                uid, name = new_uid()
                await backend.create(url, name, booking_ical(BookingEvent(
                    uid, s, s + timedelta(minutes=30), "Existing", "X", "+12025550199",
                    business_id), now=s))
            timings = []
            outcomes: dict[str, int] = {}
            for i in range(bookings):
                day = first_day + timedelta(days=i // 18)
                while day.weekday() >= 5:
                    day += timedelta(days=2)
                start = datetime.combine(day, datetime.min.time(), tz) + timedelta(
                    hours=8, minutes=30 * (i % 18))
                started = time.perf_counter()
                result = await service.book(business_id, "Consult", start, "Bench Caller",
                                            f"+1202555{1000 + i:04d}")
                timings.append((time.perf_counter() - started) * 1000)
                outcomes[result.status] = outcomes.get(result.status, 0) + 1
            started = time.perf_counter()
            await service.find_slots(business_id, "Consult", start=first_day)
            cold = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            await service.find_slots(business_id, "Consult", start=first_day)
            warm = (time.perf_counter() - started) * 1000
        finally:
            await service.aclose()
            await db.dispose()
    print(f"check-and-book against the embedded Radicale ({existing} other events in the "
          f"calendar, {bookings} bookings: {outcomes}):")
    print(f"  median {statistics.median(timings):.0f} ms, p95 {percentile(timings, 95):.0f} ms, "
          f"max {max(timings):.0f} ms  (target p95 < 300 ms)")
    print(f"  find_slots for one day: {cold:.0f} ms from the server, {warm:.1f} ms from the "
          "busy cache")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--bookings", type=int, default=60)
    parser.add_argument("--existing", type=int, default=200)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for scripts.machine_ref
    from scripts.machine_ref import machine_reference

    print(machine_reference(), flush=True)
    bench_availability(args.runs, args.events)
    asyncio.run(bench_booking(args.bookings, args.existing))
    print(machine_reference(), flush=True)


if __name__ == "__main__":
    main()
