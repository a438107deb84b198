"""The ``receptionist`` command: every command reads the same settings as the server.

``receptionist --help`` and the quick commands must start in well under a second, so building
the command tree imports only typer and light modules. A command module (``business_cli``,
``knowledge/cli.py`` …) declares its ``typer.Typer`` sub-app and options at the top with
nothing heavier than :mod:`receptionist.core.cli_support` and :mod:`receptionist.core.routing`;
SQLAlchemy, the tables, the SDKs, the crawler and speech are imported inside the command that
needs them. Register a new sub-app below with ``app.add_typer(x_app, name="x")``;
``tests/test_cli_imports.py`` fails when a heavy module loads with ``--help``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from calendar_sync.cli import calendar_app, service_app, use_notifier_factory
from knowledge.cli import knowledge_app, onboard_command, use_service_factory
from receptionist.accounts.cli import first_login, token_app, user_app
from receptionist.business_cli import business_app, team_app
from receptionist.chat_cli import chat_command
from receptionist.core.cli_support import cli_settings, open_db, print_json, run, step
from receptionist.voice_cli import simulate_command, voice_app

if TYPE_CHECKING:
    from calendar_sync import BookingNotifier
    from knowledge import KnowledgeService
    from receptionist.core import Business, Clock, Database, Settings

__all__ = ["app", "main"]

app = typer.Typer(help="AI voice receptionist with missed-call text-back.",
                  no_args_is_help=True, pretty_exceptions_show_locals=False,
                  rich_markup_mode=None)
app.add_typer(business_app, name="business")
app.add_typer(team_app, name="team")
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
textback_app = typer.Typer(help="Missed-call text-back.", no_args_is_help=True)
app.add_typer(textback_app, name="textback")
call_app = typer.Typer(help="Simulated calls against a running server.", no_args_is_help=True)
app.add_typer(call_app, name="call")

app.command("onboard")(onboard_command)
app.add_typer(knowledge_app, name="knowledge")
app.add_typer(service_app, name="service")
app.add_typer(calendar_app, name="calendar")
call_app.command("simulate")(simulate_command)
app.command("chat")(chat_command)
app.add_typer(voice_app, name="voice")
app.add_typer(user_app, name="user")  # the accounts service loads when a command runs
app.add_typer(token_app, name="token")


def _calendar_notifier(db: Database, clock: Clock) -> BookingNotifier:
    """Bookings made from the command line are texted like the server's: queued in the outbox,
    which the running server sends."""
    from calendar_sync import TextingNotifier
    from textback import (
        ConsoleSmsSender,
        OutboxConfig,
        OutboxWorker,
        TextbackService,
        note_conversion,
    )

    texts = TextbackService(db, OutboxWorker(db, ConsoleSmsSender(), OutboxConfig(None), clock),
                            clock)
    return TextingNotifier(team=texts.notify_team, caller=texts.text_caller,
                           conversion=note_conversion, clock=clock)


use_notifier_factory(_calendar_notifier)


def _knowledge_service(db: Database, settings: Settings) -> KnowledgeService:
    """Onboarding from the command line makes the services found bookable, as the server's."""
    from knowledge import KnowledgeService
    from receptionist.core import SystemClock
    from receptionist.onboarding import WebsiteServicesToCalendar

    return KnowledgeService(db, settings, on_onboarded=WebsiteServicesToCalendar(db,
                                                                                 SystemClock()))


