"""``receptionist call simulate``: the owner's way to call their own number, end to end."""

from __future__ import annotations

import asyncio
import json

import pytest
from typer.testing import CliRunner

from receptionist.cli import app
from tests.support.factories import BUSINESS_NUMBER, CALLER
from tests.support.voice import VoiceFactory, settings_env

pytestmark = pytest.mark.slow


async def test_simulate_prints_the_conversation_and_outcome_as_json(
        voice: VoiceFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    world = await voice()
    for name, value in settings_env(world.server.settings).items():
        monkeypatch.setenv(name, value)
    result = await asyncio.to_thread(CliRunner().invoke, app, [
        "call", "simulate", "--server", world.server.url, "--to", BUSINESS_NUMBER,
        "--from", CALLER, "--say", "That's all, thank you. Goodbye.", "--speed", "4", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert set(report) == {"call_sid", "outcome", "turns", "bookings", "texts"}
    assert report["outcome"] == "handled_by_ai"
    roles = [turn["role"] for turn in report["turns"]]
    assert roles[:3] == ["agent", "caller", "agent"]
    assert "plumbing" in report["turns"][0]["text"].lower()  # the greeting, transcribed
    assert report["texts"] == [] and report["bookings"] == []


async def test_simulate_a_caller_who_hangs_up_before_the_greeting(
        voice: VoiceFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    world = await voice()
    for name, value in settings_env(world.server.settings).items():
        monkeypatch.setenv(name, value)
    result = await asyncio.to_thread(CliRunner().invoke, app, [
        "call", "simulate", "--server", world.server.url, "--to", BUSINESS_NUMBER,
        "--hang-up-before-greeting"])
    assert result.exit_code == 0, result.output
    assert "Outcome: missed (hung_up_before_greeting)" in result.output
    assert "Text to" in result.output  # the text-back, queued in the same transaction
