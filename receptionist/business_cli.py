"""``receptionist business …`` and ``receptionist team …``: tenancy from the command line."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from receptionist.core.cli_support import cli_settings, open_db, print_json, run
from receptionist.core.routing import NOTIFY_KINDS, Routing

if TYPE_CHECKING:
    from receptionist.core import Business

# The tables, phone numbers and templates load when a command runs, not for ``--help``.

__all__ = ["business_app", "team_app"]

business_app = typer.Typer(help="Businesses: numbers, routing, hours, text-back settings.",
                           no_args_is_help=True)
team_app = typer.Typer(help="Team members who get replies, bookings and messages.",
                       no_args_is_help=True)

Name = Annotated[str | None, typer.Option(help="Business name, as callers know it.")]
Numbers = Annotated[list[str] | None, typer.Option("--number", help="Twilio number (E.164); "
                                                   "repeat for several.")]
Tz = Annotated[str | None, typer.Option(help="IANA time zone, e.g. America/Chicago.")]
RoutingOpt = Annotated[Routing | None, typer.Option(help="How calls are answered.")]
ForwardTo = Annotated[str | None, typer.Option(help="Phone to ring first (ring_then_* modes).")]
RingSeconds = Annotated[int | None, typer.Option(min=5, max=120, help="Seconds to ring.")]
BookingLink = Annotated[str | None, typer.Option(help="Online booking URL for texts.")]
Hours = Annotated[str | None, typer.Option(
    help='Opening hours, e.g. "Mon-Thu 08:00-17:00; Fri 08:00-14:00; Sat 09:00-13:00".')]
Closed = Annotated[str | None, typer.Option(help="Closed dates, e.g. 2026-12-25,2026-12-26.")]
Textback = Annotated[bool | None, typer.Option("--textback/--no-textback",
                                               help="Text back missed callers.")]
Cooldown = Annotated[int | None, typer.Option(min=0, max=24 * 90,
                                              help="Hours before texting one caller again.")]
Template = Annotated[str | None, typer.Option(
    help="Text-back template: {business}, {booking_link}, {first_name}.")]
AfterHoursTemplate = Annotated[str | None, typer.Option(help="Template used outside hours.")]
AfterHoursSkip = Annotated[bool | None, typer.Option(
    "--after-hours-textback/--ring-after-hours",
    help="Outside hours, skip ringing and text back (default) or ring anyway.")]
StopNotice = Annotated[bool | None, typer.Option(
    "--stop-notice/--no-stop-notice",
    help='The first text to a caller says "Reply STOP to opt out." when its template does not '
         "(default on).")]
QuietHoursOpt = Annotated[str | None, typer.Option(
    "--quiet-hours",
    help='Hold text-backs during these hours in the caller\'s local time, e.g. "21:00-08:00"; '
         '"off" sends at once at any hour (the default).')]
Greeting = Annotated[str | None, typer.Option(help="What the AI receptionist says first.")]
Address = Annotated[str | None, typer.Option(help="Street address callers are given.")]


def _apply(b: Business, **changes: Any) -> list[str]:
    """Set the given options on ``b`` (the rules shared with the settings page, in
    ``receptionist.web.business_edit``); returns warnings for the owner."""
    from receptionist.web.business_edit import apply_changes

    return apply_changes(b, **changes)


def _print_business(b: Business) -> None:
    from textback import render

    data = b.to_json()
    typer.secho(f"#{b.id} {b.name}", bold=True)
    typer.echo(f"  numbers:      {', '.join(data['numbers']) or '-'}")  # type: ignore[arg-type]
    typer.echo(f"  routing:      {b.routing}" + (f" (rings {b.forward_to} for "
                                                  f"{b.ring_seconds}s)" if b.forward_to else ""))
    typer.echo(f"  time zone:    {b.timezone}")
    typer.echo(f"  hours:        {data['hours']}"
               + (f" (closed {', '.join(b.closed_dates)})" if b.closed_dates else ""))
    typer.echo(f"  booking link: {b.booking_link or '-'}")
    typer.echo(f"  text-back:    {'on' if b.textback_enabled else 'off'}, cooldown "
               f"{b.textback_cooldown_hours} h, STOP notice "
               f"{'on' if b.textback_stop_notice else 'off'}, quiet hours "
               f"{b.textback_quiet_hours or 'none'}")
    sample = render(b.textback_template, business=b.name, booking_link=b.booking_link)
    typer.echo(f"  text:         {sample.body}")
    for m in b.team:
        typer.echo(f"  team:         {m.name} {m.phone} ({', '.join(m.receives_kinds)})")


@business_app.command("add")
def business_add(
    name: Annotated[str, typer.Option(help="Business name, as callers know it.")],
    number: Numbers = None, timezone: Tz = "America/New_York",
    routing: RoutingOpt = Routing.RING_THEN_TEXTBACK, forward_to: ForwardTo = None,
    ring_seconds: RingSeconds = None, booking_link: BookingLink = None, hours: Hours = None,
    closed: Closed = None, textback: Textback = None, cooldown_hours: Cooldown = None,
    template: Template = None, after_hours_template: AfterHoursTemplate = None,
    after_hours_textback: AfterHoursSkip = None, greeting: Greeting = None,
    address: Address = None, stop_notice: StopNotice = None, quiet_hours: QuietHoursOpt = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Add a business and the Twilio number(s) that reach it."""
    from sqlalchemy import select

    from receptionist.core import Business, PhoneNumber, get_business, normalize

    settings = cli_settings()

    async def go() -> None:
        numbers = [normalize(n) for n in number or []]
        if not numbers:
            raise ValueError("give the business's Twilio number with --number +1…")
        async with open_db(settings) as db, db.transaction() as session:
            for n in numbers:
                taken = await session.scalar(select(PhoneNumber).where(PhoneNumber.number == n))
                if taken is not None:
                    raise ValueError(f"{n} already belongs to business #{taken.business_id}")
            b = Business(name=name, numbers=[PhoneNumber(number=n) for n in numbers], team=[])
            warnings = _apply(b, name=name, timezone=timezone, routing=routing,
                              forward_to=forward_to, ring_seconds=ring_seconds,
                              booking_link=booking_link, hours=hours, closed=closed,
                              textback=textback, cooldown=cooldown_hours, template=template,
                              after_hours_template=after_hours_template,
                              after_hours_textback=after_hours_textback, greeting=greeting,
                              address=address, stop_notice=stop_notice,
                              quiet_hours=quiet_hours)
            session.add(b)
            await session.flush()
            b = await get_business(session, b.id)
            _report(b, warnings, as_json, "Added")

    run(go)


