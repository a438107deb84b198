"""Twilio's half of one media stream, simulated: the caller's phone line and Twilio's buffer.

Every 20 ms (divided by ``speed``) the line sends one inbound ``media`` frame — the caller's
synthesized speech when they are talking, silence otherwise — and "plays" 20 ms of the agent's
queued audio. Marks are echoed when the audio before them has played; ``clear`` drops the queue
and echoes every pending mark at once, as Twilio does. The agent's turn is over when its audio
has all played and nothing new has arrived for ``quiet_s``; what was heard is then transcribed.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from receptionist.speech import SpeechError, SpeechToText, ulaw_decode

__all__ = ["ClearSeen", "EndedBy", "LineResult", "Pause", "Press", "Say", "ScriptStep",
           "SimulatedLine", "Steps"]

FRAME_BYTES = 160  # 20 ms of 8 kHz μ-law
SILENCE = b"\xff" * FRAME_BYTES


@dataclass(frozen=True)
class Say:
    """The caller says ``text`` once the agent has finished its turn, or — with
    ``barge_in_after_ms`` — after that much of the agent's turn has played, talking over it."""

    text: str
    barge_in_after_ms: int | None = None


@dataclass(frozen=True)
class Press:
    digit: str


@dataclass(frozen=True)
class Pause:
    """The caller stays silent for ``seconds`` of wall time."""

    seconds: float


ScriptStep = Say | Press | Pause


class Steps:
    """A caller's script that can be peeked at, shared by the streams of one call."""

    def __init__(self, steps: Iterable[ScriptStep]) -> None:
        self._steps = iter(steps)
        self._next: list[ScriptStep] = []

    def peek(self) -> ScriptStep | None:
        if not self._next:
            step = next(self._steps, None)
            if step is None:
                return None
            self._next.append(step)
        return self._next[0]

    def __iter__(self) -> Iterator[ScriptStep]:
        return self

    def __next__(self) -> ScriptStep:
        if self._next:
            return self._next.pop()
        return next(self._steps)
Control = Callable[[], Awaitable[tuple[str, str] | None]]  # -> ("hang_up"|"transfer", twiml)
TurnSeen = Callable[[dict[str, str]], None]  # told of each turn the moment it is noted


@dataclass(frozen=True)
class ClearSeen:
    at: float  # perf_counter
    played_ms: int  # of the agent's current turn, when the clear arrived


class EndedBy(StrEnum):
    """Who ended a simulated call: the caller's script ran out, the agent hung up, the agent
    transferred it, or the server refused the stream."""

    CALLER = "caller"
    AGENT = "agent"
    TRANSFER = "transfer"
    REJECTED = "rejected"


@dataclass
class LineResult:
    turns: list[dict[str, str]] = field(default_factory=list)
    ended_by: EndedBy = EndedBy.CALLER
    transfer_twiml: str | None = None
    first_audio_s: float | None = None  # start sent -> first agent audio received
    first_mark_s: float | None = None
    clears: list[ClearSeen] = field(default_factory=list)
    marks_echoed: int = 0
    agent_audio_ms: int = 0
    close_code: int | None = None
    events: list[tuple[float, str]] = field(default_factory=list)