use_service_factory(_knowledge_service)

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def upgrade_database(database_url: str) -> None:
    """Bring the schema to the newest migration (every subsystem's heads)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", database_url)
    cfg.attributes["database_url"] = database_url
    command.upgrade(cfg, "heads")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database to the current schema."""
    settings = cli_settings()
    with step(f"Migrating the database ({settings.database_url.split('://')[0]})"):
        upgrade_database(settings.database_url)
    typer.secho(f"Database is up to date ({settings.database_url.split('://')[0]}).",
                fg=typer.colors.GREEN)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    migrate: Annotated[bool, typer.Option(help="Run migrations first.")] = True,
) -> None:
    """Run the server (webhooks, media streams, dashboard, outbox worker)."""
    from receptionist.core import configure_logging

    settings = cli_settings()
    configure_logging(settings.log_level, as_json=settings.log_json)
    if migrate:
        with step("Migrating the database"):
            upgrade_database(settings.database_url)
    with step("Loading the app (web framework, SDKs, speech engines)"):
        import uvicorn

        from receptionist.app import create_app

        app = create_app(settings)
    host, port = host or settings.host, port or settings.port

    async def nobody_can_sign_in() -> None:  # says how to add the first user
        async with open_db(settings) as db:
            await first_login(db, settings, None, f"{settings.public_url}/login")

    run(nobody_can_sign_in)
    typer.secho(f"Receptionist on http://{host}:{port}  (sign in: /login, health: /healthz; "
                f"SMS: {settings.sms_provider}; database: {settings.database_url.split('://')[0]})",
                fg=typer.colors.GREEN, err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning",
                ws="websockets-sansio", proxy_headers=True)


