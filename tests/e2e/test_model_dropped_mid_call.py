"""The model provider dropping mid-call: the OpenAI Realtime double closes its WebSocket in the
middle of a reply. The call reconnects with the conversation so far, tells the caller it lost
them for a moment and carries on; the caller is not left in silence, and no text-back follows
(the call had a conversation). The path where the reconnect fails too is
``test_calls_realtime::test_model_lost_mid_call_takes_a_message_and_texts_the_caller``."""

from __future__ import annotations

from typing import Any

import pytest

from receptionist.call import Say
from receptionist.call.policy import SpokenTexts
from scripts.doubles.factories import CALLER
from scripts.doubles.openai_realtime import DropConnection, OpenAIRealtimeDouble, RealtimeTurn
from scripts.doubles.openai_realtime import Say as ModelSays
from tests.support.voice import VoiceFactory, asked_to_say

pytestmark = pytest.mark.slow

QUESTION = "My kitchen sink is leaking"
ANSWER = "We can send a plumber for that today."


async def test_model_dropped_mid_reply_reconnects_and_the_call_goes_on(
        voice: VoiceFactory, realtime: OpenAIRealtimeDouble) -> None:
    def brain(turn: RealtimeTurn) -> Any:
        words = asked_to_say(turn)
        if words and turn.response.get("metadata", {}).get("purpose") == "greeting":
            realtime.inject(DropConnection(after_audio_chunks=3))  # cut the next reply short
        return ModelSays(words or ANSWER)

    realtime.brain = brain
    realtime.transcripts.extend([QUESTION, QUESTION])
    world = await voice(voice_engine="realtime", openai_api_key=realtime.api_key,
                        openai_base_url=realtime.base_url)
    call = await world.call(Say(QUESTION), Say(QUESTION))

    assert call.ended_by == "caller"  # the caller finished the call, not the fault
    first, second, *rest = realtime.connections
    assert first.close_code == 1011 and second.status == 101 and rest == []
    # The reconnect carries the conversation: the new session knows what was said.
    assert any(QUESTION in str(item) for item in second.items)
    turns = await world.stored_turns(call.call_sid)
    agent = [text for role, text in turns if role == "agent"]
    recovered = SpokenTexts().recovered
    assert recovered in agent, turns
    assert agent[-1] == ANSWER, turns  # asked again, answered in full
    # Silence the caller sat through: the socket's close to the first audio of the new session.
    assert first.closed_at is not None
    audio_after = [e.at for e in realtime.sent_of("response.output_audio.delta")
                   if e.connection_id == second.id]
    silence_s = min(audio_after) - first.closed_at
    assert silence_s < 3.0
    report = await world.report(call)
    assert report.outcome == "handled_by_ai"
    assert world.texts_to(CALLER) == []  # no text-back, no "we were cut off" text
    print(f"model socket dropped mid-reply; reconnected, caller heard the apology "
          f"{silence_s * 1000:.0f} ms after the drop")
