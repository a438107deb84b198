"""Migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from receptionist.cli import upgrade_database
from receptionist.core import Base, Database
from scripts.doubles.factories import import_all_models


async def test_upgrade_empty_database_matches_models(db_url):
    db = Database(db_url)
    try:
        async with db.engine.begin() as conn:  # start from nothing (PostgreSQL is shared)
            await conn.run_sync(Base.metadata.drop_all)
            await conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        await asyncio.to_thread(upgrade_database, db_url)
        import_all_models()

        def diff(sync_conn):
            ctx = MigrationContext.configure(sync_conn, opts={"compare_type": False})
            return compare_metadata(ctx, Base.metadata)

        async with db.engine.connect() as conn:
            changes = await conn.run_sync(diff)
        assert changes == [], f"models and migrations disagree: {changes}"
        await asyncio.to_thread(upgrade_database, db_url)  # idempotent
    finally:
        async with db.engine.begin() as conn:
            await conn.run_sync(Base.metadata.drop_all)
            await conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        await db.dispose()
