"""The JSON API on the running app (uvicorn on loopback), with the embedded calendar and the
booking texts going out through the outbox to the Twilio REST double."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from scripts.doubles.factories import BUSINESS_NUMBER, CALLER, CALLER_2, TEAM_PHONE, add_business
from scripts.doubles.twilio_rest import TwilioRestDouble
from tests.calendar_sync.test_cli import next_weekday
from tests.support.auth import signed_in_client


@pytest.fixture(autouse=True)
def _embedded_on_a_free_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECEPTIONIST_CALENDAR_EMBEDDED_PORT", "0")
    monkeypatch.setenv("RECEPTIONIST_CALENDAR_ALLOW_PRIVATE", "true")  # test servers: 127.0.0.1


@pytest.fixture
async def api(server, db) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    async with signed_in_client(server.url, db, server.settings) as client:
        yield client


async def wait_for(twilio: TwilioRestDouble, n: int, timeout_s: float = 8.0) -> list:
    deadline = time.monotonic() + timeout_s
    while True:
        if len(twilio.messages) >= n or time.monotonic() > deadline:
            return list(twilio.messages)
        await asyncio.sleep(0.05)


async def test_book_over_http_texts_team_and_caller(server, api, db, twilio):
    await add_business(db, hours="Mon-Fri 08:00-17:00")
    r = await api.post("/api/calendar/services", json={
        "business": BUSINESS_NUMBER, "name": "Drain cleaning", "minutes": 60,
        "buffer_minutes": 15})
    assert r.status_code == 200 and r.json()["created"] is True
    day = next_weekday(1).isoformat()
    r = await api.get("/api/calendar/slots", params={
        "business": BUSINESS_NUMBER, "service": "Drain cleaning", "from": day, "to": day})
    assert r.status_code == 200
    slots = r.json()["slots"]
    assert slots[0]["start"].startswith(f"{day}T08:00:00")
    r = await api.post("/api/calendar/book", json={
        "business": BUSINESS_NUMBER, "service": "drain cleaning", "start": slots[8]["start"],
        "name": "Jane Doe", "phone": CALLER, "call_sid": "CA" + "1" * 32})
    assert r.status_code == 200, r.text
    booked = r.json()
    assert booked["status"] == "booked" and booked["calendar"] == "Appointments"

    texts = await wait_for(twilio, 2)
    by_to = {m.to: m.body for m in texts}
    assert by_to[TEAM_PHONE].startswith("New booking: Drain cleaning, ")
    assert "Jane Doe" in by_to[TEAM_PHONE] and "booked via api" in by_to[TEAM_PHONE]
    assert by_to[CALLER].startswith("Greenfield Plumbing: you're booked for Drain cleaning on ")
    assert all(m.from_ == BUSINESS_NUMBER for m in texts)

    r = await api.post("/api/calendar/book", json={
        "business": BUSINESS_NUMBER, "service": "Drain cleaning", "start": slots[8]["start"],
        "name": "Bob", "phone": CALLER_2})
    taken = r.json()
    assert taken["status"] == "taken" and len(taken["alternatives"]) == 3

    r = await api.get("/api/calendar/bookings", params={"business": BUSINESS_NUMBER,
                                                         "phone": CALLER})
    assert [b["uid"] for b in r.json()] == [booked["uid"]]
    r = await api.post("/api/calendar/cancel", json={"business": BUSINESS_NUMBER,
                                                     "phone": CALLER})
    assert r.json()["status"] == "cancelled"
    texts = await wait_for(twilio, 4)
    assert any(m.body.startswith("Booking cancelled: Drain cleaning") for m in texts)

    assert server.state.scheduler is not None  # the voice agent's port onto this service


async def test_api_errors(server, api, db):
    await add_business(db)
    r = await api.get("/api/calendar/slots", params={"business": "999", "service": "X"})
    assert r.status_code == 404
    r = await api.get("/api/calendar/slots", params={"business": BUSINESS_NUMBER,
                                                     "service": "X"})
    assert r.status_code == 404 and "no service" in r.json()["detail"]
    await api.post("/api/calendar/services", json={"business": BUSINESS_NUMBER,
                                                   "name": "X", "minutes": 30})
    r = await api.get("/api/calendar/slots", params={"business": BUSINESS_NUMBER,
                                                     "service": "X", "when": "purple monkey"})
    assert r.status_code == 422
    r = await api.post("/api/calendar/connect", json={
        "business": BUSINESS_NUMBER, "url": "http://127.0.0.1:9/dav/", "username": "u",
        "password": "p"})
    assert r.status_code == 503
    assert "can't reach the calendar" in r.json()["detail"]["message"]


async def test_rules_over_http(server, api, db):
    await add_business(db)
    r = await api.get("/api/calendar/rules", params={"business": BUSINESS_NUMBER})
    assert r.json() == {"notice_minutes": 60, "horizon_days": 60, "slot_minutes": 15}
    r = await api.post("/api/calendar/rules", json={"business": BUSINESS_NUMBER,
                                                    "slot_minutes": 30})
    assert r.json()["slot_minutes"] == 30
    r = await api.get("/api/calendar/calendars", params={"business": BUSINESS_NUMBER})
    assert [c["kind"] for c in r.json()] == ["embedded"]
