"""``build_agent`` as the composition root uses it, with the real services: a fresh install (no
website, no key) books into the embedded calendar and answers from the owner's settings; with a
key the chat model (here the HTTP double, through the real SDK) books through the same tools."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from calendar_sync import CalendarService, TextingNotifier
from knowledge import KnowledgeService
from receptionist.agent import (
    Agent,
    CallContext,
    LocalBrain,
    OpenAIChatBrain,
    Turn,
    build_agent,
)
from receptionist.core import Database, FixedClock, Settings
from tests.agent.world import MONDAY_9AM, SERVICES
from tests.doubles.openai_http import CallTool, ChatTurn, OpenAIHttpDouble, Say
from tests.support.factories import CALLER, TEAM_PHONE, add_business
from textback import (
    ConsoleSmsSender,
    Message,
    OutboxConfig,
    OutboxWorker,
    TextbackService,
    note_conversion,
)


class Install:
    """What ``receptionist`` builds on a laptop with no configuration beyond a business."""

    def __init__(self, db: Database, settings: Settings, business_id: int) -> None:
        self.db, self.settings, self.business_id = db, settings, business_id
        clock = FixedClock(MONDAY_9AM)
        self.textback = TextbackService(db, OutboxWorker(db, ConsoleSmsSender(),
                                                         OutboxConfig(None), clock), clock)
        notifier = TextingNotifier(team=self.textback.notify_team,
                                   caller=self.textback.text_caller, conversion=note_conversion,
                                   clock=clock)
        self.calendar = CalendarService.from_settings(settings, db, clock=clock,
                                                      notifier=notifier, embedded_port=0)
        self.knowledge = KnowledgeService(db, settings, embedder=None)
        self.clock = clock

    def agent(self, **kwargs) -> Agent:
        return build_agent(settings=self.settings, db=self.db, knowledge=self.knowledge,
                           calendar=self.calendar, textback=self.textback, clock=self.clock,
                           **kwargs)

    def ctx(self, n: int = 1) -> CallContext:
        return CallContext(call_sid=f"CA{n:032d}", business_id=self.business_id,
                           business_name="Greenfield Plumbing", caller_phone=CALLER,
                           timezone="America/New_York")

    async def texts(self) -> list[Message]:
        from sqlalchemy import select
        async with self.db.transaction() as session:
            return list((await session.scalars(select(Message).order_by(Message.id))).all())


@pytest.fixture
async def install(db: Database, tmp_path: Path) -> AsyncIterator[Install]:
    business_id = await add_business(db, routing="ai", hours="Mon-Fri 08:00-17:00")
    settings = Settings(database_url=db.url, data_dir=tmp_path / "data", secret_key="k",
                        demo=False)
    it = Install(db, settings, business_id)
    for name, minutes in SERVICES:
        await it.calendar.add_service(business_id, name, minutes)
    try:
        yield it
    finally:
        await it.calendar.aclose()


async def test_fresh_install_answers_and_books_without_a_key(install: Install):
    agent = install.agent()
    assert isinstance(agent.brain, LocalBrain) and agent.chat_brain is None
    assert await agent.prompts.greeting(install.business_id) == (
        "Thanks for calling Greenfield Plumbing, this is the virtual receptionist. How can I "
        "help you today?")
    ctx, history = install.ctx(), []

    async def say(text: str) -> str:
        reply = await agent.brain.reply(ctx, history, text)
        history.extend([Turn("caller", text, 0), Turn("agent", reply.text, 0)])
        return reply.text

    assert (await say("what are your hours")).startswith(
        "Our hours are Monday to Friday, 8 am to 5 pm. Closed Saturday and Sunday.")
    assert await say("I'd like to book a leak detection tomorrow at 9am") == \
        "Great. Can I get your name?"
    assert await say("Chris") == ("So that's a leak detection tomorrow at 9 am for Chris. "
                                  "Shall I book it?")
    assert (await say("yes")).startswith("You're all set for tomorrow at 9 am.")
    (booking,) = await install.calendar.bookings(install.business_id, CALLER)
    assert booking.start.isoformat() == "2026-12-08T09:00:00-05:00"
    kinds = sorted((m.to_number, m.kind) for m in await install.texts())
    assert kinds == sorted([(CALLER, "booking"), (TEAM_PHONE, "team_bookings")])
    assert agent.realtime_tools()[0]["name"] == "search_knowledge"


async def test_with_a_key_the_model_books_through_the_same_tools(install: Install):
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
        install.settings = install.settings.model_copy(update={
            "openai_base_url": api.base_url, "openai_api_key": SecretStr(api.api_key)})
        agent = install.agent()
        assert isinstance(agent.brain, OpenAIChatBrain)
        try:
            reply = await agent.brain.reply(install.ctx(2), [], "can I get a drain cleaning "
                                            "tomorrow afternoon? I'm Dee Dee")
        finally:
            await agent.aclose()
    assert reply.text == "Let me check the calendar. You're booked for tomorrow at 12 pm."
    assert [c.name for c, _ in reply.tool_calls] == ["find_slots", "book"]
    (booking,) = await install.calendar.bookings(install.business_id, CALLER)
    assert booking.caller_name == "Dee Dee" and booking.start.hour == 12
    system = api.requests_to("/v1/chat/completions")[0].json["messages"][0]["content"]
    assert "Greenfield Plumbing" in system and "Monday to Friday, 8 am to 5 pm" in system
