"""The OpenAI doubles, driven through the real ``openai`` SDK exactly as the app drives OpenAI."""

from __future__ import annotations

import asyncio
import base64
import io
import itertools
import json
import wave
from collections.abc import Iterator
from typing import Any

import numpy as np
import openai
import pytest
from openai import AsyncOpenAI, OpenAI
from openai.resources.realtime.realtime import AsyncRealtimeConnection
from openai.types.chat import ChatCompletionMessageFunctionToolCall
from websockets.exceptions import ConnectionClosedError, InvalidStatus

from scripts.doubles import openai_audio
from scripts.doubles.openai_http import CutStream, HttpError, HttpStall, OpenAIHttpDouble
from scripts.doubles.openai_http_chat import ChatTurn
from scripts.doubles.openai_realtime import (
    CallTool,
    DropConnection,
    FailResponse,
    OpenAIRealtimeDouble,
    RealtimeTurn,
    RejectHandshake,
    Say,
    SendError,
    Stall,
)

MODEL = "gpt-realtime"
# Typed Any: the SDK's TypedDicts would reject the deliberately wrong shapes used below.
TOOL: Any = {
    "type": "function",
    "name": "check_availability",
    "description": "Find free appointment slots.",
    "parameters": {
        "type": "object",
        "properties": {"date": {"type": "string"}},
        "required": ["date"],
    },
}
SESSION: Any = {
    "type": "realtime",
    "instructions": "You are the receptionist for a dental practice.",
    "output_modalities": ["audio"],
    "audio": {
        "input": {
            "format": {"type": "audio/pcmu"},
            "transcription": {"model": "gpt-4o-transcribe", "language": "en"},
            "turn_detection": {"type": "server_vad", "silence_duration_ms": 500},
        },
        "output": {"format": {"type": "audio/pcmu"}, "voice": "marin"},
    },
    "tools": [TOOL],
}


async def recv_until(
    conn: AsyncRealtimeConnection, event_type: str, timeout_s: float = 2.0
) -> list[Any]:
    """Server events up to and including the first of ``event_type``."""
    events: list[Any] = []

    async def collect() -> None:
        while True:
            events.append(await conn.recv())
            if events[-1].type == event_type:
                return

    await asyncio.wait_for(collect(), timeout_s)
    return events


def of_type(events: list[Any], event_type: str) -> list[Any]:
    return [event for event in events if event.type == event_type]


async def send_audio(conn: AsyncRealtimeConnection, audio: bytes, frame_ms: int = 20) -> None:
    """As a Twilio bridge does: one append per 20 ms media frame."""
    step = frame_ms * 8
    for start in range(0, len(audio), step):
        chunk = base64.b64encode(audio[start : start + step]).decode("ascii")
        await conn.input_audio_buffer.append(audio=chunk)


async def configured(conn: AsyncRealtimeConnection) -> None:
    created = await conn.recv()
    assert created.type == "session.created"
    await conn.session.update(session=SESSION)
    updated = await conn.recv()
    assert updated.type == "session.updated"


def realtime_client(rt: OpenAIRealtimeDouble) -> AsyncOpenAI:
    return AsyncOpenAI(api_key=rt.api_key, base_url=rt.base_url, max_retries=0)


# --- Realtime -----------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_caller_turn_is_detected_transcribed_and_answered_with_audio() -> None:
    async with (
        OpenAIRealtimeDouble(transcripts=["Can I come in Monday?"]) as rt,
        realtime_client(rt) as client,
        client.realtime.connect(model=MODEL) as conn,
    ):
        await configured(conn)
        await send_audio(conn, openai_audio.speech_like(600) + openai_audio.silence(700))
        events = await recv_until(conn, "response.done")

    started, stopped = events[0], of_type(events, "input_audio_buffer.speech_stopped")[0]
    assert started.type == "input_audio_buffer.speech_started"
    assert started.audio_start_ms == 0
    assert stopped.audio_end_ms == 600 + 500  # speech plus the configured silence
    assert of_type(events, "input_audio_buffer.committed")[0].item_id == started.item_id
    assert of_type(events, "conversation.item.added")[0].item.id == started.item_id
    heard = of_type(events, "conversation.item.input_audio_transcription.completed")[0]
    assert heard.transcript == "Can I come in Monday?"

    reply = "You said: Can I come in Monday?"
    deltas = of_type(events, "response.output_audio.delta")
    audio = b"".join(base64.b64decode(delta.delta) for delta in deltas)
    assert len(audio) == openai_audio.spoken_duration_ms(reply) * 8  # μ-law: 8 bytes per ms
    assert {len(base64.b64decode(d.delta)) for d in deltas[:-1]} == {160}  # 20 ms each
    transcript = "".join(d.delta for d in of_type(events, "response.output_audio_transcript.delta"))
    assert transcript == reply
    assert of_type(events, "response.output_audio_transcript.done")[0].transcript == reply
    done = events[-1].response
    assert done.status == "completed"
    assert done.output[0].content[0].transcript == reply

    record = rt.connections[0]
    assert record.model == MODEL
    assert record.headers["authorization"] == "Bearer test-key"
    assert record.config["audio"]["input"]["format"] == {"type": "audio/pcmu"}
    assert len(record.input_audio) == 1300 * 8
    appends = rt.received_of("input_audio_buffer.append")
    assert len(appends) == 65
    assert all(a.at <= b.at for a, b in itertools.pairwise(appends))
    assert rt.errors == []


