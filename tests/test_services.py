"""The composition root with the real services: the graph the app, the CLI and the benchmarks
get. A fresh install (no website, no key) books into the embedded calendar and answers from the
owner's settings; with a key the chat model (the HTTP double, through the real SDK) books through
the same tools; without voice nothing speech-related is built."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from pydantic import SecretStr

from receptionist.agent import CallContext, LocalBrain, OpenAIChatBrain, Turn, realtime_tools
from receptionist.core import Database, FixedClock, Settings
from receptionist.services import KNOWLEDGE_MIN_CONFIDENCE, Overrides, Services, build_services
from scripts.doubles.factories import CALLER, TEAM_PHONE, add_business
from scripts.doubles.openai_http import CallTool, ChatTurn, OpenAIHttpDouble, Say
from tests.agent.world import MONDAY_9AM, SERVICES
from textback import ConsoleSmsSender, Message


def _ctx(business_id: int, n: int = 1) -> CallContext:
    return CallContext(call_sid=f"CA{n:032d}", business_id=business_id,
                       business_name="Greenfield Plumbing", caller_phone=CALLER,
                       timezone="America/New_York")


async def _texts(db: Database) -> list[Message]:
    from sqlalchemy import select
    async with db.transaction() as session:
        return list((await session.scalars(select(Message).order_by(Message.id))).all())


@pytest.fixture
def settings(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("RECEPTIONIST_CALENDAR_EMBEDDED_PORT", "0")
    return Settings(database_url=db.url, data_dir=tmp_path / "data", secret_key="k", demo=False)


@pytest.fixture
async def business_id(db: Database) -> int:
    return await add_business(db, routing="ai", hours="Mon-Fri 08:00-17:00")


@asynccontextmanager
async def _built(settings: Settings, business_id: int, **overrides: object
                 ) -> AsyncIterator[Services]:
    services = build_services(settings, Overrides(clock=FixedClock(MONDAY_9AM),
                                                  sms_sender=ConsoleSmsSender(),
                                                  run_workers=False, **overrides))  # type: ignore[arg-type]
    try:
        for name, minutes in SERVICES:
            await services.calendar.add_service(business_id, name, minutes)
        yield services
    finally:
        await services.aclose()


async def test_fresh_install_answers_and_books_without_a_key(settings: Settings,
                                                             business_id: int, db: Database):
    async with _built(settings, business_id) as services:
        voice = services.voice
        assert voice is not None and voice.factory.remote_brain is None
        new_brain, tools = voice.factory.new_local_brain, voice.factory.toolbox
        assert new_brain is not None and tools is not None
        brain = new_brain()  # the call's own
        assert isinstance(brain, LocalBrain) and new_brain() is not brain
        # One knowledge confidence, production's, for every brain's knowledge tool.
        assert tools.min_confidence == KNOWLEDGE_MIN_CONFIDENCE  # type: ignore[attr-defined]
        assert services.ai is voice.service  # /twilio/voice connects calls to this runtime
        assert await voice.briefing.greeting(business_id) == (
            "Thanks for calling Greenfield Plumbing, this is the virtual receptionist. How can "
            "I help you today?")
        ctx, history = _ctx(business_id), []

        async def say(text: str) -> str:
            reply = await brain.reply(ctx, history, text)
            history.extend([Turn("caller", text, 0), Turn("agent", reply.text, 0)])
            return reply.text

        assert (await say("what are your hours")).startswith(
            "Our hours are Monday to Friday, 8 am to 5 pm. Closed Saturday and Sunday.")
        assert await say("I'd like to book a leak detection tomorrow at 9am") == \
            "Great. Can I get your name?"
        assert await say("Chris") == ("So that's a leak detection tomorrow at 9 am for Chris. "
                                      "Shall I book it?")
        assert (await say("yes")).startswith("You're all set for tomorrow at 9 am.")
        (booking,) = await services.calendar.bookings(business_id, CALLER)
        assert booking.start.isoformat() == "2026-12-08T09:00:00-05:00"
        # The booking texts were queued by the calendar's notifier, built with the calendar.
        kinds = sorted((m.to_number, m.kind) for m in await _texts(db))
        assert kinds == sorted([(CALLER, "booking"), (TEAM_PHONE, "team_bookings")])
        assert realtime_tools(tools.schemas())[0]["name"] == "search_knowledge"


async def test_with_a_key_the_model_books_through_the_same_tools(settings: Settings,
                                                                 business_id: int):
    def model(turn: ChatTurn):
        outputs = [json.loads(o) for o in turn.tool_outputs]
        if not outputs:
            return [Say("Let me check the calendar."),
                    CallTool("find_slots", {"service": "drain cleaning",
                                            "when": "tomorrow afternoon"})]
        if "slots" in outputs[0]:
            first = outputs[0]["slots"][0]
            return CallTool("book", {"service": outputs[0]["service"], "slot": first["slot"],
                                     "name": "Dee Dee"})
        assert outputs[0]["booked"] is True
        return Say(f"You're booked for {outputs[0]['label']}.")

    async with OpenAIHttpDouble(brain=model) as api:
        keyed = settings.model_copy(update={
            "openai_base_url": api.base_url, "openai_api_key": SecretStr(api.api_key)})
        async with _built(keyed, business_id) as services:
            assert services.voice is not None
            brain = services.voice.factory.remote_brain
            assert isinstance(brain, OpenAIChatBrain)
            reply = await brain.reply(_ctx(business_id, 2), [], "can I get a drain cleaning "
                                      "tomorrow afternoon? I'm Dee Dee")
            (booking,) = await services.calendar.bookings(business_id, CALLER)
    assert reply.text == "Let me check the calendar. You're booked for tomorrow at noon."
    assert [c.name for c, _ in reply.tool_calls] == ["find_slots", "book"]
    assert booking.caller_name == "Dee Dee" and booking.start.hour == 12
    system = api.requests_to("/v1/chat/completions")[0].json["messages"][0]["content"]
    assert "Greenfield Plumbing" in system and "Monday to Friday, 8 am to 5 pm" in system


async def test_without_voice_no_speech_is_built(settings: Settings, business_id: int):
    async with _built(settings, business_id, voice=False) as services:
        assert services.voice is None and services.voice_service is None
        assert services.ai is None  # /twilio/voice then rings or apologizes
        await services.start()  # no warm-up task, no workers
        assert services.tasks == []
