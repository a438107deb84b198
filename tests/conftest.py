"""Shared fixtures: databases (SQLite, and PostgreSQL when configured), the Twilio REST double,
the app under uvicorn, and signed webhook posting."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from receptionist.core import Database, Settings
from receptionist.services import Overrides
from scripts.doubles.twilio_rest import TwilioRestDouble
from tests.support.databases import (
    build_sqlite_template,
    create_postgres_database,
    drop_postgres_database,
    empty_schema,
    postgres_base_url,
)
from tests.support.server import AppServer
from tests.support.settings import make_settings
from tests.support.webhooks import Webhooks

# No test may read a developer's environment or .env.
for _key in [k for k in os.environ if k.startswith("RECEPTIONIST_") and "TEST" not in k]:
    del os.environ[_key]

BACKENDS = ["sqlite", "postgres"]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    base = postgres_base_url()
    if base is None:
        yield None
        return
    url = create_postgres_database(base)
    try:
        yield url
    finally:
        drop_postgres_database(base, url)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path, postgres_url: str | None) -> str:
    if request.param == "postgres":
        if postgres_url is None:
            pytest.skip("set RECEPTIONIST_TEST_POSTGRES_URL to run on PostgreSQL")
        return postgres_url
    return f"sqlite+aiosqlite:///{tmp_path}/receptionist.db"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sqlite_template(tmp_path_factory.mktemp("schema") / "template.db")


@pytest.fixture
async def db(db_url: str, sqlite_template: Path) -> AsyncIterator[Database]:
    await empty_schema(db_url, sqlite_template)
    database = Database(db_url)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
def twilio() -> Iterator[TwilioRestDouble]:
    with TwilioRestDouble() as double:
        yield double


@pytest.fixture
def settings(db_url: str, twilio: TwilioRestDouble, tmp_path: Path) -> Settings:
    return make_settings(db_url, twilio, tmp_path)


@pytest.fixture
async def server(request: pytest.FixtureRequest, settings: Settings,
                 db: Database) -> AsyncIterator[AppServer]:
    # The speech runtime (models, warm-up) only for tests marked ``voice``: the others answer
    # webhooks, texts and pages, which work without it.
    voice = request.node.get_closest_marker("voice") is not None
    app_server = AppServer(settings, Overrides(voice=voice)).start()
    try:
        yield app_server
    finally:
        app_server.stop()


@pytest.fixture
async def webhooks(server: AppServer) -> AsyncIterator[Webhooks]:
    hooks = Webhooks(server)
    try:
        yield hooks
    finally:
        await hooks.aclose()
