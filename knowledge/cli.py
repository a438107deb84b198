"""``receptionist onboard URL`` and ``receptionist knowledge show|recrawl|ask``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from receptionist.core.cli_support import cli_settings, open_db, phone_option, print_json, run

if TYPE_CHECKING:
    from knowledge.crawl import CrawlProgress
    from knowledge.profile import BusinessProfile
    from knowledge.service import KnowledgeService, OnboardReport
    from receptionist.core import Database, Settings

# The crawler, extraction and the embedding model load when a command runs, not for --help.

__all__ = ["knowledge_app", "onboard_command", "use_service_factory"]

knowledge_app = typer.Typer(help="What the receptionist knows from the business's website.",
                            no_args_is_help=True)

BusinessRef = Annotated[str, typer.Option("--business", help="Business id or one of its numbers.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]


class _Progress:
    """Crawl progress on stderr: one updating line on a terminal, a line per page otherwise;
    nothing with ``--json`` (``quiet``)."""

    def __init__(self, quiet: bool = False) -> None:
        self.tty = sys.stderr.isatty()
        self.quiet = quiet

    def __call__(self, p: CrawlProgress) -> None:
        if self.quiet:
            return
        if p.last_event == "indexing":
            sys.stderr.write(("\n" if self.tty else "") + f"Read {p.fetched} pages "
                             f"({p.skipped} skipped); indexing the text for search…\n")
            sys.stderr.flush()
            self.tty = False  # nothing more to overwrite
            return
        if self.tty:
            line = (f"\rfetched {p.fetched}  queued {p.queued}  skipped {p.skipped}  "
                    f"{p.last_url}")
            sys.stderr.write(line[:160].ljust(160))
            if p.last_event.startswith("skipped"):
                sys.stderr.write(f"\n  {p.last_event}: {p.last_url}\n")
        else:
            sys.stderr.write(f"[{p.fetched} fetched, {p.queued} queued, {p.skipped} skipped] "
                             f"{p.last_event}: {p.last_url}\n")
        sys.stderr.flush()

    def done(self) -> None:
        if self.tty:
            sys.stderr.write("\n")


ServiceFactory = Callable[["Database", "Settings"], "KnowledgeService"]
_service_factory: list[ServiceFactory] = []


def use_service_factory(factory: ServiceFactory) -> None:
    """Let the application build the service these commands use (e.g. with what it does after
    an onboard: the services found become bookable)."""
    _service_factory[:] = [factory]


def _service(db: Database, settings: Settings) -> KnowledgeService:
    if _service_factory:
        return _service_factory[0](db, settings)
    from knowledge.service import KnowledgeService

    return KnowledgeService(db, settings)


def _print_profile(profile: BusinessProfile, header: str) -> None:
    from receptionist.core import WeeklyHours

    typer.secho(header, bold=True)
    hours = WeeklyHours.from_json(profile.hours).to_text() if profile.hours else "-"
    typer.echo(f"  phone:        {profile.phone or '-'}")
    typer.echo(f"  address:      {profile.address or '-'}")
    typer.echo(f"  hours:        {hours}")
    typer.echo(f"  time zone:    {profile.timezone or '-'}")
    typer.echo(f"  booking link: {profile.booking_link or '-'}")
    typer.echo(f"  services ({len(profile.services)}):")
    for s in profile.services:
        extra = "  ".join(x for x in (s.price or "", f"{s.duration_min} min"
                                      if s.duration_min else "") if x)
        typer.echo(f"    - {s.name}" + (f"  ({extra})" if extra else ""))
    typer.echo(f"  FAQs ({len(profile.faqs)}):")
    for f in profile.faqs:
        typer.echo(f"    - {f.question}")


def _print_report(report: OnboardReport) -> None:
    verb = "created" if report.created else "updated"
    _print_profile(report.profile, f"{report.profile.name} (business #{report.business_id}, "
                                   f"{verb})")
    fetched = report.new + report.changed + report.unchanged
    typer.echo(f"Pages: {fetched} read ({report.new} new, {report.changed} changed, "
               f"{report.unchanged} unchanged), {report.removed} removed, "
               f"{len(report.skipped)} skipped; {report.chunks} passages indexed.")
    for note in report.notes:
        typer.echo(note)
    typer.secho("Check the profile; correct anything with `receptionist business update "
                f"{report.business_id} --hours … --address … --booking-link …`. Your edits "
                "are kept on every re-crawl.", fg=typer.colors.CYAN, err=True)


def onboard_command(
    url: Annotated[str, typer.Argument(help="The business's website, e.g. https://example.com")],
    business: Annotated[str | None, typer.Option("--business", help="Existing business id or "
                                                 "number.")] = None,
    number: Annotated[str | None, typer.Option("--number", callback=phone_option,
                                               help="Twilio number; a new one creates the "
                                                    "business.")] = None,
    max_pages: Annotated[int, typer.Option("--max-pages", min=1, max=1000,
                                           help="Most pages to read.")] = 200,
    as_json: AsJson = False,
) -> None:
    """Read a business's website: profile (hours, services, booking link, FAQ) and knowledge."""
    from receptionist.core import configure_logging

    settings = cli_settings()
    configure_logging("WARNING")

    async def go() -> None:
        progress = _Progress(quiet=as_json)
        async with open_db(settings) as db:
            service = _service(db, settings)
            try:
                report = await service.onboard(url, business=business, number=number,
                                               max_pages=max_pages, on_progress=progress)
            finally:
                progress.done()
                await service.aclose()
        if as_json:
            print_json(report.profile.to_json())
        else:
            _print_report(report)

    _run(go)