def _report(b: Business, warnings: list[str], as_json: bool, verb: str) -> None:
    if as_json:
        print_json(b.to_json())
        return
    typer.secho(f"{verb} business #{b.id}.", fg=typer.colors.GREEN)
    _print_business(b)
    for w in warnings:
        typer.secho(f"Warning: {w}", fg=typer.colors.YELLOW, err=True)


@business_app.command("update")
def business_update(
    business: Annotated[str, typer.Argument(help="Business id or one of its numbers.")],
    name: Name = None, number: Numbers = None, timezone: Tz = None, routing: RoutingOpt = None,
    forward_to: ForwardTo = None, ring_seconds: RingSeconds = None,
    booking_link: BookingLink = None, hours: Hours = None, closed: Closed = None,
    textback: Textback = None, cooldown_hours: Cooldown = None, template: Template = None,
    after_hours_template: AfterHoursTemplate = None, after_hours_textback: AfterHoursSkip = None,
    greeting: Greeting = None, address: Address = None, stop_notice: StopNotice = None,
    quiet_hours: QuietHoursOpt = None, as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Change a business; only the options given change. --number adds a number."""
    from receptionist.core import PhoneNumber, get_business, normalize

    settings = cli_settings()

    async def go() -> None:
        async with open_db(settings) as db, db.transaction() as session:
            b = await get_business(session, business)
            for n in [normalize(x) for x in number or []]:
                if n not in {p.number for p in b.numbers}:
                    b.numbers.append(PhoneNumber(number=n))
            warnings = _apply(b, name=name, timezone=timezone, routing=routing,
                              forward_to=forward_to, ring_seconds=ring_seconds,
                              booking_link=booking_link, hours=hours, closed=closed,
                              textback=textback, cooldown=cooldown_hours, template=template,
                              after_hours_template=after_hours_template,
                              after_hours_textback=after_hours_textback, greeting=greeting,
                              address=address, stop_notice=stop_notice,
                              quiet_hours=quiet_hours)
            await session.flush()
            _report(b, warnings, as_json, "Updated")

    run(go)


@business_app.command("list")
def business_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List businesses."""
    from receptionist.core import all_businesses

    settings = cli_settings()

    async def go() -> None:
        async with open_db(settings) as db, db.transaction() as session:
            found = await all_businesses(session)
        if as_json:
            print_json([b.to_json() for b in found])
            return
        if not found:
            typer.echo("No businesses yet. Add one: "
                       "receptionist business add --name … --number +1…")
        for b in found:
            typer.echo(f"#{b.id:<4} {b.name:<32} {', '.join(n.number for n in b.numbers):<28} "
                       f"{b.routing}")

    run(go)


@business_app.command("show")
def business_show(
    business: Annotated[str | None, typer.Argument(help="Business id or number.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show one business (or all)."""
    from receptionist.core import all_businesses, get_business

    settings = cli_settings()

    async def go() -> None:
        async with open_db(settings) as db, db.transaction() as session:
            found = [await get_business(session, business)] if business else \
                await all_businesses(session)
        if as_json:
            print_json(found[0].to_json() if business else [b.to_json() for b in found])
            return
        for b in found:
            _print_business(b)

    run(go)


@team_app.command("add")
def team_add(
    business: Annotated[str, typer.Option(help="Business id or number.")],
    name: Annotated[str, typer.Option()],
    phone: Annotated[str, typer.Option(help="Mobile number.")],
    receives: Annotated[str, typer.Option(help="Comma list of: replies,bookings,messages")] =
        ",".join(NOTIFY_KINDS),
) -> None:
    """Add a team member who gets texts about replies, bookings and messages."""
    from receptionist.core import TeamMember, get_business, normalize
    from receptionist.web.business_edit import team_kinds

    settings = cli_settings()

    async def go() -> None:
        kinds = team_kinds(receives)
        number = normalize(phone)
        async with open_db(settings) as db, db.transaction() as session:
            b = await get_business(session, business)
            if any(m.phone == number for m in b.team):
                raise ValueError(f"{number} is already on {b.name}'s team")
            member = TeamMember(name=name, phone=number, receives=",".join(kinds))
            b.team.append(member)
            await session.flush()
            typer.secho(f"Added {name} ({number}) to {b.name}: gets {', '.join(kinds) or 'nothing'}"
                        f" [member #{member.id}]", fg=typer.colors.GREEN)

    run(go)


@team_app.command("remove")
def team_remove(
    business: Annotated[str, typer.Option(help="Business id or number.")],
    member: Annotated[str, typer.Argument(help="Member id, phone or name.")],
) -> None:
    """Remove a team member."""
    from receptionist.core import get_business, normalize

    settings = cli_settings()

    async def go() -> None:
        async with open_db(settings) as db, db.transaction() as session:
            b = await get_business(session, business)
            phone = None
            try:
                phone = normalize(member)
            except ValueError:
                pass
            match = [m for m in b.team if str(m.id) == member or m.phone == phone
                     or m.name.lower() == member.lower()]
            if not match:
                raise LookupError(f"no team member {member!r} at {b.name}; see "
                                  "`receptionist business show`")
            for m in match:
                b.team.remove(m)
            typer.secho(f"Removed {', '.join(m.name for m in match)} from {b.name}.",
                        fg=typer.colors.GREEN)

    run(go)


@team_app.command("list")
def team_list(business: Annotated[str, typer.Option(help="Business id or number.")]) -> None:
    """List a business's team."""
    from receptionist.core import get_business

    settings = cli_settings()

    async def go() -> None:
        async with open_db(settings) as db, db.transaction() as session:
            b = await get_business(session, business)
        for m in b.team:
            typer.echo(f"#{m.id:<4} {m.name:<24} {m.phone:<16} {', '.join(m.receives_kinds)}")

    run(go)
