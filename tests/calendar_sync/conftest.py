"""Calendar fixtures: real Radicale and Xandikos on loopback, a calendar service on the test
database (SQLite, and PostgreSQL when configured) with a fixed clock, and a recording notifier."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from calendar_sync import CalendarService
from receptionist.core import Database, FixedClock
from scripts.doubles.factories import add_business
from tests.calendar_sync.servers import HungServer, RadicaleTestServer, XandikosTestServer
from tests.support.calendar import HOURS, NOW, RecordingNotifier, calendar_config


@pytest.fixture(scope="session")
def radicale() -> Iterator[RadicaleTestServer]:
    server = RadicaleTestServer().start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def xandikos() -> Iterator[XandikosTestServer]:
    server = XandikosTestServer().start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def hung() -> Iterator[HungServer]:
    server = HungServer()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
async def calendar(db: Database, tmp_path: Path, clock: FixedClock,
                   notifier: RecordingNotifier) -> AsyncIterator[CalendarService]:
    service = CalendarService(db, calendar_config(tmp_path), secret_key=b"test-secret",
                              clock=clock, notifier=notifier)
    try:
        yield service
    finally:
        await service.aclose()


@pytest.fixture
async def business_id(db: Database) -> int:
    return await add_business(db, hours=HOURS)
