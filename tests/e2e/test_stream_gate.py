"""The media stream's gate and its robustness: tokens, signatures, garbage on the wire."""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
from typing import Any

import pytest
from sqlalchemy import select
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from receptionist.agent.models import CallSummary
from receptionist.call import parse_twiml
from receptionist.core import WebhookSigner
from scripts.doubles.openai_realtime import OpenAIRealtimeDouble
from scripts.doubles.openai_realtime import Say as ModelSays
from tests.support.calls import call_params, new_call_sid
from tests.support.voice import VoiceFactory, VoiceWorld, asked_to_say

pytestmark = pytest.mark.slow


async def start_call(world: VoiceWorld) -> tuple[str, str, str]:
    """The incoming-call webhook, signed: (call_sid, stream URL, token)."""
    settings = world.server.settings
    signer = WebhookSigner(settings.webhook_auth_token(), settings.public_url)
    call_sid = new_call_sid()
    params = call_params(call_sid)
    async with asyncio.timeout(10):
        import httpx

        async with httpx.AsyncClient(base_url=world.server.url) as http:
            response = await http.post("/twilio/voice", data=params, headers={
                "X-Twilio-Signature": signer.sign(signer.url_for("/twilio/voice"), params)})
    doc = parse_twiml(response.text)
    assert doc.stream_url is not None, response.text
    assert "?" not in doc.stream_url  # Twilio drops a query string on stream URLs
    return call_sid, doc.stream_url, doc.parameters["token"]


def start_frame(call_sid: str, **params: str) -> str:
    stream = "MZ" + secrets.token_hex(16)
    return json.dumps({"event": "start", "sequenceNumber": "1", "streamSid": stream, "start": {
        "accountSid": "AC" + "d0" * 16, "streamSid": stream, "callSid": call_sid,
        "tracks": ["inbound"], "customParameters": params,
        "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}}})


def media_frame(n: int, payload: bytes = b"\xff" * 160) -> str:
    return json.dumps({"event": "media", "sequenceNumber": str(n + 2), "media": {
        "track": "inbound", "chunk": str(n), "timestamp": str(n * 20),
        "payload": base64.b64encode(payload).decode()}})


async def closed_code(ws: ClientConnection, timeout_s: float = 5.0) -> int | None:
    """Read until the server closes; the close code (None: still open)."""
    try:
        async with asyncio.timeout(timeout_s):
            async for _ in ws:
                pass
    except TimeoutError:
        return None
    except ConnectionClosed:
        pass
    return ws.close_code


async def realtime_world(voice: VoiceFactory, double: OpenAIRealtimeDouble) -> VoiceWorld:
    double.brain = lambda turn: ModelSays(asked_to_say(turn) or "Sure.")
    return await voice(voice_engine="realtime", openai_api_key=double.api_key,
                       openai_base_url=double.base_url)


@pytest.mark.parametrize(("token", "db_url"), [
    ("forged", "sqlite"), ("missing", "sqlite"), ("other call", "sqlite"), ("reused", "sqlite"),
    ("reused", "postgres")], indirect=["db_url"])
async def test_a_stream_without_a_valid_token_is_closed_before_any_model_connection(
        voice: VoiceFactory, realtime: OpenAIRealtimeDouble, token: str) -> None:
    world = await realtime_world(voice, realtime)
    call_sid, url, good = await start_call(world)
    params: dict[str, Any] = {
        "forged": {"token": secrets.token_urlsafe(32)}, "missing": {},
        "other call": {"token": (await start_call(world))[2]}, "reused": {"token": good},
    }[token]
    if token == "reused":  # a first, legitimate stream spends the token
        async with connect(url) as first:
            await first.send(start_frame(call_sid, token=good))
            await first.recv()  # the greeting is playing
            await first.send(json.dumps({"event": "stop", "stop": {"callSid": call_sid}}))
            assert await closed_code(first) == 1000
        await asyncio.sleep(0.2)
        connections = len(realtime.connections)
    else:
        connections = 0
    async with connect(url) as ws:
        await ws.send('{"event":"connected","protocol":"Call","version":"1.0.0"}')
        await ws.send(start_frame(call_sid, **params))
        for n in range(5):  # audio the server must not read, let alone forward
            try:
                await ws.send(media_frame(n))
            except ConnectionClosed:
                break
        assert await closed_code(ws) == 1008
    assert len(realtime.connections) == connections  # no new model connection
    assert not [e for e in realtime.received_of("input_audio_buffer.append")
                if e.connection_id >= connections]


async def test_a_bad_upgrade_signature_is_refused(voice: VoiceFactory,
                                                  realtime: OpenAIRealtimeDouble) -> None:
    world = await realtime_world(voice, realtime)
    _, url, _ = await start_call(world)
    with pytest.raises(InvalidStatus) as refused:
        async with connect(url, additional_headers={"X-Twilio-Signature": "bm9wZQ=="}):
            pass
    assert refused.value.response.status_code == 403


async def test_garbage_before_start_closes_the_stream(voice: VoiceFactory,
                                                      realtime: OpenAIRealtimeDouble) -> None:
    world = await realtime_world(voice, realtime)
    _, url, _ = await start_call(world)
    async with connect(url) as ws:
        for junk in ["not json", b"\x00\x01binary", '{"event":"media"}', "[]"] * 6:
            await ws.send(junk)
        assert await closed_code(ws) == 1008
    assert realtime.connections == []


async def test_malformed_frames_mid_call_are_ignored(voice: VoiceFactory,
                                                     realtime: OpenAIRealtimeDouble) -> None:
    world = await realtime_world(voice, realtime)
    call_sid, url, token = await start_call(world)
    junk = ["{", "[1,2]", '{"event":"media","media":{"payload":"***"}}', b"\xff\xfe",
            '{"event":"mark","mark":{"name":7}}', '{"event":"dtmf","dtmf":{"digit":"xx"}}',
            '{"event":"teleport"}', start_frame(call_sid, token=token), "x" * 70_000,
            '{"event":"media","media":{"payload":"AAAA","track":"outbound"}}']
    async with connect(url, max_size=2**20) as ws:
        await ws.send(start_frame(call_sid, token=token))
        received: list[dict[str, Any]] = []
        for n in range(40):
            await ws.send(junk[n % len(junk)] if n % 4 == 0 else media_frame(n))
            try:
                while True:
                    received.append(json.loads(await asyncio.wait_for(ws.recv(), 0.01)))
            except TimeoutError:
                pass
        marks = [m["mark"]["name"] for m in received if m["event"] == "mark"]
        assert any(m["event"] == "media" for m in received) and marks
        for name in marks:  # the call still works: echo the marks as Twilio would
            await ws.send(json.dumps({"event": "mark", "mark": {"name": name}}))
        await ws.send(json.dumps({"event": "stop", "stop": {"callSid": call_sid}}))
        assert await closed_code(ws) is not None
    await asyncio.sleep(0.5)
    async with world.db.transaction() as session:
        summary = (await session.execute(select(CallSummary).where(
            CallSummary.call_sid == call_sid))).scalar_one()
    assert summary.end_reason == "caller_hung_up"
    assert len(realtime.received_of("input_audio_buffer.append")) == 30  # the good frames
