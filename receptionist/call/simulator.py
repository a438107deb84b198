"""Play Twilio against a running server: a whole call, from the incoming webhook to hang-up.

Signed webhooks (``/twilio/voice``, the ``<Dial>`` actions, the final status callback), then the
media stream of whatever ``<Connect><Stream>`` the server answers, with real 8 kHz μ-law speech
synthesized from each line the caller says (``SimulatedLine``). The agent's speech is
transcribed with the local STT. Used by ``receptionist call simulate`` and by the end-to-end
tests, so an owner can "call their own number" before going live.

Twilio's REST side cannot be seen from here: when the server hangs up or transfers through the
REST API, a ``CallControlFeed`` (the tests' Twilio double) reports it; without one, the server
ends the call by closing the stream, which is also what Twilio does then.
"""

from __future__ import annotations

import asyncio
import secrets
import time
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus, WebSocketException

from receptionist.call.simulated_line import (
    EndedBy,
    LineResult,
    Pause,
    Press,
    Say,
    ScriptStep,
    SimulatedLine,
    Steps,
    TurnSeen,
)
from receptionist.core import WebhookSigner
from receptionist.speech import SpeechToText

__all__ = [
    "CallControlFeed",
    "CallSimulator",
    "Pause",
    "Press",
    "Say",
    "SimulatedCall",
    "parse_twiml",
]


class CallControlFeed(Protocol):
    """Twilio's REST side, as a test double sees it."""

    def register(self, call_sid: str, from_: str, to: str) -> None:
        """Twilio knows the call (so REST updates of it succeed)."""
        ...

    def updates(self, call_sid: str) -> list[dict[str, str]]:
        """The REST updates made to the call so far (``Status``, ``Twiml`` form fields)."""
        ...


@dataclass
class Twiml:
    says: list[str] = field(default_factory=list)
    stream_url: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)
    dial_action: str | None = None
    dial_numbers: list[str] = field(default_factory=list)
    hangup: bool = False


def parse_twiml(text: str) -> Twiml:
    found = Twiml()
    root = ET.fromstring(text)
    for element in root.iter():
        if element.tag == "Say" and element.text:
            found.says.append(element.text.strip())
        elif element.tag == "Stream":
            found.stream_url = element.get("url")
        elif element.tag == "Parameter":
            found.parameters[element.get("name", "")] = element.get("value", "")
        elif element.tag == "Dial":
            found.dial_action = element.get("action")
        elif element.tag == "Number" and element.text:
            found.dial_numbers.append(element.text.strip())
        elif element.tag == "Hangup":
            found.hangup = True
    return found


@dataclass
class SimulatedCall:
    call_sid: str
    turns: list[dict[str, str]] = field(default_factory=list)
    lines: list[LineResult] = field(default_factory=list)
    webhooks: list[tuple[str, int]] = field(default_factory=list)
    transferred: bool = False
    ended_by: EndedBy = EndedBy.CALLER
    duration_s: float = 0.0

    @property
    def first_line(self) -> LineResult | None:
        return self.lines[0] if self.lines else None


