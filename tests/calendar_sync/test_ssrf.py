"""CalDAV on the outbound guard: ``calendar connect`` checks the owner's URL before any request,
every URL the server names (calendar-home-set, event hrefs) is checked at connection time, and
the client is told what kind of failure happened in our words – never the server's answer."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from calendar_sync import AddressRefused, CalendarService, SetupError
from calendar_sync.caldav_backend import CaldavBackend
from receptionist.core import Database, OutboundPolicy
from scripts.doubles.factories import add_business
from tests.calendar_sync.fake_caldav import FakeCaldav
from tests.support.asgi import running_app
from tests.support.auth import add_token, bearer
from tests.support.calendar import calendar_config
from tests.support.internet import FakeDns
from tests.support.settings import make_settings

BANNER = "<html>Jenkins 2.1 admin console SECRET-BANNER</html>"


@pytest.fixture
def fake() -> Iterator[FakeCaldav]:
    server = FakeCaldav()
    try:
        yield server
    finally:
        server.close()


async def _service(db: Database, tmp_path: Path, **kwargs: object) -> CalendarService:
    config = calendar_config(tmp_path, allow_private=False, embedded=False)
    return CalendarService(db, config, secret_key=b"k", **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("host", ["127.0.0.1", "[::ffff:127.0.0.1]", "[64:ff9b::7f00:1]",
                                  "[2002:7f00:1::]", "169.254.169.254"])
async def test_connect_refuses_private_addresses_before_any_request(
        db: Database, tmp_path: Path, fake: FakeCaldav, host: str) -> None:
    business_id = await add_business(db)
    service = await _service(db, tmp_path)
    try:
        with pytest.raises(AddressRefused, match="private, loopback or link-local"):
            await service.connect(business_id, f"http://{host}:{fake.port}/", "u", "p")
    finally:
        await service.aclose()
    assert fake.requests == []


async def test_a_calendar_home_on_an_internal_host_is_never_contacted(
        db: Database, tmp_path: Path, fake: FakeCaldav) -> None:
    """The server (allowed) names its calendar-home-set on a host that resolves to 10.0.0.5."""
    fake.home = f"http://inside.test:{fake.port}/home/"
    dns = FakeDns({"cal.test": [["127.0.0.1"]], "inside.test": [["10.0.0.5"]]})
    business_id = await add_business(db)
    service = await _service(db, tmp_path, policy=OutboundPolicy(
        resolver=dns, trusted=("127.0.0.1/32",)))
    try:
        with pytest.raises(AddressRefused) as caught:
            await service.connect(business_id, f"http://cal.test:{fake.port}/", "u", "p")
    finally:
        await service.aclose()
    assert "10.0.0.5" not in str(caught.value) and "inside.test" not in str(caught.value)
    assert "inside.test" in dns.lookups
    assert all(host.startswith("cal.test") for _method, host, _path in fake.requests)


async def test_an_event_href_on_an_internal_host_is_refused(fake: FakeCaldav) -> None:
    dns = FakeDns({"cal.test": [["127.0.0.1"]], "inside.test": [["10.0.0.5"]],
                   "nat64.test": [["64:ff9b::a9fe:a9fe"]]})
    policy = OutboundPolicy(resolver=dns, trusted=("127.0.0.1/32",))
    backend = CaldavBackend(f"http://cal.test:{fake.port}/", "u", "p", timeout_s=3,
                            policy=policy)
    try:
        for href in (f"http://inside.test:{fake.port}/cal/evil.ics",
                     f"http://nat64.test:{fake.port}/latest/meta-data.ics"):
            with pytest.raises(AddressRefused):
                await backend.fetch(href)
            with pytest.raises(AddressRefused):
                await backend.delete(href, None)
    finally:
        await backend.aclose()
    assert fake.requests == []


async def test_the_servers_own_answer_never_reaches_the_client(
        db: Database, tmp_path: Path, fake: FakeCaldav) -> None:
    """A 405 with an HTML page used to come back word for word (a scanner's dream)."""
    fake.banner, fake.banner_status = BANNER, 405
    business_id = await add_business(db)
    service = await _service(db, tmp_path, policy=OutboundPolicy(trusted=("127.0.0.1/32",)))
    try:
        with pytest.raises(SetupError) as caught:
            await service.connect(business_id, f"http://127.0.0.1:{fake.port}/", "u", "p")
    finally:
        await service.aclose()
    assert fake.requests                      # it was asked
    assert "SECRET-BANNER" not in str(caught.value)
    assert str(caught.value).startswith("no CalDAV calendar was found at that address")


@pytest.fixture
async def api(db: Database, db_url: str, tmp_path: Path,
              monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[httpx.AsyncClient]:
    monkeypatch.setenv("RECEPTIONIST_CALENDAR_EMBEDDED_PORT", "0")
    await add_business(db)
    settings = make_settings(db_url, None, tmp_path)
    token = await add_token(db, settings)
    async with running_app(settings) as (_app, client):
        client.headers.update(bearer(token))
        yield client


async def test_connect_over_the_api_is_refused_with_a_generic_text(
        api: httpx.AsyncClient, fake: FakeCaldav) -> None:
    fake.banner, fake.banner_status = BANNER, 405
    r = await api.post("/api/calendar/connect", json={
        "business": "1", "url": f"http://127.0.0.1:{fake.port}/", "username": "u",
        "password": "p"})
    assert r.status_code == 422
    assert "private, loopback or link-local" in r.text and "SECRET-BANNER" not in r.text
    assert fake.requests == []
