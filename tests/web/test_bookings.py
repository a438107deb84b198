"""``/bookings``: upcoming and past; cancel and reschedule through the calendar service (the
embedded calendar, really written)."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from receptionist.core import Database
from scripts.doubles.factories import CALLER, add_business
from tests.calendar_sync.test_cli import next_weekday
from tests.support.pages import PageClient

NY = ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def _embedded_on_a_free_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECEPTIONIST_CALENDAR_EMBEDDED_PORT", "0")


async def test_empty_state(pages: PageClient, db: Database):
    await pages.as_owner(await add_business(db))
    r = await pages.get("/bookings")
    assert r.status_code == 200 and "No upcoming bookings" in r.text


async def test_cancel_and_reschedule(pages: PageClient, db: Database):
    bid = await add_business(db, hours="Mon-Fri 08:00-17:00")
    calendar = pages.services.calendar
    await calendar.add_service(bid, "Drain cleaning", 60)
    day = next_weekday(1)
    start = datetime.combine(day, time(10), NY)
    booked = await calendar.book(bid, "Drain cleaning", start, "Jane Doe", CALLER)
    assert booked.booked, booked
    await pages.as_owner(bid)
    r = await pages.get("/bookings")
    assert "Jane Doe" in r.text and "Drain cleaning" in r.text
    assert booked.booking_id is not None
    r = await pages.post(f"/bookings/{booked.booking_id}/reschedule",
                         data={"start": f"{day.isoformat()}T13:00"})
    assert r.status_code == 200 and "Moved to" in r.text, r.text
    [moved] = await calendar.bookings(bid)
    assert moved.start == datetime.combine(day, time(13), NY)
    r = await pages.post(f"/bookings/{moved.id}/reschedule", data={"start": "soon"})
    assert r.status_code == 422
    r = await pages.post(f"/bookings/{moved.id}/cancel")
    assert r.status_code == 200 and "No upcoming bookings" in r.text
    assert await calendar.bookings(bid) == []


async def test_another_business_booking_is_not_found(pages: PageClient, db: Database):
    bid = await add_business(db, hours="Mon-Fri 08:00-17:00")
    other = await add_business(db, name="Other", number="+12025550177")
    calendar = pages.services.calendar
    await calendar.add_service(bid, "Drain cleaning", 60)
    booked = await calendar.book(bid, "Drain cleaning",
                                 datetime.combine(next_weekday(2), time(9), NY), "Jane", CALLER)
    await pages.as_owner(other)
    assert (await pages.post(f"/bookings/{booked.booking_id}/cancel")).status_code == 404
    assert "Jane" not in (await pages.get("/bookings")).text
    assert len(await calendar.bookings(bid)) == 1