class CallSimulator:
    def __init__(
        self, *, server: str, signer: WebhookSigner, account_sid: str,
        caller_voice: Callable[[str], Awaitable[bytes]], ear: SpeechToText | None,
        speed: float = 1.0, quiet_s: float = 0.8, reply_timeout_s: float = 20.0,
        control: CallControlFeed | None = None, timeout_s: float = 10.0,
        on_turn: TurnSeen | None = None,
    ) -> None:
        self.server = server.rstrip("/")
        self.signer = signer
        self.account_sid = account_sid
        self.caller_voice = caller_voice
        self.ear = ear
        self.speed = speed
        self.quiet_s = quiet_s
        self.reply_timeout_s = reply_timeout_s
        self.control = control
        self.timeout_s = timeout_s
        self.on_turn = on_turn  # each turn as it happens (the CLI prints it)

    async def _post(self, http: httpx.AsyncClient, url: str, params: dict[str, str],
                    call: SimulatedCall) -> str:
        """POST as Twilio does: to the URL the server named, signed over that URL."""
        path = urlsplit(url).path
        signature = self.signer.sign(self.signer.url_for(path), params)
        response = await http.post(self.server + path, data=params,
                                   headers={"X-Twilio-Signature": signature})
        call.webhooks.append((path, response.status_code))
        response.raise_for_status()
        return response.text

    def _ws_url(self, stream_url: str) -> str:
        """The stream URL as written in the TwiML, reached at ``--server`` (a proxy in front
        of the app rewrites the public host to it)."""
        server = urlsplit(self.server)
        scheme = "wss" if server.scheme == "https" else "ws"
        return urlunsplit((scheme, server.netloc, urlsplit(stream_url).path, "", ""))

    async def call(self, *, to: str, from_: str, script: Iterable[ScriptStep] = (),
                   hang_up_before_greeting: bool = False,
                   transfer_answered: bool = False) -> SimulatedCall:
        call = SimulatedCall("CA" + secrets.token_hex(16))
        started = time.monotonic()
        base = {"AccountSid": self.account_sid, "CallSid": call.call_sid, "From": from_,
                "To": to, "Direction": "inbound", "ApiVersion": "2010-04-01", "Caller": from_,
                "Called": to}
        if self.control is not None:
            self.control.register(call.call_sid, from_, to)
        steps = Steps(script)
        watch = _ControlWatch(self.control, call.call_sid) if self.control else None
        async with httpx.AsyncClient(timeout=self.timeout_s) as http:
            twiml = await self._post(http, self.signer.url_for("/twilio/voice"),
                                     {**base, "CallStatus": "ringing"}, call)
            for _ in range(6):  # a call runs through at most a few TwiML documents
                doc = parse_twiml(twiml)
                for said in doc.says:  # Twilio speaks these itself: heard as written
                    turn = {"role": "agent", "text": said, "source": "twiml"}
                    call.turns.append(turn)
                    if self.on_turn is not None:
                        self.on_turn(turn)
                if doc.dial_action and not doc.stream_url:  # ring the team: nobody answers
                    twiml = await self._post(http, doc.dial_action, {
                        **base, "CallStatus": "in-progress", "DialCallStatus": "no-answer",
                        "DialCallSid": "CA" + secrets.token_hex(16)}, call)
                    continue
                if doc.stream_url is None:
                    call.ended_by = EndedBy.AGENT
                    break
                line = await self._stream(call, doc, steps, hang_up_before_greeting, watch)
                if line.ended_by != EndedBy.TRANSFER or line.transfer_twiml is None:
                    call.ended_by = line.ended_by
                    break
                call.transferred = True
                twiml = await self._transfer(http, call, base, line.transfer_twiml,
                                             transfer_answered)
            call.duration_s = time.monotonic() - started
            await self._post(http, self.signer.url_for("/twilio/voice/status"), {
                **base, "CallStatus": "completed",
                "CallDuration": str(max(1, round(call.duration_s))),
                "Timestamp": formatdate(usegmt=True), "SequenceNumber": "1",
                "CallbackSource": "call-progress-events"}, call)
        return call

    async def _transfer(self, http: httpx.AsyncClient, call: SimulatedCall,
                        base: dict[str, str], transfer_twiml: str, answered: bool) -> str:
        dial = parse_twiml(transfer_twiml)
        child = "CA" + secrets.token_hex(16)
        if answered:
            await self._post(http, self.signer.url_for("/twilio/voice/status"), {
                **base, "CallSid": child, "ParentCallSid": call.call_sid,
                "CallStatus": "in-progress", "Direction": "outbound-dial"}, call)
        return await self._post(http, dial.dial_action or self.signer.url_for(
            "/twilio/voice/transfer"), {
            **base, "CallStatus": "in-progress", "DialCallSid": child,
            "DialCallStatus": "completed" if answered else "no-answer"}, call)

    async def _stream(self, call: SimulatedCall, doc: Twiml, steps: Steps,
                      hang_up_before_greeting: bool, watch: _ControlWatch | None
                      ) -> LineResult:
        assert doc.stream_url is not None
        url = self._ws_url(doc.stream_url)
        signature = self.signer.sign(doc.stream_url, {})
        try:
            ws = await connect(url, additional_headers={"X-Twilio-Signature": signature},
                               open_timeout=self.timeout_s, max_size=2**20)
        except (InvalidStatus, WebSocketException, OSError) as exc:
            result = LineResult(ended_by=EndedBy.REJECTED)
            result.events.append((time.perf_counter(), f"connect failed: {exc!r}"))
            call.lines.append(result)
            return result
        line = SimulatedLine(
            ws, stream_sid="MZ" + secrets.token_hex(16), call_sid=call.call_sid,
            account_sid=self.account_sid, parameters=doc.parameters,
            caller_voice=self.caller_voice, ear=self.ear, speed=self.speed,
            quiet_s=self.quiet_s, reply_timeout_s=self.reply_timeout_s,
            control=watch.next if watch is not None else None, on_turn=self.on_turn,
        )
        async with asyncio.timeout(600):
            result = await line.run(steps, hang_up_before_greeting=hang_up_before_greeting)
        call.turns += result.turns
        call.lines.append(result)
        return result


class _ControlWatch:
    """New REST updates of one call: a hang-up, or a transfer's TwiML."""

    def __init__(self, feed: CallControlFeed, call_sid: str) -> None:
        self.feed = feed
        self.call_sid = call_sid
        self.seen = 0

    async def next(self) -> tuple[str, str] | None:
        updates = self.feed.updates(self.call_sid)
        news, self.seen = updates[self.seen:], len(updates)
        for update in news:
            if update.get("Status") == "completed":
                return ("hang_up", "")
            if "<Dial" in update.get("Twiml", ""):
                return ("transfer", update["Twiml"])
        return None
