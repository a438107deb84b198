"""The CalDAV adapter against real servers (Radicale and Xandikos, in-process on loopback):
the same contract on both, and each failure mode translated into our errors."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from calendar_sync import (
    CaldavBackend,
    CalendarAuthError,
    CalendarMissing,
    CalendarUnavailable,
    WriteConflict,
)
from calendar_sync.ical import BookingEvent, booking_ical, moved_ical, new_uid
from tests.calendar_sync.servers import HungServer, RadicaleTestServer, XandikosTestServer
from tests.support.server import free_port

START = datetime(2026, 12, 8, 15, 0, tzinfo=UTC)


@pytest.fixture(params=["radicale", "xandikos"])
def server(request: pytest.FixtureRequest, radicale: RadicaleTestServer,
           xandikos: XandikosTestServer) -> Any:
    return radicale if request.param == "radicale" else xandikos


@pytest.fixture
async def backend(server: Any) -> AsyncIterator[CaldavBackend]:
    b = CaldavBackend(server.home if server is not None else "", server.username,
                      server.password, timeout_s=5)
    try:
        yield b
    finally:
        await b.aclose()


def booking(uid: str, start: datetime = START) -> str:
    return booking_ical(BookingEvent(uid, start, start + timedelta(hours=1), "Consult", "Jane",
                                     "+12025550143", 1), now=start)


async def test_discover_and_check(server, backend):
    url = server.make_calendar("Front desk")
    found = await backend.discover()
    assert any(c.url.rstrip("/") == url.rstrip("/") and c.name == "Front desk" for c in found)
    await backend.check(url)
    direct = CaldavBackend(url, server.username, server.password, timeout_s=5)
    try:
        [only] = await direct.discover()  # a URL that is the calendar itself
        assert only.name == "Front desk"
    finally:
        await direct.aclose()


async def test_create_is_atomic_and_unique(server, backend):
    url = server.make_calendar()
    uid, name = new_uid()
    created = await backend.create(url, name, booking(uid))
    assert created.href.startswith(url) and created.etag
    with pytest.raises(WriteConflict):  # same resource name: If-None-Match: *
        await backend.create(url, name, booking(uid))
    with pytest.raises(WriteConflict):  # same UID under another name: no-uid-conflict
        await backend.create(url, uuid.uuid4().hex, booking(uid))


async def test_two_concurrent_creates_of_one_resource(server, backend):
    url = server.make_calendar()
    uid, name = new_uid()
    other = CaldavBackend(server.home, server.username, server.password, timeout_s=5)
    try:
        results = await asyncio.gather(backend.create(url, name, booking(uid)),
                                       other.create(url, name, booking(uid)),
                                       return_exceptions=True)
    finally:
        await other.aclose()
    assert sorted(type(r).__name__ for r in results) == ["StoredEvent", "WriteConflict"]


async def test_events_in_range_with_etags(server, backend):
    url = server.make_calendar()
    inside, outside = new_uid(), new_uid()
    await backend.create(url, inside[1], booking(inside[0]))
    await backend.create(url, outside[1], booking(outside[0], START + timedelta(days=3)))
    found = await backend.events(url, START - timedelta(hours=2), START + timedelta(hours=2))
    assert [e.etag is not None for e in found] == [True]
    assert inside[0] in found[0].ical


async def test_update_and_delete_need_the_current_etag(server, backend):
    url = server.make_calendar()
    uid, name = new_uid()
    created = await backend.create(url, name, booking(uid))
    later = START + timedelta(days=1)
    moved = moved_ical(created.ical, uid, later, later + timedelta(hours=1), now=later)
    updated = await backend.replace(created.href, moved, created.etag)
    assert updated.etag and updated.etag != created.etag
    with pytest.raises(WriteConflict):
        await backend.replace(created.href, moved, created.etag)  # stale ETag
    with pytest.raises(WriteConflict):
        await backend.delete(created.href, created.etag)
    fetched = await backend.fetch(created.href)
    assert fetched is not None and fetched.etag == updated.etag and "SEQUENCE:1" in fetched.ical
    await backend.delete(created.href, updated.etag)
    assert await backend.fetch(created.href) is None
    await backend.delete(created.href, updated.etag)  # already gone is fine


async def test_ensure_calendar_is_idempotent(server, backend):
    url = f"{server.home}{uuid.uuid4().hex}/"
    await backend.ensure_calendar(url, "Appointments")
    await backend.ensure_calendar(url, "Appointments")
    await backend.check(url)


async def test_deleted_calendar(server, backend):
    url = server.make_calendar()
    server.delete(url)
    with pytest.raises(CalendarMissing):
        await backend.events(url, START, START + timedelta(days=1))
    with pytest.raises(CalendarMissing):
        await backend.check(url)


async def test_bad_password(radicale):
    bad = CaldavBackend(radicale.home, radicale.username, "wrong", timeout_s=5)
    started = time.perf_counter()
    try:
        with pytest.raises(CalendarAuthError):
            await bad.discover()
    finally:
        await bad.aclose()
    assert time.perf_counter() - started < 1.0  # [auth] delay = 0


async def test_server_down():
    down = CaldavBackend(f"http://127.0.0.1:{free_port()}/dav/", "u", "p", timeout_s=2)
    try:
        with pytest.raises(CalendarUnavailable) as info:
            await down.events(f"http://127.0.0.1:{free_port()}/dav/cal/", START,
                              START + timedelta(days=1))
        assert info.value.transient
    finally:
        await down.aclose()


async def test_server_hangs(hung: HungServer):
    slow = CaldavBackend(hung.url, "u", "p", timeout_s=0.5)
    started = time.perf_counter()
    try:
        with pytest.raises(CalendarUnavailable, match="did not answer"):
            await slow.events(hung.url + "cal/", START, START + timedelta(days=1))
    finally:
        await slow.aclose()
    assert time.perf_counter() - started < 1.5  # a timeout is not retried
