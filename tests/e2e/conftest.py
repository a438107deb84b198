"""End-to-end calls: the app under uvicorn on 127.0.0.1, Twilio played by the simulator, the
Twilio REST API and the OpenAI Realtime API played by their local doubles."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from receptionist.core import Clock, Database, Settings
from receptionist.services import Overrides
from scripts.doubles.factories import add_business
from scripts.doubles.openai_realtime import OpenAIRealtimeDouble
from scripts.doubles.twilio_rest import TwilioRestDouble
from tests.support.server import AppServer
from tests.support.settings import make_settings
from tests.support.voice import ServerProcess, VoiceFactory, VoiceWorld, settings_env


@pytest.fixture(params=["sqlite"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, postgres_url: str | None) -> str:
    """Calls run on SQLite; the few whose behaviour depends on the database (the text-back
    decision, token races, many calls at once) ask for PostgreSQL too with
    ``@pytest.mark.parametrize("db_url", BOTH_DATABASES, indirect=True)``."""
    if request.param == "postgres":
        if postgres_url is None:
            pytest.skip("set RECEPTIONIST_TEST_POSTGRES_URL to run on PostgreSQL")
        return postgres_url
    return f"sqlite+aiosqlite:///{tmp_path}/receptionist.db"


@pytest.fixture
def realtime() -> Iterator[OpenAIRealtimeDouble]:
    with OpenAIRealtimeDouble(ms_per_char=20) as double:
        yield double


@pytest.fixture
async def voice(db: Database, twilio: TwilioRestDouble, tmp_path: Path
                ) -> AsyncIterator[VoiceFactory]:
    """``await voice(**settings)`` starts the app with an AI-answered business."""
    servers: list[Any] = []

    async def start(*, routing: str = "ai", business: dict[str, Any] | None = None,
                    own_process: bool = False, clock: Clock | None = None,
                    website: str | None = None, onboard: str | None = None,
                    bookable: tuple[tuple[str, int], ...] = (), **overrides: Any) -> VoiceWorld:
        values: dict[str, Any] = {"voice_engine": "pipeline", "voice_providers": "local",
                                  "silence_timeout_s": 30.0, "crawl_allow_private": True}
        values.update(overrides)
        settings = make_settings(db.url, twilio, tmp_path, **values)
        business_id = await add_business(db, routing=routing, **(business or {}))
        if website is not None:  # the knowledge base, from the fixture site over HTTP
            from knowledge import KnowledgeService

            await KnowledgeService(db, settings, embedder=None).onboard(website,
                                                                        business=business_id)
        if onboard is not None:  # as an owner does: the services found become bookable
            await asyncio.to_thread(_onboard_command, settings, onboard, business_id)
        if own_process:
            process = await asyncio.to_thread(ServerProcess(settings).start)
            servers.append(process)
            return VoiceWorld(process, db, twilio, business_id)
        server = AppServer(settings, Overrides(clock=clock)).start()
        servers.append(server)
        for name, minutes in bookable:  # services the embedded Radicale calendar books
            await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(
                server.state.calendar.add_service(business_id, name, minutes), server.loop))
        runtime = server.state.voice
        if runtime is not None and runtime.warm_task is not None:  # greetings, Whisper loaded
            await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(
                asyncio.wait_for(asyncio.shield(runtime.warm_task), 60), server.loop))
        return VoiceWorld(server, db, twilio, business_id)

    try:
        yield start
    finally:
        for server in servers:
            server.stop()


def _onboard_command(settings: Settings, url: str, business_id: int) -> None:
    """``receptionist onboard URL --business ID`` with ``settings`` in its environment."""
    from typer.testing import CliRunner

    from receptionist.cli import app

    result = CliRunner().invoke(app, ["onboard", url, "--business", str(business_id)],
                                env=settings_env(settings))
    assert result.exit_code == 0, result.output
