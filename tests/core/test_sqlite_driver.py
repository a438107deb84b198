"""The SQLite connections: one trip to the connection's thread per statement, and otherwise
what SQLAlchemy expects of aiosqlite (rows, row counts, errors, rollback, executemany)."""

from __future__ import annotations

from pathlib import Path

import aiosqlite
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from receptionist.core import Database

metadata = MetaData()
items = Table("items", metadata, Column("id", Integer, primary_key=True),
              Column("name", String(20), unique=True))


@pytest.fixture
async def db(tmp_path: Path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/driver.db")
    async with database.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield database
    await database.dispose()


async def test_rows_counts_and_returning(db: Database) -> None:
    async with db.transaction() as session:
        first = await session.scalar(insert(items).values(name="a").returning(items.c.id))
        await session.execute(insert(items), [{"name": n} for n in "bcdef"])  # executemany
        changed = await session.execute(update(items).where(items.c.id > first)
                                        .values(name=func.upper(items.c.name)))
        names = (await session.execute(select(items.c.name).order_by(items.c.id))).scalars()
        assert changed.rowcount == 5 and list(names) == ["a", "B", "C", "D", "E", "F"]
        assert (await session.execute(select(items).where(items.c.id == -1))).first() is None
        assert (await session.execute(text("PRAGMA journal_mode"))).scalar() == "wal"


async def test_an_error_rolls_back_and_the_connection_goes_on(db: Database) -> None:
    async with db.transaction() as session:
        await session.execute(insert(items).values(name="a"))
    with pytest.raises(IntegrityError):
        async with db.transaction() as session:
            await session.execute(insert(items).values(name="b"))
            await session.execute(insert(items).values(name="a"))
    async with db.transaction() as session:
        assert (await session.execute(select(items.c.name))).scalars().all() == ["a"]


async def test_each_statement_is_one_trip_to_the_connection_thread(
        db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    trips: list[object] = []
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: object, *args: object,
                      **kwargs: object) -> object:
        trips.append(fn)
        return await original(self, fn, *args, **kwargs)

    async with db.transaction() as session:
        await session.execute(select(1))  # the connection is checked out and begun
        monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
        for _ in range(5):
            await session.execute(select(items.c.id).where(items.c.name == "x"))
        await session.execute(insert(items).values(name="y"))
        assert len(trips) == 6
