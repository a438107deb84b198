"""One call session over an in-memory socket: start-up failures, hang-ups, transfers, tools."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import openai
import pytest

from receptionist.agent.ports import CallContext, TeamNote, ToolCall, ToolResult
from receptionist.call.conversation import ConversationConfig
from receptionist.call.engine_choice import EngineFactory
from receptionist.call.engines import AudioCache
from receptionist.call.errors import CallControlError
from receptionist.call.ports import SocketClosed
from receptionist.call.session import CallDeps, CallSession, SessionLimits
from receptionist.call.setup import CallSetup
from receptionist.call.tokens import StreamGrant
from receptionist.call.twilio_calls import StreamCallControl
from receptionist.core import Settings, SystemClock
from tests.doubles import openai_audio
from tests.doubles.openai_realtime import (
    CallTool,
    OpenAIRealtimeDouble,
    RealtimeTurn,
    RejectHandshake,
    Say,
)
from tests.support.voice import asked_to_say

CALL = "CA" + "7" * 32
STREAM = "MZ" + "7" * 32


class Phone:
    """Twilio in memory: frames in, frames out, marks echoed as soon as they arrive."""

    def __init__(self) -> None:
        self.inbound: asyncio.Queue[str | None] = asyncio.Queue()
        self.sent: list[dict[str, Any]] = []
        self.closed_with: int | None = None

    async def receive(self) -> str:
        item = await self.inbound.get()
        if item is None:
            raise SocketClosed
        return item

    async def send_text(self, data: str) -> None:
        if self.closed_with is not None:
            raise SocketClosed
        frame = json.loads(data)
        self.sent.append(frame)
        if frame["event"] == "mark":
            self.inbound.put_nowait(json.dumps({"event": "mark", "mark": frame["mark"]}))

    async def close(self, code: int = 1000) -> None:
        if self.closed_with is None:
            self.closed_with = code
            self.inbound.put_nowait(None)

    def start(self, token: str = "good") -> None:
        self.inbound.put_nowait(json.dumps({"event": "start", "start": {
            "streamSid": STREAM, "callSid": CALL, "customParameters": {"token": token}}}))

    def of(self, event: str) -> list[dict[str, Any]]:
        return [f for f in self.sent if f["event"] == event]


class Grants:
    async def redeem(self, token: str | None, call_sid: str) -> StreamGrant | None:
        return StreamGrant(call_sid, 1, 1) if token == "good" else None


class Setups:
    async def build(self, grant: StreamGrant) -> CallSetup:
        return CallSetup(ctx=CallContext(grant.call_sid, 1, "Greenfield", "+12025550143", "UTC"),
                         greeting="Thanks for calling Greenfield.", instructions="Be kind.",
                         transfer_to=["+12025550111"])


class Lifecycle:
    def __init__(self) -> None:
        self.events: list[str] = []
        self.fail_next_conversation_start = False

    async def stream_started(self, call_sid: str) -> None:
        self.events.append("stream_started")

    async def conversation_started(self, call_sid: str) -> None:
        if self.fail_next_conversation_start:
            self.fail_next_conversation_start = False
            self.events.append("conversation_started failed")
            raise OSError("database is locked")
        self.events.append("conversation_started")

    async def stream_ended(self, call_sid: str) -> None:
        self.events.append("stream_ended")

    async def caller_of(self, call_sid: str) -> str | None:
        return "+12025550143"


class Messenger:
    def __init__(self) -> None:
        self.notes: list[TeamNote] = []
        self.texts: list[str] = []

    async def take_message(self, ctx: CallContext, note: TeamNote) -> int:
        self.notes.append(note)
        return 1

    async def booking_made(self, ctx: CallContext, booking: Any) -> None:
        pass

    async def text_caller(self, ctx: CallContext, *, body: str, kind: str) -> bool:
        self.texts.append(body)
        return True


class Tools:
    def __init__(self) -> None:
        self.ran: list[ToolCall] = []

    def schemas(self) -> list[dict[str, Any]]:
        return [{"type": "function", "function": {"name": name, "parameters": {
            "type": "object", "properties": {}}}} for name in ("explode", "transfer_to_human")]

    async def run(self, ctx: CallContext, call: ToolCall) -> ToolResult:
        self.ran.append(call)
        if call.name == "explode":
            raise RuntimeError("a bug in a tool")
        return ToolResult(True, {}, action="transfer")


class RefusingTransfers(StreamCallControl):
    can_transfer = True

    async def transfer(self, call_sid: str, to_numbers: list[str], *, timeout_s: int) -> None:
        self.requests.append(("transfer", call_sid))
        raise CallControlError("Twilio said no")


def brain(turn: RealtimeTurn) -> Any:
    words = asked_to_say(turn)
    if words:
        return Say(words)
    if turn.last_tool_output is not None:
        return Say("Sorry about that.")
    return Say("Okay.")


@pytest.fixture
async def double() -> AsyncIterator[OpenAIRealtimeDouble]:
    async with OpenAIRealtimeDouble(brain=brain, ms_per_char=5) as rt:
        yield rt


def deps(double: OpenAIRealtimeDouble, **changes: Any) -> CallDeps:
    client = openai.AsyncOpenAI(api_key=double.api_key, base_url=double.base_url,
                                max_retries=0)
    settings = Settings(voice_engine="realtime", data_dir="/tmp")
    factory = EngineFactory(settings=settings, cache=AudioCache(), toolbox=Tools(),
                            openai_client=client,
                            local_voice=EngineFactory.local_voice_for(settings))
    values: dict[str, Any] = dict(
        tokens=Grants(), lifecycle=Lifecycle(), setups=Setups(), engines=factory,
        call_control=StreamCallControl(), can_transfer=False, clock=SystemClock(),
        conversation=ConversationConfig(silence_timeout_s=60),
        limits=SessionLimits(close_after_hang_up_s=0.05, close_after_transfer_s=0.05,
                             start_timeout_s=1), toolbox=factory.toolbox, messenger=Messenger())
    values.update(changes)
    return CallDeps(**values)


async def run(session: CallSession, timeout_s: float = 10) -> None:
    await asyncio.wait_for(session.run(), timeout_s)


async def test_a_bad_token_closes_at_once(double: OpenAIRealtimeDouble) -> None:
    phone = Phone()
    phone.start(token="bad")
    session = CallSession(phone, deps(double))
    await run(session)
    assert phone.closed_with == 1008 and phone.sent == [] and double.connections == []


async def test_no_start_at_all_closes(double: OpenAIRealtimeDouble) -> None:
    phone = Phone()
    await run(CallSession(phone, deps(double)))
    assert phone.closed_with == 1008


def a_call_with_no_engine(double: OpenAIRealtimeDouble) -> tuple[Phone, Any]:
    """A started call whose model refuses to connect: the fallback apologises and hangs up."""
    double.inject(RejectHandshake(503))
    phone = Phone()
    phone.start()
    return phone, deps(double)


async def test_no_engine_at_start_apologises_takes_a_message_and_hangs_up(
        double: OpenAIRealtimeDouble) -> None:
    phone, calls = a_call_with_no_engine(double)
    session = CallSession(phone, calls)
    await run(session)
    assert phone.of("media"), "the fallback voice spoke"
    assert phone.closed_with == 1000  # hung up by closing the stream (no REST here)
    assert calls.call_control.requests == [("hang_up", CALL)]
    assert [n.kind for n in calls.messenger.notes] == ["callback_request"]
    assert calls.messenger.texts and "cut off" in calls.messenger.texts[0]
    assert calls.lifecycle.events == ["stream_started", "conversation_started", "stream_ended"]
    record = session.record()
    assert record is not None and record.degraded and record.end_reason == "agent_hung_up"


async def test_a_failed_conversation_start_is_written_again_before_the_stream_end(
        double: OpenAIRealtimeDouble) -> None:
    phone, calls = a_call_with_no_engine(double)
    calls.lifecycle.fail_next_conversation_start = True
    await run(CallSession(phone, calls))
    assert calls.lifecycle.events == ["stream_started", "conversation_started failed",
                                      "conversation_started", "stream_ended"]


async def test_a_crashing_tool_is_an_error_the_model_hears(
        double: OpenAIRealtimeDouble) -> None:
    double.brain = lambda turn: (
        Say(asked_to_say(turn)) if asked_to_say(turn) else
        CallTool("explode") if turn.last_tool_output is None else Say("Sorry."))
    double.transcripts.extend(["hello"])

    phone = Phone()
    phone.start()
    session = CallSession(phone, deps(double))
    task = asyncio.create_task(run(session))
    for _ in range(200):  # the greeting is over before the caller speaks
        if double.sent_of("response.done"):
            break
        await asyncio.sleep(0.01)
    speech = openai_audio.speech_like(600) + openai_audio.silence(800)
    for i in range(0, len(speech), 160):
        phone.inbound.put_nowait(json.dumps({"event": "media", "media": {
            "payload": base64.b64encode(speech[i:i + 160]).decode(), "timestamp": str(i // 8)}}))
    await double.wait_for_received("conversation.item.create", timeout_s=5)
    await phone.close()
    await task
    (output,) = [e.payload["item"] for e in double.received_of("conversation.item.create")]
    assert output["type"] == "function_call_output"
    assert json.loads(output["output"])["error"] == "internal"  # the agent's one failure wording
    assert session.end_reason == "caller_hung_up"


async def test_a_refused_transfer_comes_back_to_the_caller(
        double: OpenAIRealtimeDouble) -> None:
    phone = Phone()
    phone.start()
    phone.inbound.put_nowait(json.dumps({"event": "dtmf", "dtmf": {"digit": "0"}}))
    control = RefusingTransfers()
    session = CallSession(phone, deps(double, call_control=control, can_transfer=True))
    task = asyncio.create_task(run(session))
    for _ in range(200):
        if any("couldn't reach anyone" in s for s in _spoken(double)):
            break
        await asyncio.sleep(0.02)
    await phone.close()
    await task
    assert control.requests == [("transfer", CALL)]
    assert session.setup is not None and session.setup.ctx.digits == ["0"]
    assert any("couldn't reach anyone" in s for s in _spoken(double))


def _spoken(double: OpenAIRealtimeDouble) -> list[str]:
    said = []
    for event in double.received_of("response.create"):
        words = asked_to_say(RealtimeTurn((), "", (), event.payload.get("response") or {}))
        if words:
            said.append(words)
    return said
