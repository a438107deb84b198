"""The one SQLAlchemy ``Base`` every table hangs on, engines, sessions and dialect helpers.

SQLite is the embedded default and PostgreSQL the production database; code that must behave the
same on both (insert-if-absent, row claiming) goes through the helpers here.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Dialect, Insert, MetaData, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from receptionist.core.sqlite_driver import connector as sqlite_connector

__all__ = [
    "Base",
    "Database",
    "UTCDateTime",
    "database_unavailable",
    "dialect_insert",
    "insert_ignore",
    "is_nul_in_text",
]

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite forgets the offset otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def dialect_insert(dialect_name: str, table: Any) -> Any:
    """The running dialect's ``INSERT`` construct, which has ``on_conflict_do_*`` (both do)."""
    return (postgresql if dialect_name == "postgresql" else sqlite).insert(table)


def insert_ignore(dialect_name: str, table: Any, index_elements: list[str] | None) -> Insert:
    """``INSERT … ON CONFLICT DO NOTHING`` for the running dialect. ``None`` for
    ``index_elements`` ignores a conflict on any unique constraint."""
    return dialect_insert(dialect_name, table).on_conflict_do_nothing(  # type: ignore[no-any-return]
        index_elements=index_elements)


# What a request meets while the database is away (restarting, failing over, unreachable): the
# driver's refused or reset connection (asyncpg raises the OSError itself at connect), a
# connection the pool found dead, a pool that could not hand one out in time. The request failed
# before anything was committed, so it is safe to answer 503 and let the sender retry.
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (DBAPIError, PoolTimeout, ConnectionError)


def database_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` means "the database cannot be reached now", not a bug or a conflict
    (an ``IntegrityError`` is a ``DBAPIError`` too, and stays a 500). The driver's own error
    may sit anywhere in the chain SQLAlchemy wraps around it, so the whole chain is read."""
    if isinstance(exc, PoolTimeout | OperationalError | InterfaceError):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    seen: set[int] = set()
    chain: list[BaseException | None] = [exc]
    while chain:
        err = chain.pop()
        if err is None or id(err) in seen:
            continue
        seen.add(id(err))
        if isinstance(err, OSError) or type(err).__name__ in _LOST_CONNECTION:
            return True
        if str(getattr(err, "sqlstate", "") or "").startswith(_AWAY_SQLSTATES):
            return True
        chain += [getattr(err, "orig", None), err.__cause__, err.__context__]
    return False


# asyncpg's name for a connection that closed under a query (it carries no SQLSTATE); and the
# SQLSTATEs of a server going away: class 08 (connection exception), 57P01-57P03 (admin or
# crash shutdown, "the database system is starting up").
_LOST_CONNECTION = frozenset({"ConnectionDoesNotExistError"})
_AWAY_SQLSTATES = ("08", "57P01", "57P02", "57P03")


class Database:
    """An engine and its session factory. One per process, built by the composition root."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        kwargs: dict[str, Any] = {"echo": echo}
        if url.startswith("sqlite"):
            path = make_url(url).database
            if path and path != ":memory:" and not path.startswith("file:"):
                _create_private_file(Path(path))
            (database, *_), params = SQLiteDialect_aiosqlite().create_connect_args(make_url(url))
            kwargs["async_creator"] = sqlite_connector(database, **{"timeout": 30, **params})
        else:
            kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if url.startswith("sqlite"):
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One short unit of work: commits on success, rolls back on error."""
        async with self.sessions() as session, session.begin():
            yield session

    async def create_all(self) -> None:
        """Create every table directly (tests); production uses ``receptionist db upgrade``."""
        async with self.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)

    async def dispose(self) -> None:
        await self.engine.dispose()


def _create_private_file(path: Path) -> None:
    """Create the SQLite file readable by its owner only before SQLite opens it (it holds
    transcripts, messages and encrypted secrets); SQLite gives its -wal and -shm files the
    database file's mode. A parent folder it creates is the owner's only too."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass  # an existing database keeps its mode


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # WAL lets readers run beside the single writer; busy_timeout makes writers queue, not fail.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def is_nul_in_text(exc: BaseException) -> bool:
    """Whether a database error is PostgreSQL refusing a NUL character in a text value (SQLite
    stores it). Input no route should have let through, so the app answers it as a 400."""
    from sqlalchemy.exc import DBAPIError

    return isinstance(exc, DBAPIError) and "0x00" in str(exc.orig)
