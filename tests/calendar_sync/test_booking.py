"""Booking, cancelling and rescheduling through ``CalendarService`` on real CalDAV servers
(Xandikos for the booking path, Radicale too), with the database on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from sqlalchemy import select

from calendar_sync import (
    Booking,
    CalendarAuthError,
    CalendarService,
    CalendarUnavailable,
    SetupError,
)
from receptionist.core import Database, FixedClock
from scripts.doubles.factories import CALLER, CALLER_2
from tests.calendar_sync.servers import RadicaleTestServer, XandikosTestServer
from tests.support.calendar import NOW, RecordingNotifier, calendar_config

NY = ZoneInfo("America/New_York")
TUESDAY = datetime(2026, 12, 8, 10, 0, tzinfo=NY)


def unique(name: str) -> str:
    """Calendar names are per test: the servers live for the whole session."""
    return f"{name} {uuid.uuid4().hex[:6]}"


def ical_event(uid: str, start: datetime, end: datetime, extra: str = "") -> str:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Owner//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:{uid}\r\nDTSTAMP:20261201T000000Z\r\n"
            f"DTSTART:{start.astimezone(ZoneInfo('UTC')):%Y%m%dT%H%M%SZ}\r\n"
            f"DTEND:{end.astimezone(ZoneInfo('UTC')):%Y%m%dT%H%M%SZ}\r\n"
            f"SUMMARY:Owner's own event\r\n{extra}END:VEVENT\r\nEND:VCALENDAR\r\n")


async def connect(calendar: CalendarService, business_id: int, server, *names: str) -> None:
    await calendar.connect(business_id, server.home, server.username, server.password, names)


@pytest.fixture
async def on_xandikos(calendar: CalendarService, business_id: int,
                      xandikos: XandikosTestServer) -> str:
    name = unique("Front desk")
    url = xandikos.make_calendar(name)
    await connect(calendar, business_id, xandikos, name)
    await calendar.add_service(business_id, "Drain cleaning", 60, buffer_before_minutes=15,
                               buffer_after_minutes=15)
    return url


async def test_book_writes_the_event_and_records_it(calendar, business_id, on_xandikos,
                                                    xandikos, notifier, db):
    result = await calendar.book(business_id, "drain cleaning", TUESDAY, "Jane Doe",
                                 "(202) 555-0143", notes="kitchen sink", call_sid="CA1")
    assert result.status == "booked" and result.booked
    assert result.start == TUESDAY and result.end == TUESDAY + timedelta(hours=1)
    assert result.calendar.startswith("Front desk") and result.uid
    [href] = xandikos.list_hrefs(on_xandikos)
    stored = icalendar.Calendar.from_ical(xandikos.get(href).text)
    [vevent] = stored.walk("VEVENT")
    assert str(vevent["UID"]) == result.uid
    assert vevent["DTSTART"].params["TZID"] == "America/New_York"
    assert vevent["DTSTART"].dt == TUESDAY
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert "+12025550143" in str(vevent["DESCRIPTION"])
    async with db.transaction() as session:
        row = (await session.execute(select(Booking))).scalar_one()
    assert (row.status, row.caller_phone, row.call_sid, row.uid) == \
        ("booked", CALLER, "CA1", result.uid)
    assert row.etag and row.href
    [(kind, info, _)] = notifier.events
    assert kind == "booked" and info.service == "Drain cleaning" and info.start == TUESDAY


async def test_a_taken_slot_offers_the_nearest_alternatives(calendar, business_id, on_xandikos,
                                                            notifier):
    first = await calendar.book(business_id, "Drain cleaning", TUESDAY, "Jane", CALLER)
    assert first.booked
    second = await calendar.book(business_id, "Drain cleaning", TUESDAY + timedelta(minutes=30),
                                 "Bob", CALLER_2)
    assert second.status == "taken" and second.reason == "busy" and second.uid is None
    starts = [s.start.strftime("%H:%M") for s in second.alternatives]
    # 10:00-11:00 is booked; a new hour needs 15 minutes free on both sides of it
    assert starts == ["08:45", "11:15", "11:45"]
    assert "is booked; I have" in second.message
    assert notifier.kinds() == ["booked"]


async def test_outside_hours_and_notice_are_refused_before_any_write(calendar, business_id,
                                                                     on_xandikos, xandikos):
    closed = await calendar.book(business_id, "Drain cleaning", TUESDAY.replace(hour=18),
                                 "Jane", CALLER)
    assert closed.status == "taken" and closed.reason == "closed" and closed.alternatives
    soon = await calendar.book(business_id, "Drain cleaning", NOW + timedelta(minutes=10),
                               "Jane", CALLER)
    assert soon.reason == "too_soon"
    assert xandikos.list_hrefs(on_xandikos) == []


async def test_owner_events_and_recurring_exceptions_are_respected(calendar, business_id,
                                                                   on_xandikos, xandikos):
    xandikos.put(on_xandikos, ical_event("owner-1", TUESDAY, TUESDAY + timedelta(hours=2)))
    weekly = ical_event("weekly", TUESDAY.replace(hour=14), TUESDAY.replace(hour=15),
                        "RRULE:FREQ=WEEKLY\r\nEXDATE:20261215T190000Z\r\n")
    xandikos.put(on_xandikos, weekly)
    search = await calendar.find_slots(business_id, "Drain cleaning", "tuesday")
    times = [s.start.strftime("%H:%M") for s in search.slots]
    assert "10:00" not in times and "11:00" not in times and "14:00" not in times
    assert times[0] == "08:00" and "12:15" in times and "15:15" in times
    following = await calendar.find_slots(business_id, "Drain cleaning",
                                          start=datetime(2026, 12, 15).date())
    assert "14:00" in [s.start.strftime("%H:%M") for s in following.slots]  # EXDATE
    taken = await calendar.book(business_id, "Drain cleaning", TUESDAY.replace(hour=14), "Jo",
                                CALLER)
    assert taken.status == "taken"


async def test_find_slots_understands_callers(calendar, business_id, on_xandikos):
    search = await calendar.find_slots(business_id, "Drain cleaning", "next Tuesday after 3")
    assert {s.start.date() for s in search.slots} == {TUESDAY.date()}
    assert [s.start.strftime("%H:%M") for s in search.slots] == ["15:00", "15:15", "15:30",
                                                                 "15:45", "16:00"]
    exact = await calendar.find_slots(business_id, "Drain cleaning", "tuesday at 10")
    assert exact.preferred_free is True and "is available" in exact.message
    assert (await calendar.book(business_id, "Drain cleaning", TUESDAY, "Jane", CALLER)).booked
    again = await calendar.find_slots(business_id, "Drain cleaning", "tuesday at 10")
    assert again.preferred_free is False
    assert [s.start.strftime("%H:%M") for s in again.alternatives] == ["08:15", "08:45",
                                                                       "11:15"]


@pytest.mark.slow  # two instances racing
async def test_two_instances_racing_for_one_slot(calendar, business_id, on_xandikos, xandikos,
                                                 db, tmp_path, clock):
    # Two app instances: separate services, so no shared lock; the check after the write and
    # the UID rule decide. Repeat to shake out interleavings.
    other_notifier = RecordingNotifier()
    other = CalendarService(db, calendar_config(tmp_path / "other"), secret_key=b"test-secret",
                            clock=clock, notifier=other_notifier)
    try:
        for day in range(5):
            start = TUESDAY + timedelta(days=day % 3, hours=2 * (day // 3))
            results = await asyncio.gather(
                calendar.book(business_id, "Drain cleaning", start, "Jane", CALLER),
                other.book(business_id, "Drain cleaning", start, "Bob", CALLER_2))
            statuses = sorted(r.status for r in results)
            assert statuses == ["booked", "taken"], (start, statuses)
            loser = next(r for r in results if r.status == "taken")
            assert loser.alternatives and all(a.start != start for a in loser.alternatives)
            events = await calendar.gateway.busy(
                (await calendar.context(business_id)).targets[0], start, start +
                timedelta(hours=1), NY, fresh=True)
            assert len(events) == 1
    finally:
        await other.aclose()


async def test_one_instance_serialises_its_own_bookings(calendar, business_id, on_xandikos,
                                                        xandikos):
    results = await asyncio.gather(*(
        calendar.book(business_id, "Drain cleaning", TUESDAY, f"Caller {i}", f"+1202555014{i}")
        for i in range(4)))
    assert sorted(r.status for r in results) == ["booked", "taken", "taken", "taken"]
    assert len(xandikos.list_hrefs(on_xandikos)) == 1


async def test_a_retried_booking_is_not_doubled(calendar, business_id, on_xandikos, xandikos):
    first = await calendar.book(business_id, "Drain cleaning", TUESDAY, "Jane", CALLER)
    again = await calendar.book(business_id, "Drain cleaning", TUESDAY, "Jane", CALLER)
    assert again.status == "booked" and again.uid == first.uid
    assert len(xandikos.list_hrefs(on_xandikos)) == 1


async def test_cancel_by_phone(calendar, business_id, on_xandikos, xandikos, notifier, db):
    booked = await calendar.book(business_id, "Drain cleaning", TUESDAY, "Jane", CALLER)
    assert (await calendar.cancel(business_id, CALLER_2)).status == "not_found"
    result = await calendar.cancel(business_id, "202-555-0143")
    assert result.status == "cancelled" and result.booking is not None
    assert result.booking.uid == booked.uid
    assert xandikos.list_hrefs(on_xandikos) == []
    async with db.transaction() as session:
        assert (await session.execute(select(Booking.status))).scalar_one() == "cancelled"
    assert notifier.kinds() == ["booked", "cancelled"]
    assert (await calendar.book(business_id, "Drain cleaning", TUESDAY, "Bob", CALLER_2)).booked


async def test_cancel_after_the_owner_edited_the_event(calendar, business_id, on_xandikos,
                                                       xandikos):
    await calendar.book(business_id, "Drain cleaning", TUESDAY, "Jane", CALLER)
    [href] = xandikos.list_hrefs(on_xandikos)
    edited = xandikos.get(href).text.replace("STATUS:CONFIRMED", "STATUS:CONFIRMED\r\n"
                                             "LOCATION:12 Elm St")
    xandikos.put(on_xandikos, edited, name=href.rsplit("/", 1)[1].removesuffix(".ics"))
    result = await calendar.cancel(business_id, CALLER)  # stored ETag is stale: 412, re-read
    assert result.status == "cancelled"
    assert xandikos.list_hrefs(on_xandikos) == []


async def test_several_bookings_ask_which(calendar, business_id, on_xandikos):
    await calendar.book(business_id, "Drain cleaning", TUESDAY, "Jane", CALLER)
    await calendar.book(business_id, "Drain cleaning", TUESDAY + timedelta(days=1), "Jane",
                        CALLER)
    result = await calendar.cancel(business_id, CALLER)
    assert result.status == "ambiguous" and len(result.candidates) == 2
    assert "Which one?" in result.message
    picked = await calendar.cancel(business_id, CALLER, on="2026-12-09")
    assert picked.status == "cancelled"
    assert picked.booking is not None and picked.booking.start.day == 9
    assert [b.start.day for b in await calendar.bookings(business_id, CALLER)] == [8]


async def test_reschedule_moves_the_event(calendar, business_id, on_xandikos, xandikos,
                                          notifier, db):
    booked = await calendar.book(business_id, "Drain cleaning", TUESDAY, "Jane", CALLER)
    later = TUESDAY + timedelta(minutes=30)  # overlaps its own old time: that is fine
    moved = await calendar.reschedule(business_id, CALLER, later)
    assert moved.status == "booked" and moved.uid == booked.uid and moved.start == later
    [href] = xandikos.list_hrefs(on_xandikos)
    [vevent] = icalendar.Calendar.from_ical(xandikos.get(href).text).walk("VEVENT")
    assert vevent["DTSTART"].dt == later and int(vevent["SEQUENCE"]) == 1
    async with db.transaction() as session:
        row = (await session.execute(select(Booking))).scalar_one()
    assert row.start_at == later and row.status == "booked"
    kind, info, previous = notifier.events[-1]
    assert kind == "moved" and previous == TUESDAY and info.start == later


async def test_reschedule_into_a_taken_slot(calendar, business_id, on_xandikos, xandikos):
    await calendar.book(business_id, "Drain cleaning", TUESDAY, "Jane", CALLER)
    xandikos.put(on_xandikos, ical_event("owner-2", TUESDAY.replace(hour=14),
                                         TUESDAY.replace(hour=15)))
    result = await calendar.reschedule(business_id, CALLER, TUESDAY.replace(hour=14))
    assert result.status == "taken" and result.alternatives
    assert [b.start for b in await calendar.bookings(business_id, CALLER)] == [TUESDAY]


async def test_staff_calendars(calendar, business_id, xandikos):
    ann_name, bob_name = unique("Ann"), unique("Bob")
    ann = xandikos.make_calendar(ann_name)
    bob = xandikos.make_calendar(bob_name)
    await connect(calendar, business_id, xandikos, ann_name, bob_name)
    with pytest.raises(SetupError):
        await calendar.add_service(business_id, "Boiler service", 60, calendars=["Carl"])
    await calendar.add_service(business_id, "Boiler service", 60,
                               calendars=[bob_name.upper()])
    await calendar.add_service(business_id, "Quote", 30)
    xandikos.put(bob, ical_event("bob-busy", TUESDAY, TUESDAY + timedelta(hours=1)))
    boiler = await calendar.book(business_id, "Boiler service", TUESDAY, "Jane", CALLER)
    assert boiler.status == "taken"  # only Bob does boilers, and he is busy
    quote = await calendar.book(business_id, "Quote", TUESDAY, "Jane", CALLER)
    assert quote.booked and quote.calendar == ann_name
    quote2 = await calendar.book(business_id, "Quote", TUESDAY, "Ola", CALLER_2)
    assert quote2.status == "taken"  # Ann now booked, Bob busy
    assert len(xandikos.list_hrefs(ann)) == 1
    listed = await calendar.list_calendars(business_id)
    assert {c.name for c in listed if c.selected} == {ann_name, bob_name}


async def test_radicale_booking_path(calendar, business_id, radicale):
    name = unique("Shop")
    url = radicale.make_calendar(name)
    await connect(calendar, business_id, radicale, name)
    await calendar.add_service(business_id, "Consult", 30)
    assert (await calendar.test(business_id)).ok
    first = await calendar.book(business_id, "Consult", TUESDAY, "Jane", CALLER)
    second = await calendar.book(business_id, "Consult", TUESDAY, "Bob", CALLER_2)
    assert (first.status, second.status) == ("booked", "taken")
    assert len(radicale.list_hrefs(url)) == 1
    assert (await calendar.reschedule(business_id, CALLER, TUESDAY.replace(hour=11))).booked
    assert (await calendar.cancel(business_id, CALLER)).status == "cancelled"
    assert radicale.list_hrefs(url) == []


# -- failures: nothing is lost ----------------------------------------------------------------


async def test_server_down_records_a_request_for_the_team(db, tmp_path, clock, notifier,
                                                          business_id):
    server = RadicaleTestServer().start()
    try:
        service = CalendarService(db, calendar_config(tmp_path), secret_key=b"k", clock=clock,
                                  notifier=notifier)
        server.make_calendar("Shop")
        await service.connect(business_id, server.home, server.username, server.password,
                              ["Shop"])
        await service.add_service(business_id, "Consult", 30)
        server.stop()
        with pytest.raises(CalendarUnavailable) as info:
            await service.find_slots(business_id, "Consult", "tomorrow")
        assert "can't reach the calendar" in info.value.caller_message
        result = await service.book(business_id, "Consult", TUESDAY, "Jane", CALLER,
                                    call_sid="CA9")
        assert result.status == "requested" and "team confirm" in result.message
        assert not (await service.test(business_id)).ok
        async with db.transaction() as session:
            row = (await session.execute(select(Booking))).scalar_one()
        assert row.status == "requested" and row.call_sid == "CA9" and row.error
        kind, info_, what = notifier.events[-1]
        assert (kind, what, info_.start) == ("request_recorded", "booking", TUESDAY)
        await service.aclose()
    finally:
        server.close()


async def test_hung_server_fails_fast(db, tmp_path, clock, notifier, business_id, radicale,
                                      hung):
    service = CalendarService(db, calendar_config(tmp_path, timeout_s=0.5), secret_key=b"k",
                              clock=clock, notifier=notifier)
    try:
        name = unique("Shop")
        radicale.make_calendar(name)
        await service.connect(business_id, radicale.home, radicale.username, radicale.password,
                              [name])
        await service.add_service(business_id, "Consult", 30)
        # Point the stored calendar at a server that never answers.
        from calendar_sync import CalendarRow

        async with db.transaction() as session:
            row = (await session.execute(select(CalendarRow).where(
                CalendarRow.selected.is_(True)))).scalar_one()
            row.href = hung.url + "shop/"
        started = asyncio.get_running_loop().time()
        result = await service.book(business_id, "Consult", TUESDAY, "Jane", CALLER)
        assert result.status == "requested"
        assert asyncio.get_running_loop().time() - started < 3
    finally:
        await service.aclose()


async def test_bad_credentials(calendar, business_id, radicale, db, notifier):
    with pytest.raises(CalendarAuthError):
        await calendar.connect(business_id, radicale.home, radicale.username, "wrong")
    name = unique("Shop")
    radicale.make_calendar(name)
    await connect(calendar, business_id, radicale, name)
    await calendar.add_service(business_id, "Consult", 30)
    radicale.set_password("changed-by-the-owner")
    try:
        result = await calendar.book(business_id, "Consult", TUESDAY, "Jane", CALLER)
        assert result.status == "requested"
        report = await calendar.test(business_id)
        assert not report.ok and "CalendarAuthError" in (report.calendars[0][1] or "")
    finally:
        radicale.set_password(radicale.password)


async def test_calendar_deleted_under_us(calendar, business_id, on_xandikos, xandikos,
                                         notifier):
    await calendar.book(business_id, "Drain cleaning", TUESDAY, "Jane", CALLER)
    xandikos.delete(on_xandikos)
    result = await calendar.book(business_id, "Drain cleaning", TUESDAY + timedelta(days=1),
                                 "Bob", CALLER_2)
    assert result.status == "requested"
    assert [(k, what) for k, _, what in notifier.events if k == "request_recorded"] == \
        [("request_recorded", "booking")]
    # Cancelling an event whose calendar is gone: nothing left to delete, so it is done.
    assert (await calendar.cancel(business_id, CALLER)).status == "cancelled"


async def test_password_is_encrypted_at_rest(calendar, business_id, radicale, db):
    name = unique("Shop")
    radicale.make_calendar(name)
    await connect(calendar, business_id, radicale, name)
    from calendar_sync import CalendarConnection

    async with db.transaction() as session:
        conn = (await session.execute(select(CalendarConnection))).scalar_one()
    assert conn.password_encrypted and radicale.password not in conn.password_encrypted
    assert calendar.box.decrypt(conn.password_encrypted) == radicale.password


# -- the embedded calendar -------------------------------------------------------------------


async def test_embedded_calendar_works_with_no_set_up(calendar, business_id, db):
    await calendar.add_service(business_id, "Consult", 30)
    search = await calendar.find_slots(business_id, "Consult", "tuesday")
    assert search.slots
    booked = await calendar.book(business_id, "Consult", search.slots[0].start, "Jane", CALLER)
    assert booked.booked and booked.calendar == "Appointments"
    again = await calendar.book(business_id, "Consult", search.slots[0].start, "Bob", CALLER_2)
    assert again.status == "taken"
    assert (await calendar.cancel(business_id, CALLER)).status == "cancelled"
    listed = await calendar.list_calendars(business_id)
    assert [(c.kind, c.selected) for c in listed] == [("embedded", True)]


async def test_embedded_calendar_for_a_phone(calendar, business_id, db, tmp_path: Path):
    await calendar.add_service(business_id, "Consult", 30)
    await calendar.book(business_id, "Consult", TUESDAY, "Jane", CALLER)
    access = await calendar.phone_access(business_id)
    assert access["username"] == f"business-{business_id}"
    assert calendar.embedded is not None and calendar.embedded.running
    # What a phone does: discover with those credentials, read the booking.
    from calendar_sync import CaldavBackend

    phone = CaldavBackend(access["server"], access["username"], access["password"], timeout_s=5)
    try:
        [cal] = await phone.discover()
        assert cal.name == "Appointments"
        events = await phone.events(cal.url, TUESDAY - timedelta(hours=1),
                                    TUESDAY + timedelta(hours=2))
        assert len(events) == 1 and "Jane" in events[0].ical
    finally:
        await phone.aclose()
    # Another business cannot read it.
    other = CaldavBackend(access["server"], "business-999", access["password"], timeout_s=5)
    try:
        with pytest.raises(CalendarAuthError):
            await other.events(access["calendar_url"], TUESDAY, TUESDAY + timedelta(hours=1))
    finally:
        await other.aclose()
    assert not (tmp_path / "calendars" / "users").read_text().count(access["password"])


async def test_connecting_replaces_the_embedded_calendar(calendar, business_id, xandikos):
    await calendar.add_service(business_id, "Consult", 30)
    await calendar.book(business_id, "Consult", TUESDAY, "Jane", CALLER)
    name = unique("Real")
    url = xandikos.make_calendar(name)
    await connect(calendar, business_id, xandikos, name)
    assert (await calendar.book(business_id, "Consult", TUESDAY, "Bob", CALLER_2)).calendar \
        == name
    # The earlier booking is still cancelled where it lives (the embedded calendar).
    assert (await calendar.cancel(business_id, CALLER)).status == "cancelled"
    assert len(xandikos.list_hrefs(url)) == 1


async def test_clock_is_injected(db, tmp_path, business_id, xandikos, notifier):
    clock = FixedClock(NOW)
    service = CalendarService(db, calendar_config(tmp_path), secret_key=b"k", clock=clock,
                              notifier=notifier)
    try:
        name = unique("C")
        xandikos.make_calendar(name)
        await service.connect(business_id, xandikos.home, xandikos.username, "", [name])
        await service.add_service(business_id, "Consult", 30)
        first = await service.find_slots(business_id, "Consult", "tomorrow")
        clock.advance(timedelta(days=7))
        later = await service.find_slots(business_id, "Consult", "tomorrow")
        assert later.slots[0].start - first.slots[0].start == timedelta(days=7)
    finally:
        await service.aclose()


async def test_unknown_service_and_business(calendar, business_id):
    from calendar_sync import ServiceNotFound
    from receptionist.core import BusinessNotFound

    with pytest.raises(ServiceNotFound, match="no service"):
        await calendar.find_slots(business_id, "Haircut", "tomorrow")
    with pytest.raises(BusinessNotFound):
        await calendar.find_slots(9999, "Haircut", "tomorrow")


async def test_services_crud(calendar, business_id, db: Database):
    info, created = await calendar.add_service(business_id, " Drain  cleaning ", 60,
                                               buffer_after_minutes=15)
    assert created and info.name == "Drain cleaning"
    info, created = await calendar.add_service(business_id, "drain cleaning", 90)
    assert not created and info.minutes == 90
    assert [s.name for s in await calendar.list_services(business_id)] == ["drain cleaning"]
    await calendar.remove_service(business_id, "DRAIN CLEANING")
    assert await calendar.list_services(business_id) == []


async def test_one_call_asking_three_questions_reads_the_server_once(db, tmp_path, clock,
                                                                     business_id, xandikos):
    from calendar_sync import CaldavBackend

    reads: list[str] = []

    class CountingBackend(CaldavBackend):
        async def events(self, calendar_url, start, end):  # type: ignore[no-untyped-def]
            reads.append(calendar_url)
            return await super().events(calendar_url, start, end)

    service = CalendarService(
        db, calendar_config(tmp_path), secret_key=b"k", clock=clock,
        backend_factory=lambda url, user, password, timeout_s: CountingBackend(
            url, user, password, timeout_s=timeout_s))
    try:
        name = unique("Desk")
        xandikos.make_calendar(name)
        await service.connect(business_id, xandikos.home, xandikos.username, "", [name])
        await service.add_service(business_id, "Consult", 30)
        for question in ("tomorrow morning", "Wednesday after 2", "Thursday at 10"):
            await service.find_slots(business_id, "Consult", question)
        assert len(reads) == 1
        booked = await service.book(business_id, "Consult", TUESDAY, "Jane", CALLER)
        assert booked.booked and len(reads) == 3  # a booking re-reads, before and after
        after = await service.find_slots(business_id, "Consult", "tomorrow")
        assert TUESDAY not in [s.start for s in after.slots] and len(reads) == 4
    finally:
        await service.aclose()


async def test_embedded_server_starts_lazily_or_with_the_app(db, tmp_path, clock):
    lazy = CalendarService(db, calendar_config(tmp_path / "a"), secret_key=b"k", clock=clock)
    eager = CalendarService(db, calendar_config(tmp_path / "b", embedded_autostart=True),
                            secret_key=b"k", clock=clock)
    try:
        await lazy.start()
        await eager.start()
        assert lazy.embedded is not None and not lazy.embedded.running
        assert eager.embedded is not None and eager.embedded.running
    finally:
        await lazy.aclose()
        await eager.aclose()
    assert not eager.embedded.running
