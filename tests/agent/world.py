"""A business with its real subsystems for agent tests: the database (SQLite, and PostgreSQL when
configured), text-back with the console SMS provider (texts land in the outbox table), the
knowledge base onboarded from the fixture website over HTTP, and — when asked — the calendar on
an embedded Radicale. Only paid APIs are doubled (see ``test_openai_brain``)."""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from calendar_sync import CalendarService, EmbeddedRadicale, TextingNotifier
from knowledge import KnowledgeService
from receptionist.agent.facts import Directory
from receptionist.agent.local import LocalBrain
from receptionist.agent.models import AgentMessage
from receptionist.agent.ports import BrainReply, CallContext, Scheduler, ToolCall, ToolResult, Turn
from receptionist.agent.tools.calendar_scheduler import CalendarScheduler
from receptionist.agent.tools.knowledge_lookup import KnowledgeServiceLookup
from receptionist.agent.tools.textback_messenger import TextbackMessenger
from receptionist.agent.tools.toolbox import AgentTools
from receptionist.core import Clock, Database, Settings, SystemClock
from scripts.doubles.factories import CALLER, TEAM_PHONE, add_business
from scripts.doubles.site_server import FixtureSite, serve_site
from textback import (
    ConsoleSmsSender,
    Message,
    OutboxConfig,
    OutboxWorker,
    TextbackService,
    note_conversion,
)

__all__ = ["MONDAY_9AM", "SERVICES", "World", "connect_external_calendar", "make_world", "site"]

_sids = itertools.count(1)


@pytest.fixture(scope="session")
def site() -> Iterator[FixtureSite]:
    with serve_site() as fixture_site:
        yield fixture_site


@dataclass
class World:
    db: Database
    business_id: int
    textback: TextbackService
    knowledge: KnowledgeService
    directory: Directory
    tools: AgentTools
    brain: LocalBrain
    ctx: CallContext
    calendar: CalendarService | None = None
    history: list[Turn] = field(default_factory=list)
    replies: list[BrainReply] = field(default_factory=list)

    async def aclose(self) -> None:
        if self.calendar is not None:
            await self.calendar.aclose()

    async def say(self, text: str) -> BrainReply:
        """The caller says ``text``; the local brain answers (history kept like a call)."""
        at = len(self.history) * 1000
        reply = await self.brain.reply(self.ctx, list(self.history), text)
        self.history += [Turn("caller", text, at), Turn("agent", reply.text, at + 500)]
        self.replies.append(reply)
        return reply

    async def run(self, tool: str, /, **arguments: Any) -> ToolResult:
        return await self.tools.run(self.ctx, ToolCall(f"t{next(_sids)}", tool, arguments))

    def tool_names(self) -> list[str]:
        return [call.name for r in self.replies for call, _ in r.tool_calls]

    async def texts(self, to: str | None = None) -> list[Message]:
        async with self.db.transaction() as session:
            stmt = select(Message).where(Message.direction == "out").order_by(Message.id)
            if to is not None:
                stmt = stmt.where(Message.to_number == to)
            return list((await session.scalars(stmt)).all())

    async def messages(self) -> list[AgentMessage]:
        async with self.db.transaction() as session:
            return list((await session.scalars(select(AgentMessage).order_by(
                AgentMessage.id))).all())

    def new_call(self, caller: str | None = CALLER) -> None:
        self.ctx = CallContext(call_sid=f"CA{next(_sids):032d}", business_id=self.business_id,
                               business_name=self.ctx.business_name, caller_phone=caller,
                               timezone=self.ctx.timezone)
        self.history, self.replies = [], []
        self.brain = LocalBrain(self.tools)  # a call's dialog is its own


SERVICES = (("Drain cleaning", 60), ("Leak detection", 90), ("Water heater flush", 45))
# Monday 7 December 2026, 9:00 in Portland (the fixture business is in America/Los_Angeles)
MONDAY_9AM = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)


