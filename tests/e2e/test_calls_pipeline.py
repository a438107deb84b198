"""Whole calls on a fresh install's engine: local VAD, Whisper, eSpeak and the local brain."""

from __future__ import annotations

import asyncio

import pytest

from receptionist.call import Pause, Press, Say
from receptionist.core import FixedClock
from scripts.doubles.factories import CALLER, OWNER_PHONE, TEAM_PHONE
from scripts.doubles.openai_http import HttpError, OpenAIHttpDouble
from scripts.doubles.site_server import FixtureSite
from tests.agent.world import MONDAY_9AM, SERVICES, site
from tests.support.voice import BOTH_DATABASES, VoiceFactory

__all__ = ["site"]

pytestmark = pytest.mark.slow


async def test_a_fresh_install_answers_books_and_hangs_up(
        voice: VoiceFactory, site: FixtureSite) -> None:
    """Greeting within 500 ms, the website's hours, a booking in Radicale with texts to the
    caller and the team, a goodbye and a hang-up — with no API key at all."""
    world = await voice(clock=FixedClock(MONDAY_9AM), website=site.base + "/",
                        bookable=SERVICES)
    # At 6x speed a reply's sentence plays in a sixth of its length, so on a loaded machine the
    # next sentence can still be in synthesis when the last one has played: a caller who took
    # that gap for the end of the reply would talk over it. This caller waits a full second.
    call = await world.call(
        Say("What are your hours on Saturday?"), Say("I need a drain cleaning."),
        Say("Whenever you can, the first opening."), Say("The first one is fine."),
        Say("My name is John Smith."), Say("Yes."), Say("That's all. Thank you. Bye."),
        speed=6.0, quiet_s=1.0)
    # A bound, not a benchmark: a loaded machine takes longer than a quiet one.
    assert call.lines[0].first_audio_s is not None and call.lines[0].first_audio_s < 2.0
    assert call.ended_by == "agent"  # it said goodbye and hung up
    turns = await world.stored_turns(call.call_sid)
    agent = [text for role, text in turns if role == "agent"]
    assert "Saturday, 9 am to 2 pm" in agent[1], turns  # the fixture site's hours
    assert agent[-1].startswith("Thanks for calling Harbor City Plumbing")
    report = await world.report(call)
    assert report.outcome == "handled_by_ai"
    (booking,) = report.bookings
    assert (booking["service"], booking["name"], booking["status"]) == \
        ("Drain cleaning", "John Smith", "booked")
    (confirmation,) = await world.wait_texts(CALLER, 1)
    assert "Drain cleaning" in confirmation.body  # and no text-back: the call was handled
    (team,) = await world.wait_texts(TEAM_PHONE, 1)
    assert "John Smith" in team.body
    calendar = world.server.state.calendar
    (booked,) = await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(
        calendar.bookings(world.business_id, CALLER), world.server.loop))
    assert booked.uid and booked.call_sid == call.call_sid  # the event is in Radicale


@pytest.mark.parametrize("db_url", BOTH_DATABASES, indirect=True)
async def test_hanging_up_before_the_greeting_is_a_missed_call_texted_once(
        voice: VoiceFactory) -> None:
    world = await voice()
    call = await world.call(hang_up_before_greeting=True)
    report = await world.report(call)
    assert (report.outcome, report.missed_reason) == ("missed", "hung_up_before_greeting")
    texts = await world.wait_texts(CALLER, 1)
    assert len(texts) == 1 and "Greenfield Plumbing" in texts[0].body


async def test_silence_gets_a_prompt_then_a_goodbye(voice: VoiceFactory) -> None:
    world = await voice(silence_timeout_s=0.6)
    call = await world.call(Pause(20))  # a caller who never speaks
    assert call.ended_by == "agent"
    turns = [text for role, text in await world.stored_turns(call.call_sid) if role == "agent"]
    assert turns[1:] == ["Are you still there?",
                         "I'll let you go for now. Thanks for calling, goodbye!"]
    assert [u.get("Status") for u in world.twilio.call(call.call_sid).updates] == ["completed"]


async def test_pressing_zero_transfers_and_an_unanswered_transfer_comes_back(
        voice: VoiceFactory) -> None:
    world = await voice()
    call = await world.call(Press("0"), Pause(10), speed=5.0)
    assert call.transferred
    (update,) = world.twilio.call(call.call_sid).updates
    assert "<Dial" in update["Twiml"] and OWNER_PHONE in update["Twiml"]
    assert "/twilio/voice/transfer" in update["Twiml"]
    assert len(call.lines) == 2  # the caller came back to the AI
    stored = [text for role, text in await world.stored_turns(call.call_sid) if role == "agent"]
    assert "connecting you to the team" in stored[-1]
    assert call.lines[1].agent_audio_ms > 3000  # "Sorry, nobody could pick up just now. …"
    report = await world.report(call)
    assert report.outcome == "handled_by_ai"
    assert world.texts_to(CALLER) == []


async def test_openai_pipeline_falls_back_to_the_local_brain_when_the_model_fails(
        voice: VoiceFactory) -> None:
    with OpenAIHttpDouble(transcripts=["I need a plumber tomorrow"], ms_per_char=15) as api:
        api.inject(HttpError(500), path="/v1/chat/completions")
        world = await voice(voice_providers="openai", openai_api_key=api.api_key,
                            openai_base_url=api.base_url)
        call = await world.call(Say("I need a plumber tomorrow"))
        turns = await world.stored_turns(call.call_sid)
        chats = [r.status for r in api.requests if r.path == "/v1/chat/completions"]
        speech = [r for r in api.requests if r.path == "/v1/audio/speech"]
    assert chats == [500]  # the model failed once; the local brain answered from then on
    assert turns[1] == ("caller", "I need a plumber tomorrow")
    assert turns[2][0] == "agent" and turns[2][1] and "You said" not in turns[2][1]
    assert speech, "the agent spoke with OpenAI's voice"
    report = await world.report(call)
    assert report.outcome == "handled_by_ai"


async def test_streaming_transcription_still_answers_right_and_records_each_stage(
        voice: VoiceFactory, site: FixtureSite) -> None:
    """With decoding while the caller speaks and the end of turn decided by the words, the
    caller's questions still reach the brain right, and each answer's wait is on record."""
    world = await voice(clock=FixedClock(MONDAY_9AM), website=site.base + "/",
                        local_stt_streaming=True, turn_end_by_words=True)
    call = await world.call(
        Say("What are your hours on Saturday?"), Say("Where are you located?"),
        Say("That's all. Thank you. Bye."), speed=2.0, quiet_s=1.0)
    turns = await world.stored_turns(call.call_sid)
    caller = [text.lower() for role, text in turns if role == "caller"]
    agent = [text for role, text in turns if role == "agent"]
    assert "saturday" in caller[0], turns
    assert "Saturday, 9 am to 2 pm" in agent[1], turns
    from sqlalchemy import select

    from receptionist.agent.models import TranscriptTurn

    async with world.db.transaction() as session:
        rows = (await session.scalars(select(TranscriptTurn).where(
            TranscriptTurn.call_sid == call.call_sid, TranscriptTurn.latency_ms.is_not(None))
        )).all()
    assert rows, turns
    for row in rows:  # every measured answer says where its wait went
        assert row.eou_ms is not None and row.stt_ms is not None
        assert row.brain_ms is not None and row.tts_ms is not None
