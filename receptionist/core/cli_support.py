"""Shared plumbing for every command line: settings, a database, readable errors.

Imported by every command module when ``receptionist --help`` builds its command tree, so it
imports only typer at the top: settings (pydantic), the database (SQLAlchemy) and phone
numbers load when a command runs.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import typer

if TYPE_CHECKING:
    from receptionist.core.db import Database
    from receptionist.core.settings import Settings

__all__ = ["cli_settings", "fail", "open_db", "phone_option", "print_json", "run", "step"]

T = TypeVar("T")


def user_errors() -> tuple[type[Exception], ...]:
    """Errors a user can fix: shown as one line (no traceback), exit code 2. (Phone, hours and
    business-not-found errors are ValueErrors and LookupErrors.)"""
    from receptionist.core.settings import SettingsError

    return (SettingsError, ValueError, LookupError)


def fail(message: str, code: int = 2) -> None:
    typer.secho(f"Error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def cli_settings() -> Settings:
    from receptionist.core.settings import SettingsError, load_settings

    try:
        return load_settings()
    except SettingsError as exc:
        fail(str(exc))
        raise  # unreachable; keeps type checkers content


@asynccontextmanager
async def open_db(settings: Settings) -> AsyncIterator[Database]:
    from receptionist.core.db import Database

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
    except user_errors() as exc:
        fail(str(exc))
        raise


def phone_option(value: str | None) -> str | None:
    """typer callback: normalise a phone number or stop with a clear message."""
    from receptionist.core.phones import InvalidPhoneNumber, normalize

    if value is None:
        return None
    try:
        return normalize(value)
    except InvalidPhoneNumber as exc:
        raise typer.BadParameter(str(exc)) from exc


@contextmanager
def step(what: str, *, quiet: bool = False) -> Iterator[None]:
    """Say on stderr what a step that may take a while is doing, then how long it took (nothing
    when ``quiet``, e.g. with ``--json``: stdout stays clean either way)."""
    if quiet:
        yield
        return
    typer.secho(f"{what}…", err=True, dim=True)
    started = time.monotonic()
    yield
    typer.secho(f"  done in {time.monotonic() - started:.1f} s", err=True, dim=True)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
