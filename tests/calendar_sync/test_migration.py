"""The calendar migration (branch "calendar") on an empty SQLite and PostgreSQL database: it
creates exactly the tables the models describe, and comes off again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext

from receptionist.cli import MIGRATIONS
from receptionist.core import Base
from tests.support.databases import (
    create_postgres_database,
    drop_postgres_database,
    import_all_models,
    postgres_base_url,
)

TABLES = {"calendar_connection", "calendar_calendar", "calendar_service", "calendar_policy",
          "calendar_booking"}


@pytest.fixture(params=["sqlite", "postgres"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/migrate.db"
        return
    base = postgres_base_url()
    if base is None:
        pytest.skip("set RECEPTIONIST_TEST_POSTGRES_URL to run on PostgreSQL")
    url = create_postgres_database(base)
    try:
        yield url
    finally:
        drop_postgres_database(base, url)


def _config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url)
    cfg.attributes["database_url"] = url
    return cfg


def _inspect(url: str, fn):  # type: ignore[no-untyped-def]
    import asyncio

    from receptionist.core import Database

    async def go():  # type: ignore[no-untyped-def]
        db = Database(url)
        try:
            async with db.engine.connect() as conn:
                return await conn.run_sync(fn)
        finally:
            await db.dispose()

    return asyncio.run(go())


def test_upgrade_creates_the_calendar_tables_as_modelled(empty_url):
    import_all_models()
    command.upgrade(_config(empty_url), "heads")
    names = _inspect(empty_url, lambda c: set(sa.inspect(c).get_table_names()))
    assert TABLES <= names

    def diff(conn):  # type: ignore[no-untyped-def]
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return [d for d in compare_metadata(ctx, Base.metadata) if "calendar_" in str(d)]

    assert _inspect(empty_url, diff) == []
    command.downgrade(_config(empty_url), "calendar@-2")  # origin column, then the tables
    names = _inspect(empty_url, lambda c: set(sa.inspect(c).get_table_names()))
    assert not TABLES & names and "businesses" in names
