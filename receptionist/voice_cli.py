"""``receptionist call simulate``: phone your own number, with Twilio played by this command.

Signed webhooks and a media stream against a running server, the caller's lines spoken with the
local TTS (each said once the agent has finished its turn), the agent's replies transcribed with
the local STT, then the outcome, bookings and texts read from the same database the server uses.
The end-to-end tests drive the same functions.
"""

from __future__ import annotations

import asyncio
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from difflib import SequenceMatcher
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


def caller_voice(voice: str = "en-us+f2", rate_wpm: int = 150) -> Any:
    """The caller's mouth: eSpeak NG in another voice than the agent's, as 8 kHz μ-law. This
    voice and rate are heard best through 8 kHz Whisper tiny.en of those we tried: on the 26
    caller lines of scripts/bench_speech.py (the plumber's and the dentist's), corpus WER 0.148
    against 0.254 for en-us+f3 at 160 wpm, so a simulated call tests the business's answers
    rather than eSpeak's diction."""
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


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def _similar(a: str, b: str) -> float:
    return SequenceMatcher(None, _words(a), _words(b)).ratio()


def align(heard: list[str], said: list[str], *, at_least: float = 0.2
          ) -> list[tuple[int | None, int | None]]:
    """Pairs (heard index, said index) in order: the caller's ear splits and joins the agent's
    turns at pauses, so each heard turn is matched to the said turn most like it, never out of
    order; what has no counterpart is paired with None."""
    n, m = len(heard), len(said)
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            score = _similar(heard[i], said[j])
            take = score + best[i + 1][j + 1] if score >= at_least else -1.0
            best[i][j] = max(take, best[i + 1][j], best[i][j + 1])
    pairs: list[tuple[int | None, int | None]] = []
    i = j = 0
    while i < n and j < m:
        score = _similar(heard[i], said[j])
        if score >= at_least and best[i][j] == score + best[i + 1][j + 1]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            pairs.append((i, None))
            i += 1
        else:
            pairs.append((None, j))
            j += 1
    pairs += [(k, None) for k in range(i, n)] + [(None, k) for k in range(j, m)]
    return pairs


def server_and_heard(turns: list[dict[str, str]], said: list[tuple[str, str]]
                     ) -> list[dict[str, str]]:
    """The simulated call's turns with the server's own words as ``text`` and what the other
    side heard as ``heard``: for the agent, the caller's re-transcription; for the caller, the
    server's transcription of the line said. ``said`` is the server's record, (role, text) in
    order; TwiML ``<Say>`` lines are spoken by Twilio as written. A turn the server said that
    the line never heard (cut off by a hang-up) comes with ``heard`` empty."""
    placed: list[tuple[float, dict[str, str]]] = [
        (k, {"role": t["role"], "text": t["text"], "heard": t["text"]})
        for k, t in enumerate(turns) if t.get("source") == "twiml"]
    for role in ("agent", "caller"):
        ours = [(k, t) for k, t in enumerate(turns)
                if t["role"] == role and t.get("source") != "twiml"]
        theirs = [text for r, text in said if r == role]
        at = -1.0
        for mine, server in align([t["text"] for _, t in ours], theirs):
            if mine is None:
                assert server is not None
                at += 0.001
                placed.append((at, {"role": role, "text": theirs[server], "heard": ""}))
                continue
            k, turn = ours[mine]
            at = float(k)
            if server is None:  # no record of it on the server (e.g. not stored yet)
                text, heard = turn["text"], turn["text"] if role == "agent" else ""
            elif role == "agent":
                text, heard = theirs[server], turn["text"]
            else:
                text, heard = turn["text"], theirs[server]
            placed.append((at, {"role": role, "text": text, "heard": heard}))
    placed.sort(key=lambda item: item[0])
    return [turn for _, turn in placed]


async def simulate_call(
    settings: Settings, *, server: str, to: str, from_: str, says: list[str],
    hang_up_before_greeting: bool = False, speed: float = 1.0, transcribe: bool = True,
    vocabulary: list[str] | None = None, control: CallControlFeed | None = None,
    on_turn: Callable[[dict[str, str]], None] | None = None,
) -> SimulatedCall:
    from receptionist.call import CallSimulator, Say
    from receptionist.core import WebhookSigner

    signer = WebhookSigner(settings.webhook_auth_token(), settings.public_url)
    simulator = CallSimulator(
        server=server, signer=signer, account_sid=settings.webhook_account_sid(),
        caller_voice=caller_voice(), ear=agent_ear(vocabulary) if transcribe else None,
        speed=speed, control=control, on_turn=on_turn,
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
    from receptionist.agent import CallSummary, TranscriptTurn
    from receptionist.telephony.models import Call
    from textback import Message

    deadline = time.monotonic() + decided_within_s
    while True:
        async with db.transaction() as session:
            row = (await session.execute(select(Call).where(Call.call_sid == call.call_sid))
                   ).scalar_one_or_none()
            # the media server writes its record of the conversation when the stream ends
            stored = call.first_line is None or call.first_line.first_audio_s is None or (
                await session.scalar(select(CallSummary.id).where(
                    CallSummary.call_sid == call.call_sid))) is not None
        if row is None or (row.outcome is not None and stored) \
                or time.monotonic() > deadline:
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
        said = [(t.role, t.text) for t in (await session.scalars(
            select(TranscriptTurn).where(TranscriptTurn.call_sid == call.call_sid)
            .order_by(TranscriptTurn.seq))).all()]
    return CallReport(
        call_sid=call.call_sid, outcome=row.outcome if row else None,
        missed_reason=row.missed_reason if row else None,
        turns=server_and_heard(call.turns, said), bookings=bookings,
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

    def show(turn: dict[str, str]) -> None:
        """Each turn the moment it happens; the agent's as the caller's ear heard it (the
        server's own words are in its record, read when the call is over)."""
        who = "Caller" if turn["role"] == "caller" else (
            "Agent " if turn.get("source") == "twiml" else "Agent (heard)")
        typer.echo(f"  {who}: {turn['text']}")
        sys.stdout.flush()

    async def go() -> None:
        since = datetime.now(UTC)
        async with open_db(settings) as db, db.transaction() as session:
            business = await business_for_number(session, number)
            vocabulary = [business.name] if business is not None else []
        if not as_json:
            typer.secho(f"Calling {number} from {caller} through {server}", bold=True)
            sys.stdout.flush()
        call = await simulate_call(settings, server=server, to=number, from_=caller,
                                   says=list(say or []),
                                   hang_up_before_greeting=hang_up_before_greeting,
                                   speed=speed, transcribe=transcribe, vocabulary=vocabulary,
                                   on_turn=None if as_json else show)
        async with open_db(settings) as db:
            report = await collect_report(db, call, caller=caller, since=since)
        if as_json:
            print_json(report.to_json())
            return
        typer.secho(f"Call {report.call_sid}", bold=True)
        differs = [t for t in report.turns if t["role"] == "agent" and t["text"] != t["heard"]]
        if differs:
            typer.echo("The agent's words as the server said them:")
            for turn in differs:
                typer.echo(f"  Agent : {turn['text']}")
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
