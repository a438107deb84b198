"""The realtime engine against the local Realtime (GA) double, through the real ``openai`` SDK."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import AsyncIterator
from typing import Any

import openai
import pytest

from receptionist.agent.ports import ToolCall, ToolResult, Turn
from receptionist.call.engines import EngineUnavailable
from receptionist.call.engines.openai_realtime import RealtimeEngine
from receptionist.call.events import (
    AgentAudio,
    AgentSaid,
    CallerSaid,
    CallerStartedSpeaking,
    CallerStoppedSpeaking,
    EngineFailed,
    EngineRecovered,
    ReplyFinished,
    ReplyStarted,
    ToolRequested,
)
from scripts.doubles import openai_audio
from scripts.doubles.openai_realtime import (
    CallTool,
    DropConnection,
    OpenAIRealtimeDouble,
    RealtimeTurn,
    RejectHandshake,
    Say,
    SendError,
    Stall,
)
from tests.support.voice import asked_to_say

TOOLS = [{"type": "function", "function": {
    "name": "business_info", "description": "Hours, address, services.",
    "parameters": {"type": "object", "properties": {"topic": {"type": "string"}},
                   "required": ["topic"]}}}]


def brain(turn: RealtimeTurn) -> Any:
    words = asked_to_say(turn)
    if words:
        return Say(words)
    if turn.last_tool_output is not None:
        return Say("We open at nine.")
    if turn.last_user_text and "hours" in turn.last_user_text:
        return [Say("Let me check."), CallTool("business_info", {"topic": "hours"})]
    return Say("Sure.")


class Harness:
    def __init__(self, double: OpenAIRealtimeDouble, **kwargs: Any) -> None:
        self.double = double
        self.events: list[Any] = []
        self.client = openai.AsyncOpenAI(api_key=double.api_key, base_url=double.base_url,
                                         max_retries=0)
        self.engine = RealtimeEngine(
            self.client, emit=self.emit, clock=lambda: 0, model="gpt-realtime", voice="marin",
            transcription_model="gpt-4o-mini-transcribe", instructions="Be a receptionist.",
            tool_schemas=TOOLS, **kwargs)
        self.task: asyncio.Task[None] | None = None

    async def emit(self, event: Any) -> None:
        self.events.append(event)

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]

    async def wait_for(self, kind: type, count: int = 1, timeout_s: float = 3.0) -> list[Any]:
        deadline = time.monotonic() + timeout_s
        while len(self.of(kind)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"no {count} {kind.__name__}: {self.events[-5:]}")
            await asyncio.sleep(0.005)
        return self.of(kind)

    async def start(self) -> Harness:
        await self.engine.start()
        self.task = asyncio.create_task(self.engine.run())
        return self

    async def close(self) -> None:
        await self.engine.aclose()
        if self.task is not None:
            await asyncio.wait_for(self.task, 3)
        await self.client.close()


async def say(harness: Harness, ulaw: bytes) -> None:
    """Caller audio in 20 ms frames, as the media edge hands it over."""
    for i in range(0, len(ulaw), 160):
        frame = ulaw[i:i + 160]
        await harness.engine.send_caller_audio(base64.b64encode(frame).decode(), frame)


@pytest.fixture
async def double() -> AsyncIterator[OpenAIRealtimeDouble]:
    async with OpenAIRealtimeDouble(brain=brain, ms_per_char=10) as rt:
        yield rt


@pytest.fixture
async def engine(double: OpenAIRealtimeDouble) -> AsyncIterator[Harness]:
    harness = await Harness(double).start()
    try:
        yield harness
    finally:
        await harness.close()


async def test_session_is_pcmu_both_ways_with_server_vad_and_flat_tools(
        engine: Harness, double: OpenAIRealtimeDouble) -> None:
    await double.wait_for_received("session.update")
    config = double.connections[0].config
    assert config["audio"]["input"]["format"] == {"type": "audio/pcmu"}
    assert config["audio"]["output"]["format"] == {"type": "audio/pcmu"}
    assert config["audio"]["input"]["turn_detection"]["type"] == "server_vad"
    assert config["tools"][0]["name"] == "business_info" and "function" not in config["tools"][0]
    assert "OpenAI-Beta" not in double.connections[0].headers


async def test_speak_is_a_reply_with_its_purpose(engine: Harness) -> None:
    await engine.engine.speak("Thanks for calling Greenfield.", "greeting")
    (finished,) = await engine.wait_for(ReplyFinished)
    (started,) = engine.of(ReplyStarted)
    assert started.purpose == "greeting" and finished.reply_id == started.reply_id
    assert engine.of(AgentAudio) and all(a.reply_id == started.reply_id
                                          for a in engine.of(AgentAudio))
    assert engine.of(AgentSaid)[0].text == "Thanks for calling Greenfield."


async def test_caller_audio_passes_through_untouched(
        engine: Harness, double: OpenAIRealtimeDouble) -> None:
    speech = openai_audio.speech_like(600) + openai_audio.silence(700)
    double.transcripts.extend(["Hi there"])
    await say(engine, speech)
    await engine.wait_for(CallerSaid)
    assert double.connections[0].input_audio == speech
    assert engine.of(CallerStartedSpeaking) and engine.of(CallerStoppedSpeaking)
    assert engine.of(CallerSaid)[0].text == "Hi there"


async def test_function_call_result_is_answered_after_the_response_is_done(
        engine: Harness, double: OpenAIRealtimeDouble) -> None:
    double.transcripts.extend(["what are your hours"])
    await say(engine, openai_audio.speech_like(600) + openai_audio.silence(700))
    (request,) = await engine.wait_for(ToolRequested)
    assert request.call.name == "business_info" and request.call.arguments == {"topic": "hours"}
    await engine.engine.send_tool_result(request.call, ToolResult(True, {"hours": "9-5"}),
                                         respond=True)
    await engine.wait_for(ReplyFinished, 2)
    said = [e.text for e in engine.of(AgentSaid)]
    assert said == ["Let me check.", "We open at nine."]
    outputs = [i for i in double.connections[0].items if i["type"] == "function_call_output"]
    assert outputs and '"hours": "9-5"' in outputs[0]["output"]
    assert not double.errors


async def test_truncate_and_cancel(engine: Harness, double: OpenAIRealtimeDouble) -> None:
    double.script.audio_speed = 1.0  # real time, so the reply is still running
    await engine.engine.speak("word " * 100, "info")
    await engine.wait_for(AgentAudio, 5)
    item = engine.of(AgentAudio)[0].item_id
    reply = engine.of(ReplyStarted)[0].reply_id
    await engine.engine.truncate(item, 60)
    await engine.engine.cancel(reply)
    (finished,) = await engine.wait_for(ReplyFinished)
    assert finished.status == "cancelled"
    assert [(t.item_id, t.audio_end_ms) for t in double.truncations] == [(item, 60)]
    await engine.engine.truncate("item_unknown", 10)  # not ours: not sent
    await asyncio.sleep(0.05)
    assert not [e for e in double.sent_of("error")]


async def test_a_dropped_socket_is_reported_and_reconnect_carries_the_conversation(
        engine: Harness, double: OpenAIRealtimeDouble) -> None:
    double.inject(DropConnection(after_audio_chunks=2))
    await engine.engine.speak("Hello there, how can I help?", "greeting")
    (failed,) = await engine.wait_for(EngineFailed)
    assert failed.recoverable
    await engine.engine.reconnect((Turn("caller", "I need a plumber", 10),
                                   Turn("agent", "Sure, when?", 20)))
    await engine.wait_for(EngineRecovered)
    await double.wait_for_received("session.update", count=2)
    instructions = double.connections[1].config["instructions"]
    assert "Caller: I need a plumber" in instructions and "You: Sure, when?" in instructions
    await engine.engine.speak("Sorry about that.", "recovered")
    started = await engine.wait_for(ReplyStarted, 2)
    assert started[-1].purpose == "recovered"


async def test_reconnect_that_fails_is_final(engine: Harness,
                                             double: OpenAIRealtimeDouble) -> None:
    double.inject(RejectHandshake(503))
    await engine.engine.reconnect(())
    (failed,) = await engine.wait_for(EngineFailed)
    assert not failed.recoverable


async def test_a_stalled_model_is_a_failure(double: OpenAIRealtimeDouble) -> None:
    harness = await Harness(double, stall_timeout_s=0.3).start()
    try:
        double.inject(Stall(after_audio_chunks=1))
        await harness.engine.speak("Hello there, how can I help?", "greeting")
        (failed,) = await harness.wait_for(EngineFailed)
        assert failed.recoverable and "responding" in failed.reason
    finally:
        await harness.close()


async def test_a_server_error_is_a_recoverable_failure(
        engine: Harness, double: OpenAIRealtimeDouble) -> None:
    double.inject(SendError())
    await engine.engine.speak("Hello", "greeting")
    (failed,) = await engine.wait_for(EngineFailed)
    assert failed.recoverable


async def test_start_fails_cleanly_when_the_model_is_unreachable(
        double: OpenAIRealtimeDouble) -> None:
    double.inject(RejectHandshake(401))
    with pytest.raises(EngineUnavailable):
        await Harness(double).start()
    assert [c.status for c in double.connections] == [401]


async def test_tool_results_from_before_a_reconnect_become_a_note(
        engine: Harness, double: OpenAIRealtimeDouble) -> None:
    await engine.engine.reconnect(())
    await engine.wait_for(EngineRecovered)
    await engine.engine.send_tool_result(ToolCall("call_old", "business_info", {}),
                                         ToolResult(True, {"hours": "9-5"}), respond=False)
    await double.wait_for_received("conversation.item.create")
    assert not double.sent_of("error")
