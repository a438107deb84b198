"""``receptionist service …`` and ``receptionist calendar …``.

A command runs its own short-lived embedded Radicale (on a free loopback port, same data folder
as the server's) when the business has no calendar connected, so ``calendar slots`` and
``calendar book`` work on a fresh install without the server running. Texts about bookings are
queued in the outbox (the running server sends them) when the application registered a notifier
factory with :func:`use_notifier_factory`.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from calendar_sync.cli_common import (
    BusinessOpt,
    JsonOpt,
    PhoneOpt,
    open_calendar,
    run_calendar,
    use_notifier_factory,
)
from calendar_sync.messages import short_time
from calendar_sync.service_cli import service_app
from receptionist.core.cli_support import phone_option, print_json

if TYPE_CHECKING:
    from calendar_sync.availability import Slot
    from calendar_sync.results import BookingResult

# The CalDAV client, Radicale and the tables load when a command runs, not for --help.

__all__ = ["calendar_app", "service_app", "use_notifier_factory"]

calendar_app = typer.Typer(help="Calendars (CalDAV or the embedded one): connect, test, list, "
                           "free slots, book, cancel, reschedule.", no_args_is_help=True)



@calendar_app.command("connect")
def calendar_connect(
    business: BusinessOpt,
    url: Annotated[str, typer.Option(help="CalDAV URL (server, principal or calendar).")],
    username: Annotated[str, typer.Option(help="Account username (often the email).")],
    password: Annotated[str, typer.Option(help="Password; an app password where offered.")],
    calendar: Annotated[list[str] | None, typer.Option(
        "--calendar", help="Calendar to use, by name; repeat for several (staff, rooms). "
        "Default: the first one.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Connect a CalDAV account (password stored encrypted) and pick its calendars."""

    async def go() -> None:
        async with open_calendar() as cal:
            found = await cal.connect(business, url, username, password, calendar or [])
        if as_json:
            print_json([c.to_json() for c in found])
            return
        typer.secho(f"Connected {url}.", fg=typer.colors.GREEN)
        for c in found:
            typer.echo(f"  [{'x' if c.selected else ' '}] {c.name:<28} {c.url}")

    run_calendar(go)


@calendar_app.command("disconnect")
def calendar_disconnect(business: BusinessOpt) -> None:
    """Forget connected CalDAV accounts; the embedded calendar is used again."""

    async def go() -> None:
        async with open_calendar() as cal:
            n = await cal.disconnect(business)
        typer.secho(f"Removed {n} connection(s).", fg=typer.colors.GREEN)

    run_calendar(go)


@calendar_app.command("test")
def calendar_test(business: BusinessOpt, as_json: JsonOpt = False) -> None:
    """Reach every calendar the business books into, and read a day of events."""

    async def go() -> None:
        async with open_calendar() as cal:
            report = await cal.test(business)
        if as_json:
            print_json(report.to_json())
        else:
            for name, error in report.calendars:
                mark = typer.style("ok", fg=typer.colors.GREEN) if error is None else \
                    typer.style("FAILED", fg=typer.colors.RED)
                typer.echo(f"  {name:<28} {mark}{'  ' + error if error else ''}")
            typer.echo(f"{report.kind}: {report.elapsed_ms:.0f} ms")
        if not report.ok:
            raise typer.Exit(1)

    run_calendar(go)


@calendar_app.command("list")
def calendar_list(business: BusinessOpt, as_json: JsonOpt = False) -> None:
    """Calendars of the business: the ones booked into (marked x) and the others found."""

    async def go() -> None:
        async with open_calendar() as cal:
            found = await cal.list_calendars(business)
        if as_json:
            print_json([c.to_json() for c in found])
            return
        for c in found:
            typer.echo(f"[{'x' if c.selected else ' '}] {c.name:<28} {c.kind:<9} {c.url}")

    run_calendar(go)


@calendar_app.command("phone")
def calendar_phone(business: BusinessOpt, as_json: JsonOpt = False) -> None:
    """How to see the embedded calendar on a phone (CalDAV account settings)."""

    async def go() -> None:
        async with open_calendar() as cal:
            access = await cal.phone_access(business)
        if as_json:
            print_json(access)
            return
        typer.echo("Add a CalDAV account on the phone (iPhone: Settings > Calendar > Accounts > "
                   "Add Account > Other > Add CalDAV Account; Android: DAVx5):")
        typer.echo(f"  server:   {access['server']}")
        typer.echo(f"  username: {access['username']}")
        typer.echo(f"  password: {access['password']}")
        typer.echo(f"  calendar: {access['calendar_url']}")

    run_calendar(go)