async def connect_external_calendar(world: World, folder: Path) -> EmbeddedRadicale:
    """Connect the business to "its own" CalDAV server (another Radicale), so a test can take
    that server down."""
    assert world.calendar is not None
    server = EmbeddedRadicale(folder, secret=b"owners-own-server", port=0)
    await server.astart()
    business = world.business_id
    await asyncio.to_thread(server.ensure_user, business)
    user, password = server.username(business), server.password(business)
    backend = world.calendar.gateway.direct(server.base_url, user, password)
    try:
        await backend.ensure_calendar(server.base_url.rstrip("/") +
                                      server.calendar_path(business), "Work")
    finally:
        await backend.aclose()
    await world.calendar.connect(business, server.base_url, user, password)
    return server


# Onboarded SQLite databases of this process, by what was onboarded: most agent tests onboard
# the same fixture site into the same business, and the crawl is most of their set-up. A test
# gets a copy (SQLite's backup API, safe with the database open); PostgreSQL onboards each time.
_ONBOARDED: dict[str, tuple[Path, int]] = {}


def _sqlite_path(db: Database) -> Path | None:
    prefix = "sqlite+aiosqlite:///"
    return Path(db.url[len(prefix):]) if db.url.startswith(prefix) else None


def _copy_database(source: Path, target: Path) -> None:
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


async def _keep_onboarded(db: Database, key: str, business_id: int, tmp_path: Path) -> None:
    path = _sqlite_path(db)
    if path is None:
        return
    snapshot = tmp_path / "onboarded.db"
    await asyncio.to_thread(_copy_database, path, snapshot)
    _ONBOARDED[key] = (snapshot, business_id)


async def _restore_onboarded(db: Database, key: str) -> int | None:
    path, kept = _sqlite_path(db), _ONBOARDED.get(key)
    if path is None or kept is None or not kept[0].exists():
        return None
    await db.engine.dispose()  # no pooled connection holds the old pages
    await asyncio.to_thread(_copy_database, kept[0], path)
    return kept[1]


async def make_world(db: Database, tmp_path: Path, *, site: FixtureSite | None,
                     calendar: bool = False, clock: Clock | None = None,
                     caller: str | None = CALLER, team: list[tuple[str, str, str]] | None = None,
                     **business: Any) -> World:
    team = team if team is not None else [("Dana", TEAM_PHONE, "replies,bookings,messages")]
    settings = Settings(database_url=db.url, data_dir=tmp_path / "data", secret_key="test",
                        crawl_allow_private=True, demo=False)
    knowledge = KnowledgeService(db, settings, embedder=None)
    key = repr((site.base if site else None, team, sorted(business.items())))
    business_id = await _restore_onboarded(db, key)
    if business_id is None:
        business_id = await add_business(db, routing="ai", team=team, **business)
        if site is not None:
            await knowledge.onboard(site.base + "/", business=business_id)
            await _keep_onboarded(db, key, business_id, tmp_path)
    clock = clock or SystemClock()
    worker = OutboxWorker(db, ConsoleSmsSender(), OutboxConfig(None), clock)
    textback = TextbackService(db, worker, clock)
    lookup = KnowledgeServiceLookup(knowledge)
    directory = Directory(db, lookup, ttl_s=0)
    calendar_service: CalendarService | None = None
    scheduler: Scheduler | None = None
    if calendar:
        notifier = TextingNotifier(team=textback.notify_team, caller=textback.text_caller,
                                   conversion=note_conversion, clock=clock)
        calendar_service = CalendarService.from_settings(
            settings, db, clock=clock, notifier=notifier, embedded_port=0, busy_cache_s=0,
            allow_private=True)
        for name, minutes in SERVICES:
            await calendar_service.add_service(business_id, name, minutes)
        scheduler = CalendarScheduler(calendar_service)
    tools = AgentTools(facts=directory, knowledge=lookup, scheduler=scheduler,
                       messenger=TextbackMessenger(db, textback, clock), clock=clock)
    facts = await directory.facts(business_id)
    ctx = CallContext(call_sid=f"CA{next(_sids):032d}", business_id=business_id,
                      business_name=facts.name, caller_phone=caller, timezone=facts.timezone)
    return World(db, business_id, textback, knowledge, directory, tools, LocalBrain(tools), ctx,
                 calendar=calendar_service)
