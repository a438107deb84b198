"""Bad input on the JSON API gets a clear 4xx, never a 500 and never unbounded reading: a body
limit for every route (counted as the body arrives), pydantic models with bounded strings for
every JSON body."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from receptionist.core import Database
from scripts.doubles.factories import BUSINESS_NUMBER, CALLER, add_business
from tests.support.asgi import running_app
from tests.support.auth import add_token, bearer
from tests.support.settings import make_settings

MB = 1_000_000


@pytest.fixture(autouse=True)
def _embedded_on_a_free_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECEPTIONIST_CALENDAR_EMBEDDED_PORT", "0")


@pytest.fixture
async def client(db: Database, db_url: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    await add_business(db, hours="Mon-Fri 08:00-17:00")
    settings = make_settings(db_url, None, tmp_path)
    token = await add_token(db, settings)
    async with running_app(settings) as (_app, api):
        api.headers.update(bearer(token))
        yield api


class Stream:
    """A request body that records how much of it the server pulled."""

    def __init__(self, total: int, chunk: int = 64 * 1024) -> None:
        self.total, self.chunk, self.sent = total, chunk, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b'{"business": "'
        while self.sent < self.total:
            self.sent += self.chunk
            yield b"x" * self.chunk


async def test_a_declared_huge_body_is_refused_before_reading(client: httpx.AsyncClient) -> None:
    body = Stream(40 * MB)
    r = await client.post("/api/calendar/book", content=body,
                          headers={"Content-Length": str(40 * MB),
                                   "Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.json() == {"detail": "request body too large: the limit is 1000000 bytes"}
    assert body.sent == 0


async def test_a_streamed_body_is_cut_off_at_the_limit(client: httpx.AsyncClient) -> None:
    """No Content-Length (chunked): counted as it arrives, refused just past 1 MB."""
    body = Stream(40 * MB)
    r = await client.post("/api/calendar/book", content=body,
                          headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert MB < body.sent <= MB + 2 * body.chunk


async def test_twilio_webhooks_keep_their_own_limit(client: httpx.AsyncClient) -> None:
    r = await client.post("/twilio/sms", content=Stream(200_000),
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413


BAD = [
    ("PATCH", "/api/businesses/1/profile", {"hours": 123}),
    ("PATCH", "/api/businesses/1/profile", {"hours": {"mon": [["08:00"]]}}),
    ("PATCH", "/api/businesses/1/profile", {"services": [{"price": "$5"}]}),
    ("PATCH", "/api/businesses/1/profile", {"faqs": [{"question": "Why?"}]}),
    ("PATCH", "/api/businesses/1/profile", {"faqs": "nope"}),
    ("PATCH", "/api/businesses/1/profile", {"name": "x" * 5000}),
    ("PATCH", "/api/businesses/1/profile", {"colour": "red"}),
    ("PATCH", "/api/businesses/1/profile", [1, 2]),
    ("POST", "/api/calendar/book", {"business": BUSINESS_NUMBER, "service": "Drain cleaning",
                                    "start": "tomorrow 9am", "name": "N" * 100_000,
                                    "phone": CALLER}),
    ("POST", "/api/calendar/book", {"business": BUSINESS_NUMBER, "service": "x",
                                    "start": "x", "name": "n", "phone": CALLER,
                                    "notes": "n" * 100_000}),
    ("POST", "/api/calendar/connect", {"business": "1", "url": "https://cal.example/" + "a" * 5000,
                                       "username": "u", "password": "p"}),
    ("POST", "/api/calendar/services", {"business": "1", "name": "Drain", "minutes": 60,
                                        "calendars": ["c"] * 1000}),
    ("POST", "/api/calendar/cancel", {"business": "1", "phone": "1" * 1000}),
    ("POST", "/api/businesses/onboard", {"url": "https://a.example/", "number": "1" * 100}),
]


async def test_malformed_or_oversized_fields_are_422(client: httpx.AsyncClient) -> None:
    """One app for all cases (each is a request, not a start-up)."""
    for method, path, body in BAD:
        r = await client.request(method, path, json=body)
        assert r.status_code == 422, (path, body, r.text)
    r = await client.get("/api/calendar/slots", params={
        "business": BUSINESS_NUMBER, "service": "Drain cleaning", "when": "next " * 3000})
    assert r.status_code == 422, r.text   # bounded before it reaches the date parser


async def test_a_valid_profile_edit_still_works(client: httpx.AsyncClient) -> None:
    r = await client.patch("/api/businesses/1/profile", json={
        "hours": {"mon": [["08:00", "12:00"]]}, "address": "1 Main St",
        "faqs": [{"question": "Parking?", "answer": "Behind the shop."}]})
    assert r.status_code == 200, r.text
    assert r.json()["hours"] == {"mon": [["08:00", "12:00"]]}
    assert r.json()["faqs"] == [{"question": "Parking?", "answer": "Behind the shop."}]


NUL = [
    ("PATCH", "/api/businesses/1/profile", {"address": "1 Main\x00 St"}),
    ("POST", "/api/calendar/services", {"business": "1", "name": "Drain\x00", "minutes": 60}),
    ("POST", "/api/calendar/book", {"business": BUSINESS_NUMBER, "service": "Drain cleaning",
                                    "start": "tomorrow 9am", "name": "N\x00", "phone": CALLER}),
]


async def test_a_nul_character_is_a_4xx_on_either_database(client: httpx.AsyncClient) -> None:
    """PostgreSQL cannot store NUL in text: whatever route it reaches, the answer is a 4xx
    naming it, not a server error, and nothing is half written."""
    for method, path, body in NUL:
        r = await client.request(method, path, json=body)
        assert r.status_code < 500, (path, r.status_code, r.text)
    r = await client.get("/api/messages", params={"business": BUSINESS_NUMBER, "q": "a\x00"})
    assert r.status_code < 500, r.text
    profile = (await client.get("/api/businesses/1/profile")).json()
    assert "\x00" not in str(profile)
