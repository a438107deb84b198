"""What the ``service`` and ``calendar`` commands share: options, the calendar service a command
runs on (with its own short-lived embedded Radicale), the notifier the application registers,
and turning calendar errors into a clear message."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from receptionist.core.cli_support import cli_settings, fail, open_db, phone_option, run

if TYPE_CHECKING:
    from calendar_sync.ports import BookingNotifier
    from calendar_sync.service import CalendarService
    from receptionist.core import Clock, Database

__all__ = ["BusinessOpt", "JsonOpt", "PhoneOpt", "open_calendar", "run_calendar",
           "use_notifier_factory"]

T = TypeVar("T")
NotifierFactory = Callable[["Database", "Clock"], "BookingNotifier"]
_notifier_factory: list[NotifierFactory] = []

BusinessOpt = Annotated[str, typer.Option("--business", help="Business id or one of its numbers.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
PhoneOpt = Annotated[str, typer.Option("--phone", callback=phone_option,
                                       help="Caller's phone, e.g. +15551234567.")]


def use_notifier_factory(factory: NotifierFactory) -> None:
    """Let the application decide who is told about bookings made from the command line."""
    _notifier_factory[:] = [factory]


@asynccontextmanager
async def open_calendar() -> AsyncIterator[CalendarService]:
    from calendar_sync.service import CalendarService
    from calendar_sync.settings import calendar_config
    from receptionist.core import SystemClock

    settings = cli_settings()
    config = calendar_config(settings)
    # Its own embedded server on a free port; owners are shown the server's usual address.
    usual = f"http://{config.embedded_host}:{config.embedded_port}/" if config.embedded_port \
        else ""
    config = dataclasses.replace(config, embedded_port=0,
                                 embedded_public_url=config.embedded_public_url or usual)
    async with open_db(settings) as db:
        clock = SystemClock()
        notifier = _notifier_factory[0](db, clock) if _notifier_factory else None
        service = CalendarService(db, config, secret_key=settings.secret_key_bytes(),
                                  clock=clock, notifier=notifier)
        try:
            yield service
        finally:
            await service.aclose()


def run_calendar(fn: Callable[[], Awaitable[T]]) -> T:
    from calendar_sync.errors import CalendarError

    try:
        return run(fn)
    except CalendarError as exc:
        fail(f"{exc} ({type(exc).__name__})")
        raise