class SimulatedLine:
    def __init__(
        self, ws: ClientConnection, *, stream_sid: str, call_sid: str, account_sid: str,
        parameters: dict[str, str], caller_voice: Callable[[str], Awaitable[bytes]],
        ear: SpeechToText | None, speed: float = 1.0, quiet_s: float = 0.8,
        reply_timeout_s: float = 20.0, control: Control | None = None, linger_s: float = 1.0,
        on_turn: TurnSeen | None = None,
    ) -> None:
        self.ws = ws
        self.stream_sid = stream_sid
        self.call_sid = call_sid
        self.account_sid = account_sid
        self.parameters = parameters
        self.caller_voice = caller_voice
        self.ear = ear
        self.tick_s = 0.02 / speed
        self.quiet_s = quiet_s
        self.reply_timeout_s = reply_timeout_s
        self.control = control
        self.linger_s = linger_s
        self.on_turn = on_turn
        self.result = LineResult()
        self._queue: deque[bytearray | str] = deque()  # agent audio and mark names
        self._speaking = bytearray()  # caller audio still to send
        self._turn_played = bytearray()  # agent audio heard, not yet transcribed
        self._turn_heard = 0  # bytes of agent audio heard since the caller last spoke
        self._turn_started = False
        self._last_audio_at = 0.0
        self._drained_at = 0.0  # when the agent's queued audio last finished playing
        self._seq = 0
        self._media_ms = 0
        self._started_at = 0.0
        self.ended = asyncio.Event()
        self._done_speaking = asyncio.Event()  # the caller's words have all been sent

    # --- wire ---------------------------------------------------------------------------------

    async def _send(self, event: dict[str, Any]) -> None:
        if self.ended.is_set() and event.get("event") not in ("stop",):
            return
        self._seq += 1
        if event["event"] != "connected":
            event = {**event, "sequenceNumber": str(self._seq), "streamSid": self.stream_sid}
        try:
            await self.ws.send(json.dumps(event))
        except ConnectionClosed:
            self._server_closed()

    def _server_closed(self) -> None:
        if not self.ended.is_set():
            self.result.ended_by = EndedBy.AGENT if self.result.first_audio_s is not None \
                else EndedBy.REJECTED
            self.result.close_code = self.ws.close_code
            self.ended.set()
            self._done_speaking.set()

    async def _start(self) -> None:
        await self._send({"event": "connected", "protocol": "Call", "version": "1.0.0"})
        self._started_at = time.perf_counter()
        await self._send({"event": "start", "start": {
            "accountSid": self.account_sid, "streamSid": self.stream_sid,
            "callSid": self.call_sid, "tracks": ["inbound"],
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
            "customParameters": self.parameters}})

    async def hang_up(self) -> None:
        self._done_speaking.set()
        if not self.ended.is_set():
            self.ended.set()
            self._seq += 1
            try:
                await self.ws.send(json.dumps({
                    "event": "stop", "sequenceNumber": str(self._seq),
                    "streamSid": self.stream_sid,
                    "stop": {"accountSid": self.account_sid, "callSid": self.call_sid}}))
            except ConnectionClosed:
                pass
        await self.ws.close()

    # --- the two loops: Twilio's clock, and what the server sends -----------------------------

    async def _receive(self) -> None:
        try:
            async for message in self.ws:
                self._on_server(message)
                if self._queue and isinstance(self._queue[0], str):
                    await self._echo_ready_marks()
        except ConnectionClosed:
            pass
        self._server_closed()

    def _on_server(self, message: str | bytes) -> None:
        try:
            event = json.loads(message)
        except ValueError:
            return
        kind = event.get("event") if isinstance(event, dict) else None
        now = time.perf_counter()
        if kind == "media":
            try:
                audio = base64.b64decode(event["media"]["payload"], validate=True)
            except (KeyError, TypeError, binascii.Error):
                return
            if self.result.first_audio_s is None:
                self.result.first_audio_s = now - self._started_at
                self.result.events.append((now, "first_audio"))
            self._turn_started = True
            self._last_audio_at = now
            self.result.agent_audio_ms += len(audio) // 8
            if self._queue and isinstance(self._queue[-1], bytearray):
                self._queue[-1] += audio
            else:
                self._queue.append(bytearray(audio))
        elif kind == "mark":
            self._queue.append(str(event.get("mark", {}).get("name", "")))
        elif kind == "clear":
            self.result.clears.append(ClearSeen(now, self._turn_heard // 8))
            self.result.events.append((now, "clear"))
            self._queue = deque(item for item in self._queue if isinstance(item, str))

    async def _echo_ready_marks(self) -> None:
        while self._queue and isinstance(self._queue[0], str):
            name = self._queue.popleft()
            assert isinstance(name, str)
            if self.result.first_mark_s is None:
                self.result.first_mark_s = time.perf_counter() - self._started_at
            self.result.marks_echoed += 1
            await self._send({"event": "mark", "mark": {"name": name}})

    async def _clock(self) -> None:
        next_tick = time.perf_counter()
        ticks = 0
        while not self.ended.is_set():
            frame = bytes(self._speaking[:FRAME_BYTES])
            del self._speaking[:FRAME_BYTES]
            if not self._speaking:
                self._done_speaking.set()
            frame += SILENCE[len(frame):]
            self._media_ms += 20
            await self._send({"event": "media", "media": {
                "track": "inbound", "chunk": str(self._media_ms // 20),
                "timestamp": str(self._media_ms),
                "payload": base64.b64encode(frame).decode("ascii")}})
            self._play(FRAME_BYTES)
            await self._echo_ready_marks()
            ticks += 1
            if self.control is not None and ticks % 5 == 0:
                await self._check_control()
            next_tick += self.tick_s
            delay = next_tick - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            elif delay < -0.2:  # far behind (a loaded machine): do not burst to catch up
                next_tick = time.perf_counter()
            else:
                await asyncio.sleep(0)

    def _play(self, budget: int) -> None:
        while budget and self._queue and isinstance(self._queue[0], bytearray):
            audio = self._queue[0]
            take = audio[:budget]
            del audio[:budget]
            budget -= len(take)
            self._turn_played += take
            self._turn_heard += len(take)
            if not audio:
                self._queue.popleft()
                self._drained_at = time.perf_counter()

    async def _check_control(self) -> None:
        assert self.control is not None
        update = await self.control()
        if update is None or self.ended.is_set():
            return
        kind, twiml = update
        self.result.ended_by = EndedBy.TRANSFER if kind == "transfer" else EndedBy.AGENT
        self.result.transfer_twiml = twiml if kind == "transfer" else None
        await self.hang_up()  # Twilio leaves the stream: ``stop``, then the socket closes

    # --- the conversation ---------------------------------------------------------------------

    def _agent_audio_pending(self) -> bool:
        return any(isinstance(item, bytearray) and item for item in self._queue)

    async def _agent_turn(self, next_step: ScriptStep | None = None) -> None:
        """Wait for the agent to speak and finish; note what was heard. When the caller's next
        line talks over the agent, only wait for the agent to start."""
        deadline = time.monotonic() + self.reply_timeout_s
        while not self._turn_started:
            if self.ended.is_set() or time.monotonic() > deadline:
                return
            await asyncio.sleep(self.tick_s)
        if isinstance(next_step, Say) and next_step.barge_in_after_ms is not None:
            return
        while not self.ended.is_set():
            if not self._agent_audio_pending():  # quiet since the agent's audio finished
                silent_since = max(self._drained_at, self._last_audio_at)
                if time.perf_counter() - silent_since >= self.quiet_s:
                    break
            await asyncio.sleep(self.tick_s)
        await self._note_agent_turn()
        self._turn_heard = 0

    async def _note_agent_turn(self) -> None:
        heard, self._turn_played = bytes(self._turn_played), bytearray()
        self._turn_started = False
        if not heard:
            return
        text = f"[{len(heard) // 8} ms of audio]"
        if self.ear is not None:
            try:
                text = (await self.ear.transcribe(ulaw_decode(heard), 8000)).text
            except SpeechError as exc:
                text = f"[not transcribed: {exc}]"
        self._note({"role": "agent", "text": text})

    def _note(self, turn: dict[str, str]) -> None:
        self.result.turns.append(turn)
        if self.on_turn is not None:
            self.on_turn(turn)

    async def _say(self, step: Say) -> None:
        if step.barge_in_after_ms is not None:
            while self._turn_heard < step.barge_in_after_ms * 8:
                if self.ended.is_set() or not (self._turn_started or self._queue):
                    break
                await asyncio.sleep(self.tick_s / 2)
            await self._note_agent_turn()  # what was heard before talking over it
        audio = await self.caller_voice(step.text)
        self._note({"role": "caller", "text": step.text})
        self.result.events.append((time.perf_counter(), "caller_speaks"))
        self._done_speaking.clear()
        self._speaking += audio
        await self._done_speaking.wait()
        self._turn_started = False
        self._turn_played = bytearray()
        self._turn_heard = 0

    async def run(self, script: Iterator[ScriptStep], *,
                  hang_up_before_greeting: bool = False) -> LineResult:
        steps = script if isinstance(script, Steps) else Steps(script)
        receiver = asyncio.create_task(self._receive())
        await self._start()
        if hang_up_before_greeting:  # gone before a single frame of the greeting has played
            await asyncio.sleep(0.05)
            self.result.ended_by = EndedBy.CALLER
            await self.hang_up()
            await asyncio.wait_for(asyncio.gather(receiver, return_exceptions=True), 5)
            return self.result
        clock = asyncio.create_task(self._clock())
        try:
            await self._agent_turn(steps.peek())
            for step in steps:
                if self.ended.is_set():
                    break
                if isinstance(step, Say):
                    await self._say(step)
                    await self._agent_turn(steps.peek())
                elif isinstance(step, Press):
                    await self._send({"event": "dtmf",
                                      "dtmf": {"track": "inbound_track", "digit": step.digit}})
                    await self._agent_turn(steps.peek())
                else:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self.ended.wait(), step.seconds)
                    if self._turn_started:  # the agent spoke up meanwhile
                        await self._agent_turn()
            if not self.ended.is_set():  # nothing left to say: wait a moment, then hang up
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.ended.wait(), self.linger_s)
            if not self.ended.is_set():
                self.result.ended_by = EndedBy.CALLER
                await self.hang_up()
            else:
                await self.ended.wait()
        finally:
            clock.cancel()
            self.ended.set()
            await asyncio.gather(clock, return_exceptions=True)
            await asyncio.wait_for(asyncio.gather(receiver, return_exceptions=True), 5)
        await self._note_agent_turn()  # the last words before the line went dead
        return self.result
