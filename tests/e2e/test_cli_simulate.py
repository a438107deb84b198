"""``receptionist call simulate``: the owner's way to call their own number, end to end."""

from __future__ import annotations

import asyncio
import json
import os
import sys

import pytest
from typer.testing import CliRunner

from receptionist.cli import app
from scripts.doubles.factories import BUSINESS_NUMBER, CALLER
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
    assert all(set(turn) == {"role", "text", "heard"} for turn in report["turns"])
    greeting = report["turns"][0]
    # the server's own words, exactly, and what the caller's ear made of them
    assert greeting["text"] == ("Thanks for calling Greenfield Plumbing, this is the virtual "
                                "receptionist. How can I help you today?")
    assert "plumbing" in greeting["heard"].lower()
    assert report["turns"][1]["text"] == "That's all, thank you. Goodbye."
    assert report["texts"] == [] and report["bookings"] == []


async def test_simulate_prints_each_turn_as_it_happens(voice: VoiceFactory) -> None:
    """Read from the command's stdout as it runs: the greeting and the caller's line are
    there while the call is still going on, not all at the end."""
    world = await voice()
    env = {**os.environ, **settings_env(world.server.settings)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "receptionist.cli", "call", "simulate", "--server",
        world.server.url, "--to", BUSINESS_NUMBER, "--from", CALLER, "--speed", "4",
        "--say", "What are your hours?", "--say", "That's all, thank you. Goodbye.",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env)
    assert process.stdout is not None
    seen: list[str] = []
    try:
        while not any(line.startswith("  Caller: What are your hours?") for line in seen):
            line = (await asyncio.wait_for(process.stdout.readline(), 120)).decode()
            assert line, f"stdout closed before the turns came: {seen}"
            seen.append(line)
            assert process.returncode is None, "the command ended before printing its turns"
        assert any(line.startswith("  Agent (heard): ") for line in seen)
        rest = (await asyncio.wait_for(process.stdout.read(), 120)).decode()
    finally:
        if process.returncode is None:
            await asyncio.wait_for(process.wait(), 120)
    assert process.returncode == 0
    assert "Outcome: handled_by_ai" in rest


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
