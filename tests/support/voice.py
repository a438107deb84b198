"""Voice-call test helpers: the world a simulated call runs in (app, database, Twilio double),
the app in its own process, and what the engine asked the Realtime model to say."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from receptionist.call import CallSimulator, SimulatedCall
from receptionist.core import Database, Settings, WebhookSigner
from receptionist.speech import WhisperModelHandle
from receptionist.voice_cli import CallReport, agent_ear, caller_voice, collect_report
from scripts.doubles.factories import BUSINESS_NUMBER, CALLER
from scripts.doubles.openai_realtime import RealtimeTurn
from scripts.doubles.twilio_rest import TwilioRestDouble
from tests.support.server import release_port

__all__ = ["BOTH_DATABASES", "EAR_MODEL", "ServerProcess", "TwilioFeed", "VoiceFactory",
           "VoiceWorld", "asked_to_say", "settings_env"]

SPEAK = re.compile(r"nothing else: (\".*\")\s*$", re.S)


def asked_to_say(turn: RealtimeTurn) -> str | None:
    """The exact words our engine asked the model to say (greeting, prompts), if any."""
    instructions = turn.response.get("instructions") if turn.response else None
    match = SPEAK.search(instructions or "")
    return json.loads(match.group(1)) if match else None


EAR_MODEL = WhisperModelHandle()  # the simulated callers' ear, loaded once on first use
class TwilioFeed:
    """The simulator's view of Twilio's REST side: calls it knows, updates made to them."""

    def __init__(self, twilio: TwilioRestDouble) -> None:
        self.twilio = twilio

    def register(self, call_sid: str, from_: str, to: str) -> None:
        self.twilio.add_call(call_sid, from_, to)

    def updates(self, call_sid: str) -> list[dict[str, str]]:
        try:
            return list(self.twilio.call(call_sid).updates)
        except KeyError:
            return []


@dataclass
class VoiceWorld:
    server: Any  # AppServer, or ServerProcess for load tests
    db: Database
    twilio: TwilioRestDouble
    business_id: int

    def simulator(self, *, speed: float = 3.0, transcribe: bool = False,
                  quiet_s: float = 0.5, **kwargs: Any) -> CallSimulator:
        settings = self.server.settings
        return CallSimulator(
            server=self.server.url,
            signer=WebhookSigner(settings.webhook_auth_token(), settings.public_url),
            account_sid=settings.webhook_account_sid(), caller_voice=caller_voice(),
            ear=agent_ear(["Greenfield Plumbing"], EAR_MODEL) if transcribe else None, speed=speed,
            quiet_s=quiet_s,
            control=TwilioFeed(self.twilio), **kwargs)

    async def call(self, *script: Any, **kwargs: Any) -> SimulatedCall:
        simulator = self.simulator(**{k: kwargs.pop(k) for k in list(kwargs)
                                      if k in ("speed", "transcribe", "quiet_s",
                                               "reply_timeout_s")})
        return await simulator.call(to=BUSINESS_NUMBER, from_=CALLER, script=script, **kwargs)

    async def report(self, call: SimulatedCall, since: float = 0.0) -> CallReport:
        from datetime import UTC, datetime

        return await collect_report(self.db, call, caller=CALLER,
                                    since=datetime.fromtimestamp(since, UTC))

    async def stored_turns(self, call_sid: str, timeout_s: float = 5.0) -> list[tuple[str, str]]:
        from receptionist.agent.models import TranscriptTurn

        deadline = time.monotonic() + timeout_s
        while True:
            async with self.db.transaction() as session:
                rows = (await session.execute(
                    select(TranscriptTurn).where(TranscriptTurn.call_sid == call_sid)
                    .order_by(TranscriptTurn.seq))).scalars().all()
            if rows or time.monotonic() > deadline:
                return [(r.role, r.text) for r in rows]
            await asyncio.sleep(0.05)

    def texts_to(self, number: str) -> list[Any]:
        return [m for m in self.twilio.messages if m.to == number]

    async def wait_texts(self, number: str, n: int, timeout_s: float = 5.0) -> list[Any]:
        deadline = time.monotonic() + timeout_s
        while True:
            found = self.texts_to(number)
            if len(found) >= n or time.monotonic() > deadline:
                return found
            await asyncio.sleep(0.05)


VoiceFactory = Callable[..., Any]


BOTH_DATABASES = ["sqlite", "postgres"]


def settings_env(settings: Settings) -> dict[str, str]:
    """``RECEPTIONIST_*`` variables that rebuild ``settings`` in another process."""
    env = {}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        if hasattr(value, "get_secret_value"):
            value = value.get_secret_value()
        env[f"RECEPTIONIST_{name.upper()}"] = str(value)
    return env


class ServerProcess:
    """The app as ``receptionist serve`` in its own process (its own GIL), configured through
    the environment like a real deployment; for load tests."""

    def __init__(self, settings: Settings, *, port: int | None = None,
                 log: Path | None = None) -> None:
        """``port``: listen there instead of on the public URL's port (a second instance
        behind the same public URL, as behind a balancer). ``log``: its output goes there."""
        self.settings = settings
        self.port = port or int(settings.public_url.rsplit(":", 1)[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RECEPTIONIST_")}
        return env | settings_env(self.settings)

    def start(self, timeout_s: float = 60.0) -> ServerProcess:
        release_port(self.port)  # the other process binds it itself
        out = self.log.open("ab") if self.log is not None else subprocess.DEVNULL
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "receptionist.cli", "serve", "--no-migrate",
                 "--port", str(self.port)], env=self._env(), stdout=out,
                stderr=subprocess.STDOUT if self.log is not None else subprocess.DEVNULL)
        finally:
            if self.log is not None:
                out.close()  # type: ignore[union-attr]
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the server process did not start")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, whatever it held in memory is gone."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