@pytest.mark.asyncio
async def test_manual_turns_commit_and_clear_without_vad() -> None:
    manual: Any = {**SESSION, "audio": {"input": {"turn_detection": None}}}
    async with (
        OpenAIRealtimeDouble(transcripts=lambda audio: f"{len(audio)} bytes") as rt,
        realtime_client(rt) as client,
        client.realtime.connect(model=MODEL) as conn,
    ):
        await configured(conn)
        await conn.session.update(session=manual)
        await recv_until(conn, "session.updated")
        await send_audio(conn, openai_audio.speech_like(40))
        await conn.input_audio_buffer.commit()
        too_short = (await recv_until(conn, "error"))[-1].error
        await send_audio(conn, openai_audio.speech_like(300))
        await conn.input_audio_buffer.commit()
        events = await recv_until(conn, "conversation.item.input_audio_transcription.completed")
        await send_audio(conn, openai_audio.speech_like(200))
        await conn.input_audio_buffer.clear()
        cleared = await recv_until(conn, "input_audio_buffer.cleared")

    assert too_short.code == "input_audio_buffer_commit_empty"
    assert events[0].type == "input_audio_buffer.committed"  # no VAD events, no response
    assert events[-1].transcript == f"{340 * 8} bytes"  # the whole uncommitted buffer
    assert [e.type for e in cleared] == ["input_audio_buffer.cleared"]
    assert rt.connections[0].config["audio"]["input"]["turn_detection"] is None
    assert rt.connections[0].config["audio"]["input"]["format"] == {"type": "audio/pcmu"}


@pytest.mark.asyncio
async def test_function_call_round_trip() -> None:
    seen: list[RealtimeTurn] = []

    def brain(turn: RealtimeTurn) -> Any:
        seen.append(turn)
        if turn.last_tool_output is not None:
            return Say(f"Free at {json.loads(turn.last_tool_output)['slots'][0]}.")
        return [Say("Let me check."), CallTool("check_availability", {"date": "2026-01-05"})]

    async with (
        OpenAIRealtimeDouble(brain=brain) as rt,
        realtime_client(rt) as client,
        client.realtime.connect(model=MODEL) as conn,
    ):
        await configured(conn)
        text: Any = {"type": "input_text", "text": "Monday please"}
        await conn.conversation.item.create(
            item={"type": "message", "role": "user", "content": [text]}
        )
        await conn.response.create()
        first = await recv_until(conn, "response.done")
        call = of_type(first, "response.function_call_arguments.done")[0]
        pieces = of_type(first, "response.function_call_arguments.delta")
        assert "".join(p.delta for p in pieces) == call.arguments
        assert json.loads(call.arguments) == {"date": "2026-01-05"}
        assert call.name == "check_availability"
        assert [item.type for item in first[-1].response.output] == ["message", "function_call"]
        assert first[-1].response.output[1].call_id == call.call_id

        output = json.dumps({"slots": ["09:30"]})
        await conn.conversation.item.create(
            item={"type": "function_call_output", "call_id": call.call_id, "output": output}
        )
        await conn.response.create()
        second = await recv_until(conn, "response.done")

    assert of_type(second, "response.output_audio_transcript.done")[0].transcript == (
        "Free at 09:30."
    )
    assert seen[1].items[-1]["type"] == "function_call_output"
    assert seen[0].tools[0]["name"] == "check_availability"
    assert seen[0].last_user_text == "Monday please"


