"""The text channel: one conversation with the same brain, tools and records as a call, kept
in the database between turns (any instance takes the next one), never a missed call."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select

from receptionist.agent import CallSummary, ToolCallRow, TranscriptTurn
from receptionist.chat import CHANNEL, ConversationBusy, ConversationEnded
from receptionist.core import Database, FixedClock, Settings
from receptionist.services import Overrides, Services, build_services
from receptionist.telephony.models import Call
from scripts.doubles.factories import CALLER, TEAM_PHONE, add_business
from tests.agent.world import MONDAY_9AM, SERVICES
from textback import ConsoleSmsSender, Message


@pytest.fixture
def settings(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("RECEPTIONIST_CALENDAR_EMBEDDED_PORT", "0")
    return Settings(database_url=db.url, data_dir=tmp_path / "data", secret_key="k", demo=False)


@pytest.fixture
async def business_id(db: Database) -> int:
    return await add_business(db, routing="ai", hours="Mon-Fri 08:00-17:00")


@asynccontextmanager
async def built(settings: Settings) -> AsyncIterator[Services]:
    services = build_services(settings, Overrides(
        clock=FixedClock(MONDAY_9AM), sms_sender=ConsoleSmsSender(), run_workers=False,
        voice=False))
    try:
        yield services
    finally:
        await services.aclose()


async def test_a_booking_over_text_is_stored_like_a_call(settings: Settings, business_id: int,
                                                         db: Database) -> None:
    async with built(settings) as first:
        for name, minutes in SERVICES:
            await first.calendar.add_service(business_id, name, minutes)
        opened = await first.chat.start(business_id, caller_phone=CALLER)
        assert opened.reply.startswith("Thanks for calling Greenfield Plumbing")
        said = await first.chat.say(opened.conversation_id,
                                    "I'd like to book a leak detection tomorrow at 9am")
        assert said.reply == "Great. Can I get your name?"
    # Another process takes the next turns: the brain's memory came through the database.
    async with built(settings) as second:
        cid = opened.conversation_id
        assert (await second.chat.say(cid, "Chris")).reply == (
            "So that's a leak detection tomorrow at 9 am for Chris. Shall I book it?")
        assert (await second.chat.say(cid, "yes")).reply.startswith(
            "You're all set for tomorrow at 9 am.")
        bye = await second.chat.say(cid, "that's all, goodbye")
        assert bye.ended
        with pytest.raises(ConversationEnded):
            await second.chat.say(cid, "hello?")
        transcript = await second.chat.transcript(cid)
        (booking,) = await second.calendar.bookings(business_id, CALLER)
    assert [t["role"] for t in transcript.turns] == ["agent"] + ["caller", "agent"] * 4
    assert transcript.turns[1]["text"] == "I'd like to book a leak detection tomorrow at 9am"
    assert booking.start.isoformat() == "2026-12-08T09:00:00-05:00" and booking.call_sid == cid
    (row,) = transcript.bookings
    assert row["service"].lower() == "leak detection" and row["status"] == "booked"
    assert sorted((t["to"], t["kind"]) for t in transcript.texts) == sorted(
        [(CALLER, "booking"), (TEAM_PHONE, "team_bookings")])
    async with db.transaction() as session:
        summary = await session.scalar(select(CallSummary).where(CallSummary.call_sid == cid))
        turns = await session.scalar(select(func.count(TranscriptTurn.id)).where(
            TranscriptTurn.call_sid == cid))
        tools = (await session.scalars(select(ToolCallRow.name).where(
            ToolCallRow.call_sid == cid).order_by(ToolCallRow.seq))).all()
        calls = await session.scalar(select(func.count(Call.id)))
        textbacks = await session.scalar(select(func.count(Message.id)).where(
            Message.kind.like("textback%")))
    assert summary is not None and summary.engine == CHANNEL and summary.booked
    assert summary.turn_count == 9 == turns and summary.end_reason == "agent_hung_up"
    assert "Booked" in summary.summary
    assert "book" in tools and "find_slots" in tools
    assert calls == 0 and textbacks == 0  # never a call, so never missed, never texted back


async def test_two_answers_to_one_turn_keep_one(settings: Settings, business_id: int) -> None:
    async with built(settings) as services:
        opened = await services.chat.start(business_id)
        stale = await services.chat.store.load(opened.conversation_id)
        assert stale is not None
        await services.chat.say(opened.conversation_id, "what are your hours")
        with pytest.raises(ConversationBusy):  # written by someone else since it was read
            await services.chat.store.append(stale, caller="hi", agent="hello", tools=[],
                                             dialog=None, ended=False, degraded=False)
        transcript = await services.chat.transcript(opened.conversation_id)
    assert [t["role"] for t in transcript.turns] == ["agent", "caller", "agent"]
    assert transcript.turns[2]["text"].startswith("Our hours are Monday to Friday, 8 am to 5 pm")


async def test_nothing_bookable_means_a_message_not_a_time(settings: Settings,
                                                           business_id: int) -> None:
    async with built(settings) as services:  # no bookable service: nothing is booked by phone
        opened = await services.chat.start(business_id, caller_phone=CALLER)
        said = await services.chat.say(opened.conversation_id,
                                       "Can I book a table for ten on Saturday morning?")
    assert "take a message" in said.reply and "What day" not in said.reply


async def test_a_failing_model_degrades_to_the_local_brain(settings: Settings,
                                                           business_id: int, db: Database
                                                           ) -> None:
    from pydantic import SecretStr

    from scripts.doubles.openai_http import HttpError, OpenAIHttpDouble

    async with OpenAIHttpDouble() as api:
        keyed = settings.model_copy(update={"openai_base_url": api.base_url,
                                            "openai_api_key": SecretStr(api.api_key)})
        async with built(keyed) as services:
            assert services.agent.remote_brain is not None
            opened = await services.chat.start(business_id)
            api.inject(HttpError(500), path="/v1/chat/completions")
            said = await services.chat.say(opened.conversation_id, "what are your hours")
            # the local brain carries on for the rest of the conversation
            again = await services.chat.say(opened.conversation_id, "thanks, bye")
    assert said.reply.startswith("Our hours are Monday to Friday, 8 am to 5 pm")
    assert again.ended
    assert len(api.requests_to("/v1/chat/completions")) == 1
    async with db.transaction() as session:
        summary = await session.scalar(select(CallSummary).where(
            CallSummary.call_sid == opened.conversation_id))
    assert summary is not None and summary.degraded and summary.brain == "openai"
