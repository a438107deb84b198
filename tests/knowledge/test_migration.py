"""The 0002_knowledge migration creates exactly what the models describe (on an empty SQLite
and, when configured, an empty PostgreSQL database)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import knowledge.models  # noqa: F401  (tables on the metadata)
from receptionist.cli import upgrade_database
from receptionist.core import Base, Database
from tests.support.databases import (
    create_postgres_database,
    drop_postgres_database,
    postgres_base_url,
)


def _knowledge_diffs(sync_conn: Any) -> list[Any]:
    context = MigrationContext.configure(sync_conn, opts={"compare_type": True})
    return [d for d in compare_metadata(context, Base.metadata) if "knowledge_" in repr(d)]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_upgrade_creates_the_knowledge_tables(backend: str, tmp_path: Path) -> None:
    base = postgres_base_url()
    if backend == "postgres" and base is None:
        pytest.skip("set RECEPTIONIST_TEST_POSTGRES_URL to run on PostgreSQL")
    url = (await asyncio.to_thread(create_postgres_database, base) if backend == "postgres"
           else f"sqlite+aiosqlite:///{tmp_path}/migrated.db")
    db = Database(url)
    try:
        await asyncio.to_thread(upgrade_database, url)
        async with db.engine.connect() as conn:
            assert await conn.run_sync(_knowledge_diffs) == []
            names = await conn.run_sync(lambda c: c.dialect.get_table_names(c))
        assert {"knowledge_site", "knowledge_page", "knowledge_chunk"} <= set(names)
    finally:
        await db.dispose()
        if backend == "postgres":
            assert base is not None
            await asyncio.to_thread(drop_postgres_database, base, url)