@pytest.mark.asyncio
async def test_cancel_then_truncate_is_recorded() -> None:
    long_reply = "Our opening hours are nine to five on weekdays. " * 6
    async with (
        OpenAIRealtimeDouble(brain=lambda turn: Say(long_reply), audio_speed=20.0) as rt,
        realtime_client(rt) as client,
        client.realtime.connect(model=MODEL) as conn,
    ):
        await configured(conn)
        await conn.response.create(response={"instructions": "Greet the caller."})
        events = await recv_until(conn, "response.output_audio.delta")
        item_id = events[-1].item_id
        await conn.response.cancel()
        events = await recv_until(conn, "response.done")
        done = events[-1].response
        assert done.status == "cancelled"
        assert done.status_details.reason == "client_cancelled"
        assert done.output[0].status == "incomplete"

        await conn.conversation.item.truncate(item_id=item_id, content_index=0, audio_end_ms=20)
        truncated = await recv_until(conn, "conversation.item.truncated")
        assert truncated[-1].audio_end_ms == 20
        await conn.conversation.item.truncate(item_id=item_id, content_index=0, audio_end_ms=99_000)
        error = (await recv_until(conn, "error"))[-1]

    assert error.error.param == "audio_end_ms"
    assert [(t.item_id, t.content_index, t.audio_end_ms) for t in rt.truncations] == [
        (item_id, 0, 20)
    ]
    assert rt.received_of("response.create")[0].payload["response"]["instructions"]


@pytest.mark.asyncio
async def test_caller_barging_in_cancels_the_response() -> None:
    async with (
        OpenAIRealtimeDouble(
            brain=lambda turn: Say("A long answer. " * 20), audio_speed=20.0
        ) as rt,
        realtime_client(rt) as client,
        client.realtime.connect(model=MODEL) as conn,
    ):
        await configured(conn)
        await conn.response.create()
        await recv_until(conn, "response.output_audio.delta")
        await send_audio(conn, openai_audio.speech_like(100))
        events = await recv_until(conn, "response.done")

    assert of_type(events, "input_audio_buffer.speech_started")
    assert events[-1].response.status == "cancelled"
    assert events[-1].response.status_details.reason == "turn_detected"
    assert rt.errors == []


@pytest.mark.asyncio
async def test_injected_disconnect_raises_in_the_sdk() -> None:
    async with (
        OpenAIRealtimeDouble() as rt,
        realtime_client(rt) as client,
        client.realtime.connect(model=MODEL) as conn,
    ):
        await configured(conn)
        rt.inject(DropConnection(after_audio_chunks=2))
        await conn.response.create()
        with pytest.raises(ConnectionClosedError) as closed:
            async for _event in conn:
                pass
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1011
    assert len(rt.sent_of("response.output_audio.delta")) == 2


@pytest.mark.asyncio
async def test_failed_refused_and_stalled_responses() -> None:
    async with (
        OpenAIRealtimeDouble() as rt,
        realtime_client(rt) as client,
        client.realtime.connect(model=MODEL) as conn,
    ):
        await configured(conn)
        rt.inject(FailResponse())
        await conn.response.create()
        failed = (await recv_until(conn, "response.done"))[-1].response
        assert failed.status == "failed"
        assert failed.status_details.error.type == "server_error"

        rt.inject(SendError(message="overloaded"))
        await conn.response.create()
        refused = await recv_until(conn, "error")
        assert [e.type for e in refused] == ["error"]
        assert refused[0].error.message == "overloaded"

        rt.inject(Stall())
        await conn.response.create()
        await recv_until(conn, "response.created")
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(conn.recv(), 0.1)
        await conn.response.cancel()
        done = (await recv_until(conn, "response.done"))[-1].response
        assert done.status == "cancelled"

        rt.brain = lambda turn: CallTool("not_declared")  # a script bug, reported as such
        await conn.response.create()
        broken = (await recv_until(conn, "response.done"))[-1].response
        assert broken.status_details.error.code == "double_brain_error"
        assert isinstance(rt.errors.pop(), LookupError)


