"""``receptionist service …``: the bookable services of a business."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from calendar_sync.cli_common import BusinessOpt, JsonOpt, open_calendar, run_calendar
from receptionist.core.cli_support import print_json

__all__ = ["service_app"]

service_app = typer.Typer(help="Bookable services: name, length, buffers, which calendars.",
                          no_args_is_help=True)


@service_app.command("add")
def service_add(
    business: BusinessOpt,
    name: Annotated[str, typer.Option(help="What callers ask for, e.g. 'Drain cleaning'.")],
    minutes: Annotated[int, typer.Option(min=1, max=1440, help="How long it takes.")],
    buffer_minutes: Annotated[int, typer.Option(
        min=0, max=600, help="Free time kept before and after (travel, clean-up).")] = 0,
    buffer_before_minutes: Annotated[int | None, typer.Option(
        min=0, max=600, help="Overrides --buffer-minutes before.")] = None,
    buffer_after_minutes: Annotated[int | None, typer.Option(
        min=0, max=600, help="Overrides --buffer-minutes after.")] = None,
    calendar: Annotated[list[str] | None, typer.Option(
        "--calendar", help="Calendar (staff, room) that can do it; repeat. Default: any.")]
        = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a service (or change the one with that name)."""

    async def go() -> None:
        async with open_calendar() as cal:
            info, created = await cal.add_service(
                business, name, minutes,
                buffer_before_minutes=buffer_minutes if buffer_before_minutes is None
                else buffer_before_minutes,
                buffer_after_minutes=buffer_minutes if buffer_after_minutes is None
                else buffer_after_minutes,
                calendars=calendar or [])
        if as_json:
            print_json(info.to_json())
            return
        typer.secho(f"{'Added' if created else 'Updated'} service {info.name!r}: "
                    f"{_service_line(info.to_json())}", fg=typer.colors.GREEN)

    run_calendar(go)


@service_app.command("list")
def service_list(business: BusinessOpt, as_json: JsonOpt = False) -> None:
    """List a business's services."""

    async def go() -> None:
        async with open_calendar() as cal:
            found = await cal.list_services(business)
        if as_json:
            print_json([s.to_json() for s in found])
            return
        if not found:
            typer.echo("No services yet. Add one: receptionist service add --business … "
                       "--name 'Drain cleaning' --minutes 60")
        for s in found:
            check = "  (from the website — please check)" if s.from_website else ""
            typer.echo(f"{s.name:<28} {_service_line(s.to_json())}{check}")

    run_calendar(go)


@service_app.command("remove")
def service_remove(
    business: BusinessOpt,
    name: Annotated[str, typer.Option(help="The service's name.")],
) -> None:
    """Remove a service (its bookings stay in the calendar)."""

    async def go() -> None:
        async with open_calendar() as cal:
            info = await cal.remove_service(business, name)
        typer.secho(f"Removed service {info.name!r}.", fg=typer.colors.GREEN)

    run_calendar(go)


def _service_line(s: dict[str, Any]) -> str:
    buffers = ""
    if s["buffer_before_minutes"] or s["buffer_after_minutes"]:
        buffers = (f", buffers {s['buffer_before_minutes']} min before / "
                   f"{s['buffer_after_minutes']} min after")
    where = f", on {', '.join(s['calendars'])}" if s["calendars"] else ""
    return f"{s['minutes']} min{buffers}{where}"
