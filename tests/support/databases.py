"""Test databases: a temporary SQLite file always, PostgreSQL too when
``RECEPTIONIST_TEST_POSTGRES_URL`` is set (each test session gets its own database)."""

from __future__ import annotations

import asyncio
import os
import secrets

import asyncpg

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


def import_all_models() -> None:
    """Every table must be on the metadata before ``create_all``."""
    import importlib

    for name in ("receptionist.core.tenancy", "textback.models", "receptionist.telephony.models",
                 "knowledge.models", "calendar_sync.models", "receptionist.agent.models",
                 "receptionist.chat.models", "receptionist.call.models",
                 "receptionist.accounts.models", "receptionist.web.models"):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not name.startswith(exc.name):
                raise