@pytest.mark.asyncio
async def test_protocol_errors_come_back_as_error_events() -> None:
    async with (
        OpenAIRealtimeDouble(brain=lambda turn: Say("Hello there. " * 10), audio_speed=20.0) as rt,
        realtime_client(rt) as client,
        client.realtime.connect(model=MODEL) as conn,
    ):
        await configured(conn)
        unknown_event: Any = {"type": "no.such.event", "event_id": "evt_client_1"}
        await conn.send(unknown_event)
        unknown = (await recv_until(conn, "error"))[-1].error
        assert (unknown.code, unknown.param, unknown.event_id) == (
            "invalid_value",
            "type",
            "evt_client_1",
        )

        # A beta-era field: the GA server rejects it rather than ignoring it.
        beta_session: Any = {"type": "realtime", "input_audio_format": "g711_ulaw"}
        await conn.session.update(session=beta_session)
        beta = (await recv_until(conn, "error"))[-1].error
        assert beta.code == "unknown_parameter"
        assert beta.param == "session.input_audio_format"

        await conn.response.create()
        await recv_until(conn, "response.created")
        await conn.response.create()
        busy = (await recv_until(conn, "error"))[-1].error
        assert busy.code == "conversation_already_has_active_response"
        await conn.response.cancel()
        await recv_until(conn, "response.done")
        await conn.response.cancel()
        idle = (await recv_until(conn, "error"))[-1].error
        assert idle.code == "response_cancel_not_active"


@pytest.mark.asyncio
async def test_handshake_refusals_raise_invalid_status() -> None:
    async with OpenAIRealtimeDouble() as rt:
        async with AsyncOpenAI(api_key="wrong", base_url=rt.base_url, max_retries=0) as client:
            with pytest.raises(InvalidStatus) as bad_key:
                async with client.realtime.connect(model=MODEL):
                    pass
        rt.inject(RejectHandshake(503))
        async with realtime_client(rt) as client:
            with pytest.raises(InvalidStatus) as unavailable:
                async with client.realtime.connect(model=MODEL):
                    pass
    assert bad_key.value.response.status_code == 401
    assert unavailable.value.response.status_code == 503
    assert [c.status for c in rt.connections] == [401, 503]


# The SDK's sync client calls websockets.sync.client.connect() outside a `with`, which
# websockets 17.1+ deprecates; that is the SDK's business, not the double's.
@pytest.mark.filterwarnings("ignore:connect\\(\\) must be used as a context manager")
def test_threaded_double_serves_the_sync_client() -> None:
    with OpenAIRealtimeDouble() as rt:
        client = OpenAI(api_key=rt.api_key, base_url=rt.base_url, max_retries=0)
        with client.realtime.connect(model=MODEL) as conn:
            assert conn.recv().type == "session.created"
            conn.response.create(response={"instructions": "Greet the caller."})
            events: list[Any] = []
            while not events or events[-1].type != "response.done":
                events.append(conn.recv())
        client.close()
        rt.wait_for_received_sync("response.create")
    transcript = of_type(events, "response.output_audio_transcript.done")[0].transcript
    assert transcript == "Hello, thanks for calling. How can I help?"
    # The default session is PCM16 at 24 kHz: 48 bytes per ms.
    audio = b"".join(
        base64.b64decode(e.delta) for e in of_type(events, "response.output_audio.delta")
    )
    assert len(audio) == openai_audio.spoken_duration_ms(transcript) * 48


# --- HTTP: Chat Completions ---------------------------------------------------------------

CHAT_TOOL: Any = {
    "type": "function",
    "function": {
        "name": TOOL["name"],
        "description": "Find free slots",
        "parameters": TOOL["parameters"],
    },
}


def booking_brain(turn: ChatTurn) -> Any:
    if turn.tool_outputs:
        return Say(f"We have {json.loads(turn.tool_outputs[0])['slots'][0]} free.")
    return CallTool("check_availability", {"date": "2026-01-05"}, call_id="call_1")


def http_client(api: OpenAIHttpDouble, **options: Any) -> AsyncOpenAI:
    return AsyncOpenAI(api_key=api.api_key, base_url=api.base_url, **{"max_retries": 0, **options})


@pytest.fixture(scope="module")
def http_double() -> Iterator[OpenAIHttpDouble]:
    with OpenAIHttpDouble() as double:
        yield double


@pytest.fixture
def api(http_double: OpenAIHttpDouble) -> Iterator[OpenAIHttpDouble]:
    http_double.reset(brain=booking_brain, transcripts=["Monday at ten, please."])
    yield http_double
    assert http_double.errors == []


