"""Whole calls on the realtime engine, against the local OpenAI Realtime double."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from sqlalchemy import select

from receptionist.agent.models import AgentMessage, CallSummary
from receptionist.call import Pause, Say, SimulatedCall
from scripts.doubles.factories import BUSINESS_NUMBER, CALLER, OWNER_PHONE, TEAM_PHONE
from scripts.doubles.openai_realtime import (
    CallTool,
    DropConnection,
    OpenAIRealtimeDouble,
    RealtimeTurn,
    RejectHandshake,
)
from scripts.doubles.openai_realtime import Say as ModelSays
from tests.support.voice import BOTH_DATABASES, VoiceFactory, VoiceWorld, asked_to_say

pytestmark = pytest.mark.slow

LONG_ANSWER = ("We do drain cleaning, water heater repair and installation, leak detection, "
               "sewer line inspections with a camera, toilet and faucet repair, garbage "
               "disposal installs, sump pumps, repiping of old houses, gas line work, and "
               "emergency call-outs any time of the day or night, all year round.")


def receptionist_brain(turn: RealtimeTurn) -> Any:
    words = asked_to_say(turn)
    if words:
        return ModelSays(words)
    if turn.last_tool_output is not None:
        return ModelSays("Done.")
    heard = (turn.last_user_text or "").lower()
    if "services" in heard:
        return ModelSays(LONG_ANSWER)
    if "person" in heard:
        return [ModelSays("Let me connect you."),
                CallTool("transfer_to_human", {"reason": "the caller asked for a person"})]
    return ModelSays("Sure, we can help with that.")


async def realtime_world(voice: VoiceFactory, double: OpenAIRealtimeDouble,
                         **overrides: Any) -> VoiceWorld:
    double.brain = receptionist_brain
    return await voice(voice_engine="realtime", openai_api_key=double.api_key,
                       openai_base_url=double.base_url, **overrides)


async def test_barge_in_clears_and_truncates_at_what_was_heard(
        voice: VoiceFactory, realtime: OpenAIRealtimeDouble) -> None:
    world = await realtime_world(voice, realtime)
    realtime.script.audio_speed = 4.0  # the long answer is still being generated when cut
    realtime.transcripts.extend(["Tell me about your services", "Stop, I just need the hours"])
    call = await world.call(Say("Tell me about your services"),
                            Say("Stop, I just need the hours", barge_in_after_ms=1500))
    line = call.lines[0]
    assert line.first_audio_s is not None and line.first_audio_s < 0.5  # the greeting
    assert len(line.clears) == 1
    (truncation,) = realtime.truncations
    heard_ms = line.clears[0].played_ms
    assert 1500 <= heard_ms
    # What the model is told was heard matches what the caller heard, to within a mark.
    assert abs(truncation.audio_end_ms - heard_ms) <= 150, (truncation, heard_ms)
    item = next(i for i in realtime.connections[0].items if i["id"] == truncation.item_id)
    assert item["role"] == "assistant"
    assert truncation.audio_end_ms <= realtime.connections[0].session.conversation.audio_ms[
        truncation.item_id]
    cancelled = [e.payload["response"] for e in realtime.sent_of("response.done")
                 if e.payload["response"]["status"] == "cancelled"]
    assert len(cancelled) == 1  # the reply in flight stopped (server VAD or our cancel)
    assert realtime.received_of("response.cancel")
    assert not [e for e in realtime.sent_of("error")
                if e.payload["error"].get("code") not in ("response_cancel_not_active",)]
    assert realtime.errors == []


async def test_a_transfer_nobody_answers_brings_the_caller_back(
        voice: VoiceFactory, realtime: OpenAIRealtimeDouble) -> None:
    world = await realtime_world(voice, realtime)
    realtime.transcripts.extend(["Can I talk to a person?"])
    call = await world.call(Say("Can I talk to a person?"), Pause(8))
    assert call.transferred and len(call.lines) == 2
    (update,) = world.twilio.call(call.call_sid).updates
    assert "<Dial" in update["Twiml"] and OWNER_PHONE in update["Twiml"]
    outputs = [e.payload["item"] for e in realtime.received_of("conversation.item.create")
               if e.payload["item"]["type"] == "function_call_output"]
    assert outputs, "the tool's result went back to the model"
    resumed = [asked_to_say_text for asked_to_say_text in _spoken_requests(realtime)
               if "pick up" in asked_to_say_text]
    assert resumed, "the second stream told the caller nobody answered"
    report = await world.report(call)
    assert report.outcome == "handled_by_ai"
    assert world.texts_to(CALLER) == []


def _spoken_requests(double: OpenAIRealtimeDouble) -> list[str]:
    texts = []
    for event in double.received_of("response.create"):
        turn = RealtimeTurn((), "", (), event.payload.get("response") or {})
        said = asked_to_say(turn)
        if said:
            texts.append(said)
    return texts


async def test_model_lost_mid_call_takes_a_message_and_texts_the_caller(
        voice: VoiceFactory, realtime: OpenAIRealtimeDouble) -> None:
    world = await realtime_world(voice, realtime)

    def brain(turn: RealtimeTurn) -> Any:
        if asked_to_say(turn) and turn.response.get("metadata", {}).get("purpose") \
                == "greeting":
            realtime.inject(DropConnection(after_audio_chunks=3))  # the caller's answer
            realtime.inject(RejectHandshake(503))  # and the reconnect
        return receptionist_brain(turn)

    realtime.brain = brain
    realtime.transcripts.extend(["My kitchen sink is leaking"])
    call = await world.call(Say("My kitchen sink is leaking"), Pause(10))
    assert call.ended_by == "agent"
    *_, (role, last) = await world.stored_turns(call.call_sid)
    assert role == "agent" and "technical trouble" in last and "text" in last
    async with world.db.transaction() as session:
        message = (await session.execute(select(AgentMessage).where(
            AgentMessage.call_sid == call.call_sid))).scalar_one()
        summary = (await session.execute(select(CallSummary).where(
            CallSummary.call_sid == call.call_sid))).scalar_one()
    assert message.kind == "callback_request" and "sink" in message.reason
    assert summary.degraded
    assert await world.wait_texts(TEAM_PHONE, 1)
    (to_caller,) = await world.wait_texts(CALLER, 1)
    assert "cut off" in to_caller.body
    report = await world.report(call)
    assert report.outcome == "handled_by_ai"  # the greeting was heard: never a text-back


@pytest.mark.parametrize("db_url", BOTH_DATABASES, indirect=True)
async def test_fifty_calls_at_once(voice: VoiceFactory,
                                   realtime: OpenAIRealtimeDouble) -> None:
    # The server runs in its own process, as in production: here the doubles and 50 simulated
    # phones already keep this process's interpreter busy.
    world = await realtime_world(voice, realtime, own_process=True)
    realtime.transcripts._compute = lambda audio: "I need a plumber"  # every caller's words
    simulator = world.simulator(speed=1.0, quiet_s=0.6, timeout_s=60)

    async def caller(n: int) -> SimulatedCall:
        await asyncio.sleep(n * 0.02)  # calls arrive over a second, not in the same instant
        return await simulator.call(to=BUSINESS_NUMBER, from_=CALLER,
                                    script=[Say("I need a plumber tomorrow")])

    calls = await asyncio.gather(*(caller(n) for n in range(50)))
    assert len({c.call_sid for c in calls}) == 50
    assert all(c.ended_by == "caller" for c in calls)
    assert all(c.lines[0].first_audio_s is not None for c in calls)
    deadline = time.monotonic() + 20  # each call's record is stored as its stream closes
    while True:
        async with world.db.transaction() as session:
            summaries = (await session.execute(select(CallSummary))).scalars().all()
        if len(summaries) == 50 or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    assert len(summaries) == 50 and not any(s.degraded for s in summaries)
    reports = [await world.report(c) for c in calls]
    assert {r.outcome for r in reports} == {"handled_by_ai"}
    assert len(realtime.connections) == 50 and realtime.errors == []
