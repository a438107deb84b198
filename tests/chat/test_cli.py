"""``receptionist chat``: the text channel from the command line."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from receptionist.cli import app
from receptionist.core import Database
from scripts.doubles.factories import BUSINESS_NUMBER, CALLER, add_business


async def test_chat_json_prints_the_conversation(db: Database, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    await add_business(db, routing="ai", hours="Mon-Fri 08:00-17:00")
    for name, value in {"DATABASE_URL": db.url, "DATA_DIR": str(tmp_path / "data"),
                        "SECRET_KEY": "k", "CALENDAR_EMBEDDED_PORT": "0"}.items():
        monkeypatch.setenv(f"RECEPTIONIST_{name}", value)
    result = await asyncio.to_thread(CliRunner().invoke, app, [
        "chat", "--business", BUSINESS_NUMBER, "--from", CALLER, "--say", "What are your hours?",
        "--say", "Please ask Dana to call me back about my boiler", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) == {"turns", "bookings", "texts", "messages"}
    assert [t["role"] for t in report["turns"]] == ["agent", "caller", "agent", "caller", "agent"]
    assert all(set(t) == {"role", "text"} for t in report["turns"])
    assert "Monday to Friday" in report["turns"][2]["text"]
    assert report["bookings"] == []

    plain = await asyncio.to_thread(CliRunner().invoke, app, [
        "chat", "--business", BUSINESS_NUMBER], input="what are your hours\n\n")
    assert plain.exit_code == 0, plain.output
    assert plain.output.splitlines()[0].startswith("Agent : Thanks for calling")
    assert "Agent : Our hours are Monday to Friday" in plain.output