@pytest.mark.asyncio
async def test_chat_completion_with_tool_call_round_trip(api: OpenAIHttpDouble) -> None:
    messages: list[Any] = [{"role": "user", "content": "Anything Monday?"}]
    async with http_client(api) as client:
        first = await client.chat.completions.create(
            model="gpt-4o-mini", messages=messages, tools=[CHAT_TOOL]
        )
        choice = first.choices[0]
        assert choice.finish_reason == "tool_calls"
        assert choice.message.tool_calls
        call = choice.message.tool_calls[0]
        assert isinstance(call, ChatCompletionMessageFunctionToolCall)
        assert (call.id, call.function.name) == ("call_1", "check_availability")
        assert json.loads(call.function.arguments) == {"date": "2026-01-05"}

        messages += [
            choice.message.model_dump(exclude_none=True),
            {"role": "tool", "tool_call_id": call.id, "content": json.dumps({"slots": ["10:00"]})},
        ]
        second = await client.chat.completions.create(
            model="gpt-4o-mini", messages=messages, tools=[CHAT_TOOL]
        )
    assert second.choices[0].finish_reason == "stop"
    assert second.choices[0].message.content == "We have 10:00 free."
    assert [r.json["messages"][-1]["role"] for r in api.requests_to("/v1/chat/completions")] == [
        "user",
        "tool",
    ]


@pytest.mark.asyncio
async def test_streamed_chat_reassembles_tool_call_and_text(api: OpenAIHttpDouble) -> None:
    api.brain = lambda turn: [
        Say("One moment."),
        CallTool("check_availability", {"date": "2026-01-05"}),
    ]
    calls: dict[int, dict[str, str]] = {}
    text, finish, usage = "", None, None
    async with http_client(api) as client:
        stream = await client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "Monday?"}],
            tools=[CHAT_TOOL],
            stream=True,
            stream_options={"include_usage": True},
        )
        async for chunk in stream:
            usage = chunk.usage or usage
            for choice in chunk.choices:
                text += choice.delta.content or ""
                finish = choice.finish_reason or finish
                for tc in choice.delta.tool_calls or []:
                    c = calls.setdefault(tc.index, {"id": "", "name": "", "arguments": ""})
                    c["id"] = tc.id or c["id"]
                    if tc.function and tc.function.name:
                        c["name"] = tc.function.name
                    if tc.function and tc.function.arguments:
                        c["arguments"] += tc.function.arguments
    assert text == "One moment."
    assert finish == "tool_calls"
    assert calls[0]["name"] == "check_availability"
    assert calls[0]["id"].startswith("call_")
    assert json.loads(calls[0]["arguments"]) == {"date": "2026-01-05"}
    assert usage is not None and usage.total_tokens > 0


@pytest.mark.asyncio
async def test_chat_rejects_what_the_real_api_rejects(api: OpenAIHttpDouble) -> None:
    async with http_client(api) as client:
        with pytest.raises(openai.BadRequestError) as orphan:
            await client.chat.completions.create(
                model="gpt-4o-mini",
                messages=[
                    {"role": "user", "content": "hi"},
                    {"role": "tool", "tool_call_id": "x", "content": "{}"},
                ],
            )
        with pytest.raises(openai.BadRequestError) as flat:
            await client.chat.completions.create(
                model="gpt-4o-mini",
                messages=[{"role": "user", "content": "hi"}],
                tools=[TOOL],
            )
        wrong_key = AsyncOpenAI(api_key="nope", base_url=api.base_url, max_retries=0)
        with pytest.raises(openai.AuthenticationError):
            await wrong_key.chat.completions.create(
                model="m", messages=[{"role": "user", "content": "hi"}]
            )
        await wrong_key.close()
    assert "role 'tool'" in orphan.value.message
    assert flat.value.param == "tools[0].function"


@pytest.mark.asyncio
async def test_a_broken_chat_script_fails_loudly_and_once(api: OpenAIHttpDouble) -> None:
    api.brain = lambda turn: CallTool("not_declared")
    async with http_client(api, max_retries=2) as client:
        with pytest.raises(openai.InternalServerError) as failed:
            await client.chat.completions.create(
                model="m", messages=[{"role": "user", "content": "hi"}]
            )
    assert "not_declared" in failed.value.message
    assert len(api.requests) == 1  # x-should-retry: false
    assert isinstance(api.errors.pop(), LookupError)