@app.command()
def report(
    business: Annotated[str | None, typer.Option(help="Business id or number (default: all).")]
        = None,
    since: Annotated[str | None, typer.Option(help="Start date YYYY-MM-DD (default: 30 days "
                                                   "ago).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Missed calls, text-backs, replies, response time, opt-outs and conversion."""
    from receptionist.core import get_business
    from textback import compute_report

    settings = cli_settings()

    async def go() -> None:
        start = _parse_since(since)
        async with open_db(settings) as db, db.transaction() as session:
            biz = await get_business(session, business) if business else None
            rep = await compute_report(session, business_id=biz.id if biz else None,
                                       since=start, until=datetime.now(UTC))
        if as_json:
            print_json(rep.to_json())
            return
        title = biz.name if biz else "All businesses"
        typer.secho(f"{title}: {start.date()} to today", bold=True)
        skipped = ", ".join(f"{k} {v}" for k, v in sorted(rep.textbacks_skipped.items()))
        rows = [
            ("Missed calls", rep.missed_calls),
            ("Text-backs sent", rep.textbacks_sent),
            ("  skipped", f"{sum(rep.textbacks_skipped.values())}" + (f" ({skipped})"
                                                                      if skipped else "")),
            ("  failed", rep.textbacks_failed),
            ("  waiting to send", rep.textbacks_pending),
            ("  held for quiet hours", rep.held),
            ("Reply rate", _pct(rep.reply_rate, rep.replies)),
            ("Median first response", _dur(rep.median_first_response_s)),
            ("Opt-outs", _pct(rep.opt_out_rate, rep.opt_outs)),
            ("Conversion (7 days)", _pct(rep.conversion_rate, rep.conversions)),
        ]
        for label, value in rows:
            typer.echo(f"  {label:<24} {value}")

    run(go)


def _parse_since(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC) - timedelta(days=30)
    try:
        day = datetime.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"--since {text!r}: use YYYY-MM-DD") from exc
    return day if day.tzinfo else day.replace(tzinfo=UTC)


def _pct(rate: float | None, n: int) -> str:
    return "–" if rate is None else f"{rate * 100:.1f}% ({n})"


def _dur(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.0f} s"


@textback_app.command("test")
def textback_test(
    to: Annotated[str, typer.Argument(help="Phone to send the test text to.")],
    business: Annotated[str, typer.Option(help="Business id or number.")],
    after_hours: Annotated[bool, typer.Option(help="Send the after-hours version.")] = False,
) -> None:
    """Send the business's real text-back template to a phone, now."""
    from receptionist.core import normalize
    from receptionist.services import Overrides, build_services

    settings = cli_settings()
    number = normalize(to)

    async def go() -> None:
        services = build_services(settings, Overrides(voice=False, run_workers=False))
        try:
            service = services.textback
            msg, text = await service.send_test(business, number, after_hours=after_hours)
            await services.outbox.drain()
            sent = (await service.recent_messages(msg.business_id, 200))
            row = next(m for m in sent if m.id == msg.id)
        finally:
            await services.aclose()
        typer.echo(f"Text ({text.segments.segments} segment(s), {text.segments.encoding}):")
        typer.echo(f"  {text.body}")
        if text.warning:
            typer.secho(f"Warning: {text.warning}", fg=typer.colors.YELLOW, err=True)
        if row.status in ("failed", "pending"):
            typer.secho(f"Not sent ({row.status}): {row.error}", fg=typer.colors.RED, err=True)
            raise typer.Exit(1)
        typer.secho(f"Sent to {number} via {settings.sms_provider} ({row.status}, "
                    f"{row.provider_sid}).", fg=typer.colors.GREEN)

    run(go)


@call_app.command("missed")
def call_missed(
    to: Annotated[str, typer.Option(help="The business number that was called.")],
    from_: Annotated[str, typer.Option("--from", help="The caller's number.")] = "+12025550143",
    server: Annotated[str, typer.Option(help="Running server.")] = "http://127.0.0.1:8000",
    status: Annotated[str, typer.Option(help="How the call ended: canceled, no-answer, busy.")]
        = "canceled",
) -> None:
    """Play a missed call (signed Twilio webhooks) against a running server."""
    from receptionist.core import WebhookSigner, normalize
    from receptionist.telephony.simulate import simulate_missed_call

    settings = cli_settings()

    async def go() -> None:
        signer = WebhookSigner(settings.webhook_auth_token(), settings.public_url)
        result = await simulate_missed_call(
            server=server, signer=signer, account_sid=settings.webhook_account_sid(),
            to=normalize(to), from_=normalize(from_), final_status=status)
        typer.echo(f"Call {result.call_sid}:")
        for path, code, _ in result.responses:
            typer.echo(f"  {path} -> {code}")
        typer.echo("The text-back (if policy allows) is in the server log and on the dashboard.")

    run(go)


DEMO_NUMBER = "+12025550100"


@app.command()
def demo(
    server_url: Annotated[str, typer.Option(help="Where the server will run.")] =
        "http://127.0.0.1:8000",
) -> None:
    """Create the demo business when no business exists yet, and an owner login for it when
    nobody can sign in yet; say how to try it."""
    from receptionist.core import all_businesses

    settings = cli_settings()

    async def go() -> None:
        async with open_db(settings) as db:
            async with db.transaction() as session:
                businesses = await all_businesses(session)
                if not businesses and settings.demo:  # RECEPTIONIST_DEMO=false: no demo
                    session.add(_demo_business())
            if not businesses and settings.demo:
                typer.secho("No business was configured, so a demo one was added: "
                            f"Greenfield Plumbing (demo), {DEMO_NUMBER}.", fg=typer.colors.CYAN,
                            err=True)
                typer.secho(f"Try it: sign in at {server_url}/login and press 'Simulate a missed "
                            f"call', or run\n  .venv/bin/receptionist call missed --to "
                            f"{DEMO_NUMBER} --from +12025550143\nThe text-back appears in this "
                            "log (console SMS) within a second.", fg=typer.colors.CYAN, err=True)
            # The demo (or the one business there is) gets an owner login when nobody can
            # sign in yet; with RECEPTIONIST_DEMO=false only the hint is printed.
            owner_of: str | int | None = None
            if settings.demo:
                numbers = {n.number for b in businesses for n in b.numbers}
                if not businesses or DEMO_NUMBER in numbers:
                    owner_of = DEMO_NUMBER
                elif len(businesses) == 1:
                    owner_of = businesses[0].id
            await first_login(db, settings, owner_of, f"{server_url}/login")

    run(go)


def _demo_business() -> Business:
    from receptionist.core import Business, PhoneNumber, Routing, TeamMember

    return Business(
        name="Greenfield Plumbing (demo)", timezone="America/New_York",
        routing=Routing.RING_THEN_TEXTBACK.value, forward_to="+12025550111", ring_seconds=15,
        booking_link="https://greenfield.example/book",
        hours={"mon": [["08:00", "17:00"]], "tue": [["08:00", "17:00"]],
               "wed": [["08:00", "17:00"]], "thu": [["08:00", "17:00"]],
               "fri": [["08:00", "17:00"]]},
        numbers=[PhoneNumber(number=DEMO_NUMBER)],
        team=[TeamMember(name="Dana (owner)", phone="+12025550112",
                         receives="replies,bookings,messages")],
    )


def main() -> None:
    app()


if __name__ == "__main__":
    main()
