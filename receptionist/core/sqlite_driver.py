"""aiosqlite connections that run each statement in one trip to the connection's thread.

aiosqlite makes every DB-API call (create a cursor, execute, fetch, close) its own trip to the
connection's thread, and each result waits for a turn of the event loop to be picked up.
SQLAlchemy makes three or four such calls per statement. SQLite holds its one write lock from a
transaction's first write to its commit, so on a busy event loop those waits stretch every write
transaction, and the other writers queue behind it in SQLite's busy handler, which sleeps in
growing steps: at 50 missed calls a second the text-back's p99 went past a second. Here a
statement is created, executed, fetched and closed in a single trip; the rows are handed over
already fetched, as SQLAlchemy's adapter fetches them all anyway. A rollback with no transaction
open (the pool's reset of every connection it gets back) makes no trip at all.

Given to ``create_async_engine`` as its ``async_creator``; SQLAlchemy's aiosqlite dialect wraps
these connections as it wraps aiosqlite's own. Server-side cursors (``stream()``) are not used
by this project and are not supported here.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Callable, Iterable
from threading import Thread
from typing import Any

import aiosqlite
from aiosqlite.context import contextmanager

__all__ = ["connector"]


class _Cursor:
    """The subset of ``aiosqlite.Cursor`` SQLAlchemy uses, one thread trip per statement."""

    def __init__(self, conn: _Connection) -> None:
        self._conn = conn
        self._rows: deque[Any] = deque()
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> _Cursor:
        await self._conn.in_thread(self._run, "execute", sql, parameters or ())
        return self

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> _Cursor:
        await self._conn.in_thread(self._run, "executemany", sql, parameters)
        return self

    def _run(self, method: str, sql: str, parameters: Any) -> None:
        """In the connection's thread: the whole statement, its rows fetched, its cursor closed."""
        cursor = self._conn._conn.cursor()
        try:
            getattr(cursor, method)(sql, parameters)
            self._rows = deque(cursor.fetchall() if cursor.description else ())
            self.description = cursor.description
            self.rowcount = cursor.rowcount
            self.lastrowid = cursor.lastrowid
        finally:
            cursor.close()

    async def fetchall(self) -> list[Any]:
        rows, self._rows = list(self._rows), deque()
        return rows

    async def close(self) -> None:
        self._rows.clear()  # the sqlite3 cursor was closed in its own trip


class _Connection(aiosqlite.Connection):
    async def in_thread(self, fn: Callable[..., None], *args: Any) -> None:
        """One trip to the connection's thread (aiosqlite's ``_execute`` is unannotated)."""
        await self._execute(fn, *args)  # type: ignore[no-untyped-call]

    @contextmanager
    async def cursor(self) -> _Cursor:  # type: ignore[override]
        return _Cursor(self)

    async def rollback(self) -> None:
        # SQLAlchemy's pool rolls back every connection handed back to it ("reset on return"),
        # right after the session committed: with no transaction open there is nothing to roll
        # back, and the trip to the connection's thread is skipped. (Nothing runs on this
        # connection meanwhile, so reading ``in_transaction`` from here is safe.)
        if self._conn.in_transaction:
            await super().rollback()


def connector(database: str, **kwargs: Any) -> Callable[[], _Connection]:
    """An ``async_creator`` opening ``database`` with ``sqlite3.connect(database, **kwargs)``."""

    def connect() -> sqlite3.Connection:
        connection: sqlite3.Connection = sqlite3.connect(database, **kwargs)
        return connection

    def create() -> _Connection:
        connection = _Connection(connect, 64)
        # As SQLAlchemy does for aiosqlite's own connections: a daemon thread never holds up
        # the interpreter's exit (aiosqlite < 0.22 made the connection itself the thread).
        thread = connection if isinstance(connection, Thread) else connection._thread
        thread.daemon = True
        return connection

    return create
