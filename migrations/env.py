"""Alembic environment: async engine, the one MetaData with every subsystem's tables."""

from __future__ import annotations

import asyncio
import importlib

from alembic import context
from sqlalchemy.engine import Connection

from receptionist.core import Base, Database

# Every module that defines tables; a subsystem that has none yet is skipped.
MODEL_MODULES = [
    "receptionist.core.tenancy",
    "textback.models",
    "receptionist.telephony.models",
    "knowledge.models",
    "calendar_sync.models",
    "receptionist.agent.models", "receptionist.chat.models",
    "receptionist.media.models",
    "receptionist.web.models",
    "receptionist.accounts.models",
]
for name in MODEL_MODULES:
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name is None or not name.startswith(exc.name):
            raise

target_metadata = Base.metadata
config = context.config


def _url() -> str:
    return str(config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url"))


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite",
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    db = Database(_url())
    async with db.engine.connect() as conn:
        await conn.run_sync(_run)
        await conn.commit()
    await db.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
    else:
        asyncio.run(_run_async())
