"""After the call: transcript, tool calls, summary and latency stored once per call; the agent's
migration creates exactly the tables its models declare."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from receptionist.agent import CallContext, ToolCall, ToolResult, TurnStages
from receptionist.agent.models import AgentMessage, CallSummary, ToolCallRow, TranscriptTurn
from receptionist.agent.records import (
    CallRecorder,
    list_messages,
    load_call,
    percentile,
    store_call,
    summarize,
)
from receptionist.core import Base, Database
from scripts.doubles.factories import CALLER, add_business
from tests.support.databases import (
    create_postgres_database,
    drop_postgres_database,
    import_all_models,
    postgres_base_url,
)

START = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)
AGENT_TABLES = {"agent_call_summary", "agent_transcript_turn", "agent_tool_call", "agent_message"}


def recorder(business_id: int, call_sid: str = "CA" + "1" * 32) -> CallRecorder:
    ctx = CallContext(call_sid=call_sid, business_id=business_id, business_name="Harbor City",
                      caller_phone=CALLER, timezone="America/Los_Angeles")
    rec = CallRecorder(ctx, START)
    rec.brain = "local"
    rec.agent("Thanks for calling Harbor City. How can I help?", 120)
    rec.caller("What are your hours?", 2400)
    rec.tool(ToolCall("local_1", "business_info", {"topic": "hours"}),
             ToolResult(True, {"topic": "hours", "hours": "Monday to Friday, 8 am to 5 pm."}),
             2900, 12)
    rec.agent("Our hours are Monday to Friday, 8 am to 5 pm.", 3100, latency_ms=640,
              stages=TurnStages(eou_ms=250, stt_ms=410, brain_ms=6, tts_ms=24))
    rec.caller("Book a drain cleaning tomorrow at 10, I'm Sam", 6000)
    rec.tool(ToolCall("local_2", "book", {"service": "Drain cleaning",
                                          "slot": "2026-12-08T10:00", "name": "Sam"}),
             ToolResult(True, {"booked": True, "service": "Drain cleaning",
                               "label": "tomorrow at 10 am", "name": "Sam"}), 6600, 420)
    rec.agent("You're all set for tomorrow at 10 am.", 7100, latency_ms=910)
    rec.caller("bye", 9000)
    rec.tool(ToolCall("local_3", "end_call", {}), ToolResult(True, {}, action="hang_up"), 9200)
    rec.agent("Thanks for calling. Goodbye!", 9300, latency_ms=380, interrupted=True)
    return rec


async def test_store_and_load_a_call(db: Database):
    business_id = await add_business(db)
    record = recorder(business_id).finish(START + timedelta(seconds=12), outcome="handled_by_ai",
                                          end_reason="agent_hung_up", engine="pipeline")
    assert await store_call(db, record) is True
    assert await store_call(db, record) is False  # once per call
    stored = await load_call(db, record.call_sid)
    assert stored is not None
    s = stored.summary
    assert s.outcome == "handled_by_ai" and s.engine == "pipeline" and s.brain == "local"
    assert s.booked and not s.message_taken and not s.transferred
    assert s.duration_s == 12 and s.turn_count == 7
    assert (s.latency_p50_ms, s.latency_p95_ms) == (640, 910)
    assert s.summary == ("Asked about hours. Booked Drain cleaning on tomorrow at 10 am for Sam.")
    assert [(t.role, t.at_ms) for t in stored.turns][:3] == [("agent", 120), ("caller", 2400),
                                                            ("agent", 3100)]
    assert stored.turns[-1].interrupted and stored.turns[2].latency_ms == 640
    assert [t.name for t in stored.tools] == ["business_info", "book", "end_call"]
    assert stored.tools[1].duration_ms == 420 and stored.tools[2].action == "hang_up"
    body = stored.to_json()
    assert body["turns"][1] == {"role": "caller", "text": "What are your hours?", "at_ms": 2400,
                                "latency_ms": None, "interrupted": False, "stages_ms": None}
    assert body["turns"][2]["stages_ms"] == {"eou": 250, "stt": 410, "brain": 6, "tts": 24}
    assert body["turns"][4]["stages_ms"] is None  # a turn nobody measured
    assert await load_call(db, "CA-unknown") is None


async def test_summary_of_a_silent_or_failing_call(db: Database):
    business_id = await add_business(db)
    rec = recorder(business_id)
    rec.turns.clear()
    rec.tools.clear()
    assert summarize(rec.finish(None)) == "The caller said nothing."
    rec.caller("is anyone there", 100)
    rec.degraded = True
    rec.tool(ToolCall("c", "find_slots", {"service": "x", "when": "y"}),
             ToolResult(False, {"say": "…"}, error="calendar_unavailable"), 200)
    text = summarize(rec.finish(None))
    assert "Calendar unreachable" in text and "local receptionist took over" in text


async def test_messages_listed_newest_first(db: Database):
    business_id = await add_business(db)
    async with db.transaction() as session:
        for i in range(3):
            session.add(AgentMessage(business_id=business_id, kind="message", reason=f"m{i}",
                                     created_at=START + timedelta(minutes=i)))
    assert [m.reason for m in await list_messages(db, business_id)] == ["m2", "m1", "m0"]
    assert await list_messages(db, business_id + 1) == []


def test_percentile() -> None:
    assert percentile([], 50) is None
    assert percentile([5], 95) == 5
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50) == 5
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95) == 10


def _alembic(url: str) -> Config:
    cfg = Config(str(Path(__file__).resolve().parents[2] / "alembic.ini"))
    cfg.attributes["database_url"] = url
    return cfg


def _schema(url: str) -> tuple[set[str], list[object]]:
    """Table names, and the differences between the agent's models and the migrated schema."""
    async def inspect_db() -> tuple[set[str], list[object]]:
        db = Database(url)
        try:
            async with db.engine.connect() as conn:
                def look(sync_conn) -> tuple[set[str], list[object]]:
                    diff = compare_metadata(MigrationContext.configure(sync_conn), Base.metadata)
                    return (set(inspect(sync_conn).get_table_names()),
                            [d for d in diff if any(t in repr(d) for t in AGENT_TABLES)])
                return await conn.run_sync(look)
        finally:
            await db.dispose()
    return asyncio.run(inspect_db())


@pytest.mark.parametrize("dialect", ["sqlite", "postgres"])
def test_migration_matches_the_models(dialect: str, tmp_path: Path):
    import_all_models()
    base = postgres_base_url()
    if dialect == "postgres" and base is None:
        pytest.skip("set RECEPTIONIST_TEST_POSTGRES_URL to run on PostgreSQL")
    url = (create_postgres_database(base) if dialect == "postgres" and base
           else f"sqlite+aiosqlite:///{tmp_path}/migrated.db")
    try:
        cfg = _alembic(url)
        command.upgrade(cfg, "agent@head")
        command.upgrade(cfg, "turns@head")  # the per-turn stage columns (0012)
        tables, diff = _schema(url)
        assert AGENT_TABLES <= tables
        assert diff == []
        command.downgrade(cfg, "0001_initial")
        tables, _ = _schema(url)
        assert not AGENT_TABLES & tables
    finally:
        if dialect == "postgres" and base:
            drop_postgres_database(base, url)


def test_models_are_on_the_shared_metadata() -> None:
    for model in (CallSummary, TranscriptTurn, ToolCallRow, AgentMessage):
        assert model.__table__.metadata is Base.metadata
