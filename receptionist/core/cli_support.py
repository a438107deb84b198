"""Shared plumbing for every command line: settings, a database, readable errors."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import typer

from receptionist.core.db import Database
from receptionist.core.hours import HoursError
from receptionist.core.phones import InvalidPhoneNumber, normalize
from receptionist.core.settings import Settings, SettingsError, load_settings
from receptionist.core.tenancy import BusinessNotFound

__all__ = ["cli_settings", "fail", "open_db", "phone_option", "print_json", "run"]

T = TypeVar("T")

# Errors a user can fix: shown as one line (no traceback), exit code 2.
USER_ERRORS: tuple[type[Exception], ...] = (
    SettingsError, InvalidPhoneNumber, BusinessNotFound, HoursError, ValueError, LookupError,
)


def fail(message: str, code: int = 2) -> None:
    typer.secho(f"Error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def cli_settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        fail(str(exc))
        raise  # unreachable; keeps type checkers content


@asynccontextmanager
async def open_db(settings: Settings) -> AsyncIterator[Database]:
    db = Database(settings.database_url)
    try:
        yield db
    finally:
        await db.dispose()


def run(fn: Callable[[], Awaitable[T]]) -> T:
    """Run a command's coroutine, turning user errors into a one-line message."""
    try:
        return asyncio.run(fn())  # type: ignore[arg-type]
    except typer.Exit:
        raise
    except USER_ERRORS as exc:
        fail(str(exc))
        raise


def phone_option(value: str | None) -> str | None:
    """typer callback: normalise a phone number or stop with a clear message."""
    if value is None:
        return None
    try:
        return normalize(value)
    except InvalidPhoneNumber as exc:
        raise typer.BadParameter(str(exc)) from exc


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
