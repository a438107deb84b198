"""Which engine answers: the deployment default, a business's own choice, the fallbacks."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from receptionist.call.engine_choice import EngineFactory
from receptionist.call.engines import AudioCache
from receptionist.call.setup import CallSetupBuilder
from receptionist.call.tokens import StreamGrant
from receptionist.cli import app
from receptionist.core import Database, Settings
from scripts.doubles.factories import BUSINESS_NUMBER, add_business


class Tools:
    def schemas(self) -> list[dict[str, object]]:
        return []

    async def run(self, ctx: object, call: object) -> object:
        raise AssertionError("not called")


def factory(tmp_path: Path, *, engine: str = "auto", key: bool = True,
            local: bool = True) -> EngineFactory:
    settings = Settings(data_dir=tmp_path, voice_engine=engine)
    made = EngineFactory(settings=settings, cache=AudioCache(), toolbox=Tools(),
                         openai_client=object() if key else None)
    if local:
        made.new_local_brain = object  # type: ignore[assignment]
        made.local_voice = EngineFactory.local_voice_for(settings)
        made.whisper = object()  # type: ignore[assignment]
    return made


@pytest.mark.parametrize(("engine", "key", "local", "preferred", "plan"), [
    ("auto", True, True, None, ["realtime", "pipeline"]),  # with a key: realtime first
    ("auto", False, True, None, ["pipeline"]),  # a fresh install: local pipeline
    ("auto", True, True, "pipeline", ["pipeline"]),  # the business chose the pipeline
    ("pipeline", True, True, "realtime", ["realtime", "pipeline"]),  # or realtime
    ("pipeline", True, True, None, ["pipeline"]),
    ("auto", False, False, None, []),  # nothing can answer: the AI is not available
    ("realtime", False, True, "realtime", ["pipeline"]),  # no key: realtime cannot be had
])
def test_plan(tmp_path: Path, engine: str, key: bool, local: bool, preferred: str | None,
              plan: list[str]) -> None:
    made = factory(tmp_path, engine=engine, key=key, local=local)
    assert made.plan(preferred) == plan
    assert made.available() == bool(made.plan())


class Lifecycle:
    async def caller_of(self, call_sid: str) -> str | None:
        return "+12025550143"


async def test_a_business_can_choose_its_engine(db: Database, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    business = await add_business(db, routing="ai")
    builder = CallSetupBuilder(db, Lifecycle(), None)  # type: ignore[arg-type]
    grant = StreamGrant("CA" + "1" * 32, business, 1)
    assert (await builder.build(grant)).engine is None
    monkeypatch.setenv("RECEPTIONIST_DATABASE_URL", db.url)
    monkeypatch.setenv("RECEPTIONIST_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("RECEPTIONIST_SECRET_KEY", "test-secret")  # required on PostgreSQL
    def voice(*args: str) -> Result:  # the CLI runs its own event loop: off this one
        return CliRunner().invoke(app, ["voice", "engine", "--business", BUSINESS_NUMBER, *args])

    result = await asyncio.to_thread(voice, "pipeline")
    assert result.exit_code == 0 and "pipeline" in result.output, result.output
    assert (await builder.build(grant)).engine == "pipeline"
    result = await asyncio.to_thread(voice, "default")
    assert "default (auto)" in result.output
    assert (await builder.build(grant)).engine is None
    result = await asyncio.to_thread(voice, "fast")
    assert result.exit_code != 0
