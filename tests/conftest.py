"""Shared fixtures: databases (SQLite, and PostgreSQL when configured), the Twilio REST double,
the app under uvicorn, and signed webhook posting."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from receptionist.core import Base, Database, Settings
from tests.doubles.twilio_rest import TwilioRestDouble
from tests.support.databases import (
    create_postgres_database,
    drop_postgres_database,
    import_all_models,
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


async def reset_schema(url: str) -> None:
    """Empty tables for this test. SQLite is a new file per test; PostgreSQL is one database per
    session, emptied with TRUNCATE (or rebuilt when a test such as the migration tests dropped
    tables)."""
    import_all_models()
    db = Database(url)
    try:
        if db.dialect == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            try:
                async with db.engine.begin() as conn:
                    await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
                return
            except ProgrammingError:
                pass  # a table is missing: rebuild below
        async with db.engine.begin() as conn:
            await conn.run_sync(Base.metadata.drop_all)
            await conn.run_sync(Base.metadata.create_all)
    finally:
        await db.dispose()


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    await reset_schema(db_url)
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
async def server(settings: Settings, db: Database) -> AsyncIterator[AppServer]:
    app_server = AppServer(settings).start()
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