def _run(go: object) -> None:
    from knowledge.errors import KnowledgeError

    try:
        run(go)  # type: ignore[arg-type]
    except KnowledgeError as exc:
        typer.secho(f"Error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from exc


@knowledge_app.command("show")
def show(business: BusinessRef, as_json: AsJson = False) -> None:
    """Show the profile and what was read from the website."""
    settings = cli_settings()

    async def go() -> None:
        async with open_db(settings) as db:
            service = _service(db, settings)
            profile = await service.profile(business)
            status = await service.status(business)
            sources = await service.sources(business)
        if as_json:
            print_json({"profile": profile.to_json(), "knowledge": status, "sources": sources})
            return
        _print_profile(profile, f"{profile.name} (business #{status['business_id']})")
        if sources:
            typer.echo("Where each field came from:")
            for key, where in sources.items():
                page = f" — {where['page']}" if where.get("page") else ""
                typer.echo(f"  {key:<13} {where['method']}{page}")
        last = status["last_crawl"]
        typer.echo(f"Website {status['root_url']}: {len(status['pages'])} pages, "
                   f"{status['chunks']} passages, read {status['crawled_at'][:16]} UTC "
                   f"({len(last.get('skipped', []))} skipped).")
        if status["overrides"]:
            typer.echo(f"Set by you (kept on re-crawl): {', '.join(status['overrides'])}")

    _run(go)


@knowledge_app.command("recrawl")
def recrawl(business: BusinessRef,
            max_pages: Annotated[int | None, typer.Option("--max-pages", min=1, max=1000)] = None,
            as_json: AsJson = False) -> None:
    """Read the website again: only changed pages are re-processed, vanished ones dropped."""
    from receptionist.core import configure_logging

    settings = cli_settings()
    configure_logging("WARNING")

    async def go() -> None:
        progress = _Progress(quiet=as_json)
        async with open_db(settings) as db:
            service = _service(db, settings)
            try:
                report = await service.recrawl(business, max_pages=max_pages,
                                               on_progress=progress)
            finally:
                progress.done()
                await service.aclose()
        if as_json:
            print_json(report.to_json())
        else:
            _print_report(report)

    _run(go)


@knowledge_app.command("ask")
def ask(question: Annotated[str, typer.Argument(help="A caller's question.")],
        business: BusinessRef,
        k: Annotated[int, typer.Option("--k", min=1, max=20, help="Passages to show.")] = 3,
        as_json: AsJson = False) -> None:
    """Search the website knowledge the way the receptionist does during a call."""
    settings = cli_settings()

    async def go() -> None:
        async with open_db(settings) as db:
            service = _service(db, settings)
            from receptionist.core import get_business

            async with db.transaction() as session:
                business_id = (await get_business(session, business)).id
            try:
                result = await service.search(business_id, question, k)
            finally:
                await service.aclose()
        if as_json:
            print_json([p.to_json() for p in result.passages])
            return
        sure = "confident" if result.confident else "not sure – the agent would take a message"
        typer.secho(f"Confidence {result.confidence:.2f} ({sure})", bold=True)
        for i, p in enumerate(result.passages, 1):
            typer.secho(f"{i}. {p.title} — {p.url}  (score {p.score:.3f})", fg=typer.colors.CYAN)
            typer.echo("   " + p.text.replace("\n", "\n   "))

    _run(go)
