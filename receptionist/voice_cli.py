"""``receptionist call simulate``: phone your own number, with Twilio played by this command.

Signed webhooks and a media stream against a running server, the caller's lines spoken with the
local TTS (each said once the agent has finished its turn), the agent's replies transcribed with
the local STT, then the outcome, bookings and texts read from the same database the server uses.
The end-to-end tests drive the same functions.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from receptionist.core.cli_support import cli_settings, open_db, print_json, run

if TYPE_CHECKING:  # speech, the simulator and the tables: imported by the commands
    from receptionist.call import CallControlFeed, SimulatedCall
    from receptionist.core import Database, Settings
    from receptionist.speech import SpeechToText, WhisperModelHandle

__all__ = ["CallReport", "caller_voice", "collect_report", "engine_command", "simulate_call",
           "simulate_command", "voice_app"]

voice_app = typer.Typer(help="The AI receptionist's voice.", no_args_is_help=True)


def caller_voice(voice: str = "en-us+f3", rate_wpm: int = 160) -> Any:
    """The caller's mouth: eSpeak NG in another voice than the agent's, as 8 kHz μ-law (this
    voice and rate came out best through 8 kHz Whisper tiny.en of those we tried)."""
    from receptionist.speech import EspeakTextToSpeech

    tts = EspeakTextToSpeech(voice, rate_wpm=rate_wpm)
    said: dict[str, bytes] = {}

    async def speak(text: str) -> bytes:
        if text not in said:
            said[text] = b"".join([chunk async for chunk in tts.synthesize(text)])
        return said[text]

    return speak


def agent_ear(vocabulary: list[str] | None = None,
              model: WhisperModelHandle | None = None) -> SpeechToText:
    """The simulated caller's ear on the agent's speech; ``model`` to share one loaded model
    across many simulated calls."""
    from receptionist.speech import WhisperModelHandle, WhisperSpeechToText

    return WhisperSpeechToText(model or WhisperModelHandle(), vocabulary=vocabulary or [])


@dataclass
class CallReport:
    call_sid: str
    outcome: str | None
    missed_reason: str | None
    turns: list[dict[str, str]]
    bookings: list[dict[str, Any]] = field(default_factory=list)
    texts: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"call_sid": self.call_sid, "outcome": self.outcome, "turns": self.turns,
                "bookings": self.bookings, "texts": self.texts}


async def simulate_call(
    settings: Settings, *, server: str, to: str, from_: str, says: list[str],
    hang_up_before_greeting: bool = False, speed: float = 1.0, transcribe: bool = True,
    vocabulary: list[str] | None = None, control: CallControlFeed | None = None,
) -> SimulatedCall:
    from receptionist.call import CallSimulator, Say
    from receptionist.core import WebhookSigner

    signer = WebhookSigner(settings.webhook_auth_token(), settings.public_url)
    simulator = CallSimulator(
        server=server, signer=signer, account_sid=settings.webhook_account_sid(),
        caller_voice=caller_voice(), ear=agent_ear(vocabulary) if transcribe else None,
        speed=speed, control=control,
    )
    return await simulator.call(to=to, from_=from_, script=[Say(text) for text in says],
                                hang_up_before_greeting=hang_up_before_greeting)


async def collect_report(db: Database, call: SimulatedCall, *, caller: str,
                         since: datetime, decided_within_s: float = 10.0) -> CallReport:
    """Outcome, bookings and texts of a finished call, from the database. A call that ended
    while its stream was live is decided once the media server has written the stream's end,
    a moment after the caller hung up: wait for that, up to ``decided_within_s``."""
    from sqlalchemy import or_, select

    from calendar_sync.models import Booking
    from receptionist.telephony.models import Call
    from textback import Message

    deadline = time.monotonic() + decided_within_s
    while True:
        async with db.transaction() as session:
            row = (await session.execute(select(Call).where(Call.call_sid == call.call_sid))
                   ).scalar_one_or_none()
        if row is None or row.outcome is not None or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.05)
    async with db.transaction() as session:
        messages = (await session.execute(
            select(Message).where(
                Message.direction == "out",
                or_(Message.call_sid == call.call_sid,
                    Message.contact_phone == caller, Message.to_number == caller),
                Message.created_at >= since)
            .order_by(Message.id))).scalars().all()
        bookings = [
            {"service": b.service, "start": b.start_at, "name": b.caller_name,
             "status": b.status}
            for b in (await session.execute(
                select(Booking).where(Booking.call_sid == call.call_sid))).scalars()
        ]
    return CallReport(
        call_sid=call.call_sid, outcome=row.outcome if row else None,
        missed_reason=row.missed_reason if row else None, turns=call.turns, bookings=bookings,
        texts=[{"to": m.to_number, "kind": m.kind, "body": m.body, "status": m.status}
               for m in messages],
    )


def simulate_command(
    to: Annotated[str, typer.Option(help="The business number to call.")],
    from_: Annotated[str, typer.Option("--from", help="The caller's number.")]
        = "+12025550143",
    server: Annotated[str, typer.Option(help="The running server.")] = "http://127.0.0.1:8000",
    say: Annotated[list[str] | None, typer.Option(
        "--say", help="A line the caller says after the agent's turn (repeatable).")] = None,
    hang_up_before_greeting: Annotated[bool, typer.Option(
        help="Hang up as soon as the stream starts (a missed call).")] = False,
    speed: Annotated[float, typer.Option(help="Play the call faster than real time.")] = 1.0,
    transcribe: Annotated[bool, typer.Option(help="Transcribe the agent's speech.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Call a business through a running server, as Twilio would, and show the conversation."""
    from receptionist.core import business_for_number, normalize

    settings = cli_settings()
    caller, number = normalize(from_), normalize(to)

    async def go() -> None:
        since = datetime.now(UTC)
        async with open_db(settings) as db, db.transaction() as session:
            business = await business_for_number(session, number)
            vocabulary = [business.name] if business is not None else []
        call = await simulate_call(settings, server=server, to=number, from_=caller,
                                   says=list(say or []),
                                   hang_up_before_greeting=hang_up_before_greeting,
                                   speed=speed, transcribe=transcribe, vocabulary=vocabulary)
        async with open_db(settings) as db:
            report = await collect_report(db, call, caller=caller, since=since)
        if as_json:
            print_json(report.to_json())
            return
        typer.secho(f"Call {report.call_sid}", bold=True)
        for turn in report.turns:
            who = "Agent " if turn["role"] == "agent" else "Caller"
            typer.echo(f"  {who}: {turn['text']}")
        reason = f" ({report.missed_reason})" if report.missed_reason else ""
        typer.secho(f"Outcome: {report.outcome}{reason}", fg=typer.colors.CYAN)
        for booking in report.bookings:
            typer.echo(f"Booked: {booking['service']} at {booking['start']} for "
                       f"{booking['name']} ({booking['status']})")
        for text in report.texts:
            typer.echo(f"Text to {text['to']} ({text['kind']}, {text['status']}): "
                       f"{text['body']}")

    run(go)


ENGINES = ("realtime", "pipeline", "default")


@voice_app.command("engine")
def engine_command(
    business: Annotated[str, typer.Option(help="Business id or number.")],
    engine: Annotated[str | None, typer.Argument(
        help="realtime, pipeline, or default (the deployment's RECEPTIONIST_VOICE_ENGINE); "
             "omit to show the current choice.")] = None,
) -> None:
    """Show or choose which conversation engine answers a business's calls."""
    from receptionist.call import choose_engine
    from receptionist.core import get_business

    if engine is not None and engine not in ENGINES:
        raise typer.BadParameter(f"engine must be one of {', '.join(ENGINES)}")
    settings = cli_settings()

    async def go() -> None:
        async with open_db(settings) as db, db.transaction() as session:
            found = await get_business(session, business)
            choice = await choose_engine(session, found.id, engine, datetime.now(UTC))
            current = choice or f"default ({settings.voice_engine})"
        typer.echo(f"{found.name}: {current}")

    run(go)