@calendar_app.command("rules")
def calendar_rules(
    business: BusinessOpt,
    notice_minutes: Annotated[int | None, typer.Option(
        min=0, help="Minimum notice before a booking.")] = None,
    horizon_days: Annotated[int | None, typer.Option(
        min=1, max=730, help="How far ahead callers can book.")] = None,
    slot_minutes: Annotated[int | None, typer.Option(
        min=1, max=240, help="Grid of start times, e.g. 15.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Show or change booking rules (notice, horizon, slot grid)."""

    async def go() -> None:
        async with open_calendar() as cal:
            rules = await cal.set_policy(business, notice_minutes=notice_minutes,
                                         horizon_days=horizon_days, slot_minutes=slot_minutes)
        if as_json:
            print_json(rules)
            return
        typer.echo(f"notice {rules['notice_minutes']} min, horizon {rules['horizon_days']} "
                   f"days, slots every {rules['slot_minutes']} min")

    run_calendar(go)


@calendar_app.command("slots")
def calendar_slots(
    business: BusinessOpt,
    service: Annotated[str, typer.Option(help="Service name.")],
    from_: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last day (included), YYYY-MM-DD.")]
        = None,
    when: Annotated[str | None, typer.Option(
        help="Instead of dates, what a caller would say: 'next Tuesday after 3'.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Free slots for a service (times in the business's time zone)."""

    async def go() -> None:
        first = _date(from_, "--from") if from_ else None
        last = _date(to, "--to") if to else first
        async with open_calendar() as cal:
            search = await cal.find_slots(business, service, when, start=first, end=last)
        if as_json:
            print_json([s.to_json() for s in search.slots])
            return
        _print_slots(search.slots)
        if not search.slots and search.alternatives:
            typer.echo("Next openings: " + ", ".join(short_time(s.start)
                                                      for s in search.alternatives))

    run_calendar(go)


@calendar_app.command("book")
def calendar_book(
    business: BusinessOpt,
    service: Annotated[str, typer.Option(help="Service name.")],
    start: Annotated[str, typer.Option(help="ISO 8601 start, e.g. 2026-01-14T15:30-05:00 "
                                       "(no offset = the business's time zone).")],
    name: Annotated[str, typer.Option(help="Caller's name.")],
    phone: PhoneOpt,
    notes: Annotated[str, typer.Option(help="What the visit is about.")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Book a slot (re-checked against the calendar; never double-books)."""

    async def go() -> None:
        async with open_calendar() as cal:
            result = await cal.book(business, service, start, name, phone, notes=notes,
                                    source="cli")
        _print_booking(result, as_json)

    run_calendar(go)


@calendar_app.command("cancel")
def calendar_cancel(
    business: BusinessOpt,
    phone: PhoneOpt,
    uid: Annotated[str | None, typer.Option(help="Which booking, if the caller has several.")]
        = None,
    on: Annotated[str | None, typer.Option(help="Which booking, by its day (YYYY-MM-DD) or "
                                           "start (ISO 8601).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Cancel a caller's upcoming booking."""

    async def go() -> None:
        async with open_calendar() as cal:
            result = await cal.cancel(business, phone, uid=uid, on=on)
        if as_json:
            print_json(result.to_json())
        else:
            colour = typer.colors.GREEN if result.status == "cancelled" else typer.colors.YELLOW
            typer.secho(f"{result.status}: {result.message}", fg=colour)
            for b in result.candidates:
                typer.echo(f"  {short_time(b.start)}  {b.service}  uid={b.uid}")
        if result.status not in ("cancelled",):
            raise typer.Exit(1)

    run_calendar(go)


@calendar_app.command("reschedule")
def calendar_reschedule(
    business: BusinessOpt,
    phone: PhoneOpt,
    start: Annotated[str, typer.Option(help="New ISO 8601 start.")],
    uid: Annotated[str | None, typer.Option(help="Which booking, if several.")] = None,
    on: Annotated[str | None, typer.Option(help="Which booking, by its day or start.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Move a caller's upcoming booking."""

    async def go() -> None:
        async with open_calendar() as cal:
            result = await cal.reschedule(business, phone, start, uid=uid, on=on)
        _print_booking(result, as_json)

    run_calendar(go)


@calendar_app.command("bookings")
def calendar_bookings(
    business: BusinessOpt,
    phone: Annotated[str | None, typer.Option("--phone", callback=phone_option,
                                              help="Only this caller's.")] = None,
    include_past: Annotated[bool, typer.Option("--all", help="Past ones too.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Upcoming bookings made through the receptionist."""

    async def go() -> None:
        async with open_calendar() as cal:
            found = await cal.bookings(business, phone, include_past=include_past)
        if as_json:
            print_json([b.to_json() for b in found])
            return
        if not found:
            typer.echo("No bookings.")
        for b in found:
            typer.echo(f"{short_time(b.start):<22} {b.service:<22} {b.caller_name:<20} "
                       f"{b.caller_phone:<14} {b.calendar or ''}")

    run_calendar(go)


def _date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"{option} {text!r}: use YYYY-MM-DD") from exc


def _print_slots(slots: tuple[Slot, ...]) -> None:
    if not slots:
        typer.echo("No free slots.")
        return
    by_day: dict[date, list[Slot]] = {}
    for slot in slots:
        by_day.setdefault(slot.start.date(), []).append(slot)
    for day, items in by_day.items():
        times = ", ".join(s.start.strftime("%I:%M %p").lstrip("0").lower() for s in items)
        typer.echo(f"{day.strftime('%a %d %b')}: {times}")


def _print_booking(result: BookingResult, as_json: bool) -> None:
    if as_json:
        print_json(result.to_json())
    elif result.status == "booked":
        typer.secho(f"Booked {result.service}, {short_time(result.start)} "
                    f"({result.calendar}), uid {result.uid}", fg=typer.colors.GREEN)
    else:
        typer.secho(f"{result.status}: {result.message}", fg=typer.colors.YELLOW)
        for slot in result.alternatives:
            typer.echo(f"  alternative: {slot.start.isoformat()}")
        for b in result.candidates:
            typer.echo(f"  {short_time(b.start)}  {b.service}  uid={b.uid}")
    if result.status in ("requested", "not_found", "ambiguous"):
        raise typer.Exit(1)
