"""``receptionist chat``: talk to the receptionist over text, as a caller would on the phone.

    receptionist chat --business +12025550100 --from +12025550143 \\
        --say "Do you do cleanings?" --say "Book one next Tuesday at 10" [--json]

Without ``--say`` it is interactive (one line per turn; an empty line or end of input ends it).
The same brain, tools, prompts and records as a call; texts are queued in the outbox, which the
running server sends. The services are imported when the command runs, so the CLI starts fast.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from receptionist.core.cli_support import cli_settings, phone_option, print_json, run

if TYPE_CHECKING:
    from receptionist.chat import ChatService

__all__ = ["chat_command"]


def chat_command(
    business: Annotated[str, typer.Option("--business", help="Business id or one of its "
                                          "numbers.")],
    from_: Annotated[str | None, typer.Option(
        "--from", callback=phone_option,
        help="The caller's number: booking confirmations go to it (none: nothing is "
             "texted, and bookings need one).")] = None,
    say: Annotated[list[str] | None, typer.Option(
        "--say", help="A line the caller says (repeatable); none: interactive.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON: turns, bookings, texts, "
                                          "messages.")] = False,
) -> None:
    """Hold one conversation with the receptionist over text."""
    from receptionist.core import BusinessNotFound, configure_logging
    from receptionist.services import Overrides, build_services

    settings = cli_settings()
    configure_logging("WARNING")
    lines = list(say or [])
    interactive = not lines

    async def go() -> None:
        services = build_services(settings, Overrides(voice=False, run_workers=False))
        try:
            await services.start()
            try:
                exchange = await services.chat.start(business, caller_phone=from_)
            except BusinessNotFound as exc:
                typer.secho(f"Error: {exc}", fg=typer.colors.RED, err=True)
                raise typer.Exit(2) from exc
            if not as_json:
                _show("Agent ", exchange.reply)
            if interactive:
                await _interactive(services.chat, exchange.conversation_id, as_json)
            else:
                for line in lines:
                    if not line.strip():
                        continue
                    if not as_json:
                        _show("Caller", line)
                    said = await services.chat.say(exchange.conversation_id, line)
                    if not as_json:
                        _show("Agent ", said.reply)
                    if said.ended:
                        break
            transcript = await services.chat.transcript(exchange.conversation_id)
        finally:
            await services.aclose()
        if as_json:
            print_json(transcript.to_json())
            return
        for booking in transcript.bookings:
            typer.echo(f"Booked: {booking['service']} at {booking['start']} for "
                       f"{booking['name']} ({booking['status']})")
        for text in transcript.texts:
            typer.echo(f"Text to {text['to']} ({text['kind']}, {text['status']}): {text['body']}")
        for message in transcript.messages:
            typer.echo(f"Message for the team ({message['kind']}): {message['reason']}")

    run(go)


def _show(who: str, text: str) -> None:
    typer.echo(f"{who}: {text}")
    sys.stdout.flush()


async def _interactive(chat: ChatService, conversation_id: str, as_json: bool) -> None:
    import asyncio

    while True:
        if sys.stdin.isatty():
            sys.stderr.write("You: ")
            sys.stderr.flush()
        line = await asyncio.to_thread(sys.stdin.readline)
        if not line.strip():
            return
        said = await chat.say(conversation_id, line.strip())
        if not as_json:
            _show("Agent ", said.reply)
        if said.ended:
            return
