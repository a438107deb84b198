"""Test databases: a temporary SQLite file always, PostgreSQL too when
``RECEPTIONIST_TEST_POSTGRES_URL`` is set (each test session gets its own database)."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import asyncpg

from scripts.doubles.factories import import_all_models

POSTGRES_ENV = "RECEPTIONIST_TEST_POSTGRES_URL"


def postgres_base_url() -> str | None:
    url = os.environ.get(POSTGRES_ENV, "").strip()
    if not url:
        return None
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+asyncpg://" + url.split("://", 1)[1]
    return url


def _dsn(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


async def _admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(_dsn(url))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def create_postgres_database(base_url: str) -> str:
    """A fresh database next to the one in ``base_url``; returns its async URL."""
    name = "receptionist_test_" + secrets.token_hex(4)
    asyncio.run(_admin(base_url, f'CREATE DATABASE "{name}"'))
    return base_url.rsplit("/", 1)[0] + "/" + name


def drop_postgres_database(base_url: str, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    asyncio.run(_admin(base_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def empty_schema(url: str, sqlite_template: Path | None = None) -> None:
    """Every table, empty, in the database at ``url``. SQLite: a copy of ``sqlite_template`` (the
    schema built once per session) where given, else ``create_all``. PostgreSQL: one database per
    session, emptied with TRUNCATE (or rebuilt when a test such as the migration tests dropped
    tables)."""
    from sqlalchemy import text
    from sqlalchemy.exc import ProgrammingError

    from receptionist.core import Base, Database

    import_all_models()
    if sqlite_template is not None and url.startswith("sqlite"):
        _copy_file(sqlite_template, Path(url.split(":///", 1)[1]))
        return
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


def _copy_file(template: Path, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, path)
    path.chmod(0o600)  # as the product creates its database file


def build_sqlite_template(path: Path) -> Path:
    """The schema in one SQLite file, copied for each test instead of rebuilt (``create_all`` of
    every table costs a few tenths of a second; a copy, well under a millisecond)."""
    asyncio.run(empty_schema(f"sqlite+aiosqlite:///{path}"))
    # The product opens SQLite in WAL mode, and WAL is stored in the file: a copy already in WAL
    # mode spares each test's first connections the switch, which needs the file to itself and
    # fails with "database is locked" when the app and the test open it at the same moment.
    # The log is folded into the file (and removed when the last connection closes), so the one
    # file is the whole database.
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path
