"""The business's CalDAV server hanging during a booking (a TCP proxy in front of its Radicale
forwards requests and holds the answers): the caller hears an apology and an offer to follow up
within the tool's timeout, the calendar and the booking's record agree (nothing half-booked),
and nothing texted to the caller says the time is confirmed."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from calendar_sync import EmbeddedRadicale
from calendar_sync.models import Booking
from receptionist.core import FixedClock
from scripts.doubles.factories import CALLER, TEAM_PHONE
from scripts.doubles.site_server import FixtureSite
from tests.agent.world import MONDAY_9AM, World, make_world, site
from tests.support.tcp_proxy import TcpProxy

__all__ = ["site"]

pytestmark = pytest.mark.slow


@pytest.fixture
async def world(db, tmp_path: Path, site: FixtureSite) -> AsyncIterator[World]:
    w = await make_world(db, tmp_path, site=site, calendar=True, clock=FixedClock(MONDAY_9AM))
    try:
        yield w
    finally:
        await w.aclose()


@pytest.fixture
async def owners_server(world: World, tmp_path: Path) -> AsyncIterator[tuple[EmbeddedRadicale,
                                                                             TcpProxy]]:
    """The business's own CalDAV server, connected through a proxy that can stall it."""
    assert world.calendar is not None
    server = EmbeddedRadicale(tmp_path / "owners-caldav", secret=b"owners-own-server", port=0)
    await server.astart()
    business = world.business_id
    await asyncio.to_thread(server.ensure_user, business)
    user, password = server.username(business), server.password(business)
    backend = world.calendar.gateway.direct(server.base_url, user, password)
    try:
        await backend.ensure_calendar(server.base_url.rstrip("/") +
                                      server.calendar_path(business), "Work")
    finally:
        await backend.aclose()
    port = int(server.base_url.rstrip("/").rsplit(":", 1)[1])
    with TcpProxy("127.0.0.1", port) as proxy:
        await world.calendar.connect(business, f"http://127.0.0.1:{proxy.port}/", user,
                                     password)
        try:
            yield server, proxy
        finally:
            await server.astop()


async def _events_on_server(server: EmbeddedRadicale, world: World) -> list[str]:
    """The UIDs of the events the owner's server holds (asked directly, not through the proxy)."""
    assert world.calendar is not None
    business = world.business_id
    backend = world.calendar.gateway.direct(server.base_url, server.username(business),
                                            server.password(business))
    url = server.base_url.rstrip("/") + server.calendar_path(business)
    try:
        found = await backend.events(url, MONDAY_9AM - timedelta(days=7),
                                     MONDAY_9AM + timedelta(days=30))
    finally:
        await backend.aclose()
    return [m.group(1).strip() for e in found
            for m in [re.search(r"^UID:(.+)$", e.ical, re.M)] if m]


@pytest.mark.parametrize("stall_from", [b"REPORT ", b"PUT "], ids=["before-write",
                                                                   "after-write"])
async def test_calendar_hanging_during_a_booking(world: World, owners_server, stall_from: bytes):
    server, proxy = owners_server
    reply = await world.say("I'm Lee. Book a drain cleaning tomorrow at 2pm")
    assert reply.text.endswith("Shall I book it?")
    proxy.stall_from(stall_from)  # the next such request reaches Radicale, no answer comes
    started = time.monotonic()
    reply = await world.say("yes")
    took_s = time.monotonic() - started
    proxy.restore()
    assert took_s < world.tools.timeout_s + 1.0, took_s
    text = reply.text.lower()
    assert "sorry" in text or "can't" in text, reply.text
    assert "team" in text, reply.text  # someone will follow up
    assert "all set" not in text and "booked for" not in text
    async with world.db.transaction() as session:
        (booking,) = (await session.execute(select(Booking))).scalars().all()
    on_server = await _events_on_server(server, world)
    # Nothing half-booked: never a booking left pending with nobody told. A request the team
    # must confirm, and when the calendar may hold the event (the write reached it, its answer
    # never came), the request says where and the team is told to look, not "nothing written".
    assert booking.status == "requested", booking.status
    (team,) = await world.texts(to=TEAM_PHONE)
    assert team.kind == "team_bookings" and "confirm" in team.body.lower()
    if on_server:
        assert on_server == [booking.uid] and booking.href, (on_server, booking.href)
        assert "check whether it is there" in team.body, team.body
    else:
        assert "nothing was written" in team.body, team.body
    (caller_text,) = await world.texts(to=CALLER)
    assert "will confirm" in caller_text.body, caller_text.body  # a request, not a confirmation
    print(f"calendar stalled from {stall_from!r}: the caller heard {reply.text!r} after "
          f"{took_s:.1f} s; booking {booking.status}, {len(on_server)} event(s) on the server")
