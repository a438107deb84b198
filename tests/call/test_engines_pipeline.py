"""The pipeline engine on the local engines (WebRTC VAD, faster-whisper, eSpeak NG) with the
recorded caller utterances; the brain is a scripted stand-in for our own ``Brain`` port."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from receptionist.agent.ports import (
    BrainReply,
    BrainUnavailable,
    CallContext,
    ToolCall,
    ToolResult,
    Turn,
)
from receptionist.call.engines import (
    AudioCache,
    BridgeMetrics,
    PipelineEngine,
    TurnDetector,
    Voice,
)
from receptionist.call.engines.turns import TurnBegan, TurnEnded, TurnPaused, TurnResumed
from receptionist.call.events import (
    AgentAudio,
    AgentSaid,
    CallerSaid,
    CallerStartedSpeaking,
    CallerStoppedSpeaking,
    EngineFailed,
    ReplyFinished,
    ReplyStarted,
    ToolCompleted,
)
from receptionist.speech import (
    EspeakTextToSpeech,
    WebRtcVad,
    WhisperModelHandle,
    WhisperSpeechToText,
    ulaw_decode,
)

AUDIO = Path(__file__).resolve().parents[1] / "fixtures" / "audio"
SILENCE = b"\xff" * 160
WHISPER = WhisperModelHandle()  # one model for the module, loaded by the fixture below


def utterance(name: str) -> tuple[bytes, str]:
    manifest = json.loads((AUDIO / "transcripts.json").read_text())
    entry = next(e for e in manifest["utterances"] if e["file"].startswith(name))
    return (AUDIO / entry["file"]).read_bytes(), entry["text"]


def frames(ulaw: bytes) -> list[bytes]:
    return [ulaw[i:i + 160].ljust(160, b"\xff") for i in range(0, len(ulaw), 160)]


class FakeBrain:
    """Answers from a script; ``fail`` makes it behave like a remote model that is down."""

    def __init__(self, *, fail: bool = False, action: str | None = None) -> None:
        self.fail = fail
        self.action = action
        self.heard: list[str] = []

    async def reply(self, ctx: CallContext, history: list[Turn], caller_text: str
                    ) -> BrainReply:
        if self.fail:
            raise BrainUnavailable("model down")
        self.heard.append(caller_text)
        calls = []
        if self.action:
            call = ToolCall("c1", "end_call", {})
            calls.append((call, ToolResult(True, {}, action=self.action)))
        return BrainReply("We open at nine on Saturday.", calls, self.action)


class Harness:
    def __init__(self, brain: Any, fallback: Any = None) -> None:
        self.events: list[Any] = []
        self.on_event: Any = None
        self.metrics = BridgeMetrics()
        self.engine = PipelineEngine(
            emit=self.emit, clock=lambda: 0,
            ctx=CallContext("CA1", 1, "Greenfield Plumbing", "+12025550143", "UTC"),
            brain=brain, fallback_brain=fallback,
            stt=WhisperSpeechToText(WHISPER, vocabulary=["Greenfield Plumbing"]),
            fallback_stt=None, voice=Voice("espeak", EspeakTextToSpeech()),
            fallback_voice=None, vad=WebRtcVad(8000, end_silence_ms=240), cache=AudioCache(),
            metrics=self.metrics)

    async def emit(self, event: Any) -> None:
        self.events.append(event)
        if self.on_event is not None:
            await self.on_event(event)

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]

    async def wait_for(self, kind: type, count: int = 1, timeout_s: float = 15.0) -> list[Any]:
        deadline = time.monotonic() + timeout_s
        while len(self.of(kind)) < count:
            assert time.monotonic() < deadline, f"no {kind.__name__}: {self.events[-4:]}"
            await asyncio.sleep(0.01)
        return self.of(kind)

    async def say(self, ulaw: bytes, *, then_silence_ms: int = 800,
                  realtime: bool = False) -> None:
        for frame in frames(ulaw) + [SILENCE] * (then_silence_ms // 20):
            await self.engine.send_caller_audio(base64.b64encode(frame).decode(), frame)
            await asyncio.sleep(0.02 if realtime else 0)


@pytest.fixture(scope="module", autouse=True)
def _whisper_loaded() -> None:
    WHISPER.get()


@pytest.fixture
async def running() -> AsyncIterator[Any]:
    harnesses: list[tuple[Harness, asyncio.Task[None]]] = []

    def start(brain: Any, fallback: Any = None) -> Harness:
        harness = Harness(brain, fallback)
        harnesses.append((harness, asyncio.create_task(harness.engine.run())))
        return harness

    yield start
    for harness, task in harnesses:
        await harness.engine.aclose()
        await asyncio.wait_for(task, 5)


def test_turns_pause_resume_and_end() -> None:
    speech, _ = utterance("01_")
    speech = speech[300 * 8:2150 * 8]  # voice only: the gap below is all the silence there is
    turns = TurnDetector(WebRtcVad(8000, end_silence_ms=240), end_silence_ms=500)
    signals = []
    for frame in frames(speech) + [SILENCE] * 15 + frames(speech) + [SILENCE] * 40:
        signals += turns.feed(ulaw_decode(frame))
    kinds = [type(s) for s in signals]
    assert kinds[0] is TurnBegan and kinds[-1] is TurnEnded
    assert TurnResumed in kinds  # the 300 ms gap was a pause, not the end
    assert kinds.count(TurnBegan) == 1
    last_pause = [s for s in signals if isinstance(s, TurnPaused)][-1]
    assert len(last_pause.pcm16) // 16 > 2 * len(speech) // 8 - 200  # both halves, in ms


@pytest.mark.slow  # speech both ways
async def test_a_caller_turn_is_transcribed_answered_and_spoken(running: Any) -> None:
    harness = running(FakeBrain())
    speech, text = utterance("01_")
    await harness.say(speech, realtime=True)
    await harness.wait_for(ReplyFinished)
    kinds = [type(e) for e in harness.events if not isinstance(e, AgentAudio)]
    assert kinds[:4] == [CallerStartedSpeaking, CallerStoppedSpeaking, CallerSaid, ReplyStarted]
    heard = harness.of(CallerSaid)[0].text.lower()
    assert "saturday" in heard, (heard, text)
    assert harness.of(AgentSaid)[-1].text == "We open at nine on Saturday."
    assert sum(a.size for a in harness.of(AgentAudio)) > 8000  # over a second of speech
    (latency,) = harness.metrics.response_s  # measured properly by scripts/bench_voice.py
    assert 0.0 < latency < 5.0


async def test_fixed_lines_come_from_the_cache(running: Any) -> None:
    harness = running(FakeBrain())
    await harness.engine.speak("Are you still there?", "still_there")
    await harness.wait_for(ReplyFinished)
    assert harness.of(ReplyStarted)[0].purpose == "still_there"
    assert harness.engine._cache.get("espeak", "Are you still there?") is not None


async def test_a_failing_brain_falls_back_to_the_local_one(running: Any) -> None:
    local = FakeBrain()
    harness = running(FakeBrain(fail=True), local)
    speech, _ = utterance("13_")
    await harness.say(speech)
    await harness.wait_for(ReplyFinished)
    assert local.heard and not harness.of(EngineFailed)


async def test_no_brain_left_is_an_engine_failure(running: Any) -> None:
    harness = running(FakeBrain(fail=True))
    speech, _ = utterance("13_")
    await harness.say(speech)
    (failed,) = await harness.wait_for(EngineFailed)
    assert not failed.recoverable


async def test_tools_the_brain_ran_are_reported(running: Any) -> None:
    harness = running(FakeBrain(action="hang_up"))
    speech, _ = utterance("16_")
    await harness.say(speech)
    (done,) = await harness.wait_for(ToolCompleted)
    assert done.by_engine and done.result.action == "hang_up"
    assert done.reply_id == harness.of(ReplyStarted)[0].reply_id


async def test_cancel_stops_the_reply_in_flight(running: Any) -> None:
    harness = running(FakeBrain())

    async def cancel_on_first_audio(event: Any) -> None:  # a barge-in right after it starts
        if isinstance(event, AgentAudio) and len(harness.of(AgentAudio)) == 1:
            await harness.engine.cancel(event.reply_id)

    harness.on_event = cancel_on_first_audio
    await harness.engine.speak("This is a long sentence. " * 20, "info")
    (finished,) = await harness.wait_for(ReplyFinished)
    assert finished.status == "cancelled"
    assert len(harness.of(AgentAudio)) < 5
