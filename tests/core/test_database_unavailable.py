"""Which errors mean "the database is away, answer 503 and let the sender retry"."""

from __future__ import annotations

from sqlalchemy.exc import (
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout

from receptionist.core.db import database_unavailable


def test_a_lost_or_refused_connection_is_unavailability() -> None:
    assert database_unavailable(ConnectionRefusedError(111, "refused"))
    assert database_unavailable(ConnectionResetError(104, "reset"))
    assert database_unavailable(PoolTimeout("pool exhausted"))
    assert database_unavailable(OperationalError("SELECT 1", {}, Exception("down")))
    assert database_unavailable(InterfaceError("SELECT 1", {}, Exception("closed")))
    assert database_unavailable(ProgrammingError("SELECT 1", {}, OSError("reset")))


def test_the_drivers_error_anywhere_in_the_chain_counts() -> None:
    class ConnectionDoesNotExistError(Exception):  # asyncpg's, by name
        pass

    class CannotConnectNowError(Exception):
        sqlstate = "57P03"  # the database system is starting up

    lost = ConnectionDoesNotExistError("connection was closed in the middle of operation")
    assert database_unavailable(DBAPIError("SELECT 1", {}, lost))
    wrapped = Exception("translated")
    wrapped.__cause__ = lost
    assert database_unavailable(DBAPIError("SELECT 1", {}, wrapped))
    assert database_unavailable(DBAPIError("SELECT 1", {}, CannotConnectNowError()))


def test_a_bug_or_a_conflict_is_not() -> None:
    assert not database_unavailable(IntegrityError("INSERT", {}, Exception("duplicate")))
    assert not database_unavailable(ProgrammingError("SELEC", {}, Exception("syntax")))
    assert not database_unavailable(ValueError("bad"))