@pytest.mark.asyncio
async def test_injected_http_faults(api: OpenAIHttpDouble) -> None:
    hello: Any = [{"role": "user", "content": "hi"}]
    api.brain = lambda turn: Say("Hello there, how can I help you today?")
    async with http_client(api, max_retries=1) as client:
        api.inject(HttpError(429, retry_after_s=0.05), path="/v1/chat/completions")
        ok = await client.chat.completions.create(model="m", messages=hello)
        assert ok.choices[0].message.content
        assert [r.status for r in api.requests_to("/v1/chat/completions")] == [429, 200]

    async with http_client(api) as client:
        api.inject(HttpError(500))
        with pytest.raises(openai.InternalServerError):
            await client.chat.completions.create(model="m", messages=hello)

    async with http_client(api, timeout=0.1) as client:
        api.inject(HttpStall(5.0))
        with pytest.raises(openai.APITimeoutError):
            await client.chat.completions.create(model="m", messages=hello)

    async with http_client(api) as client:
        api.inject(CutStream(after_chunks=2))
        stream = await client.chat.completions.create(model="m", messages=hello, stream=True)
        received = []
        with pytest.raises(openai.APIConnectionError):
            async for chunk in stream:
                received.append(chunk)
        assert len(received) == 2


# --- HTTP: audio and embeddings -----------------------------------------------------------


def wav_bytes(pcm: bytes, rate_hz: int) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate_hz)
        wav.writeframes(pcm)
    return out.getvalue()


@pytest.mark.asyncio
async def test_transcription_returns_the_scripted_text(api: OpenAIHttpDouble) -> None:
    pcm = openai_audio.encode(
        openai_audio.decode(openai_audio.speech_like(800), "audio/pcmu"), "audio/pcm"
    )
    async with http_client(api) as client:
        result = await client.audio.transcriptions.create(
            file=("turn.wav", wav_bytes(pcm, 8000), "audio/wav"),
            model="gpt-4o-transcribe",
            language="en",
        )
        with pytest.raises(openai.BadRequestError):
            await client.audio.transcriptions.create(
                file=("turn.wav", openai_audio.speech_like(800), "audio/wav"),
                model="gpt-4o-transcribe",
            )
    assert result.text == "Monday at ten, please."
    sent = api.requests_to("/v1/audio/transcriptions")[0]
    assert sent.form["model"] == "gpt-4o-transcribe"
    assert sent.form["language"] == "en"
    assert sent.files["file"].filename == "turn.wav"


@pytest.mark.asyncio
async def test_speech_is_pcm_whose_length_follows_the_text(api: OpenAIHttpDouble) -> None:
    text = "Your appointment is booked for Monday at ten."
    async with http_client(api) as client:
        async with client.audio.speech.with_streaming_response.create(
            model="gpt-4o-mini-tts", voice="coral", input=text, response_format="pcm"
        ) as response:
            pcm = b"".join([chunk async for chunk in response.iter_bytes(4800)])
        wav = await client.audio.speech.create(
            model="gpt-4o-mini-tts", voice="coral", input=text, response_format="wav"
        )
    assert len(pcm) == openai_audio.spoken_duration_ms(text) * 48  # 24 kHz × 2 bytes
    with wave.open(io.BytesIO(wav.read())) as parsed:
        assert (parsed.getframerate(), parsed.getsampwidth(), parsed.getnchannels()) == (
            24000,
            2,
            1,
        )
        assert parsed.getnframes() * 2 == len(pcm)
    assert api.requests_to("/v1/audio/speech")[0].json["voice"] == "coral"


@pytest.mark.asyncio
async def test_embeddings_are_deterministic_and_word_sensitive(api: OpenAIHttpDouble) -> None:
    texts = [
        "What are your opening hours?",
        "When are you open? Opening hours please",
        "Do you accept insurance?",
    ]
    async with http_client(api) as client:
        result = await client.embeddings.create(model="text-embedding-3-small", input=texts)
        again = await client.embeddings.create(
            model="text-embedding-3-small", input=texts[0], encoding_format="float"
        )
        small = await client.embeddings.create(
            model="text-embedding-3-small", input="hours", dimensions=32
        )
    vectors = np.array([item.embedding for item in result.data])
    assert vectors.shape == (3, 256)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.allclose(vectors[0], again.data[0].embedding, atol=1e-6)
    assert vectors[0] @ vectors[1] > 0.5 > abs(vectors[0] @ vectors[2])
    assert len(small.data[0].embedding) == 32
    # The SDK asks for base64 unless told otherwise; the double honours both.
    assert api.requests_to("/v1/embeddings")[0].json["encoding_format"] == "base64"
