"""Faults at Twilio while missed calls arrive, over HTTP against the running app: whatever the
REST API does (a 5xx storm, answering only after our send timeout, accepting then dropping the
connection), every missed caller gets exactly one text once Twilio recovers."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from receptionist.core import Settings
from scripts.doubles.factories import add_business
from scripts.doubles.twilio_rest import TwilioRestDouble
from tests.support.calls import call_params, new_call_sid
from tests.support.settings import make_settings
from textback import Message

pytestmark = pytest.mark.slow  # a fault suite: storms and timeouts in real time

CALLERS = [f"+1202555{i:04d}" for i in range(160, 168)]


@pytest.fixture
def settings(db_url: str, twilio: TwilioRestDouble, tmp_path: Path) -> Settings:
    # A short send timeout so "Twilio answers after we gave up" happens within the test.
    return make_settings(db_url, twilio, tmp_path, outbox_send_timeout_s=0.5,
                         outbox_stale_sending_s=1.5, outbox_max_attempts=20)


async def _missed_calls(webhooks) -> None:
    async def one(caller: str) -> None:
        sid = new_call_sid()
        r = await webhooks.post("/twilio/voice", call_params(sid, caller=caller))
        assert r.status_code == 200
        r = await webhooks.post("/twilio/voice/status",
                                call_params(sid, caller=caller, CallStatus="no-answer"))
        assert r.status_code == 204
    await asyncio.gather(*(one(c) for c in CALLERS))


async def _every_caller_once(twilio: TwilioRestDouble, timeout_s: float = 25.0) -> Counter[str]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        sent = Counter(m.to for m in twilio.messages if m.to in CALLERS)
        if set(sent) == set(CALLERS):
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(2.0)  # time for a wrong second send (a stale sweep, a retry) to show
    return Counter(m.to for m in twilio.messages if m.to in CALLERS)


async def test_a_5xx_storm_then_recovery_texts_each_caller_once(server, webhooks, twilio, db):
    await add_business(db, textback_cooldown_hours=0)
    twilio.fail_next(30, status=503, code=20503)
    await _missed_calls(webhooks)
    sent = await _every_caller_once(twilio)
    async with db.transaction() as s:
        rows = [(m.to_number, m.status, m.attempts, m.error_code)
                for m in (await s.execute(select(Message))).scalars()]
    assert sent == Counter({c: 1 for c in CALLERS}), rows


async def test_twilio_answering_after_the_timeout_texts_each_caller_once(server, webhooks,
                                                                         twilio, db):
    await add_business(db, textback_cooldown_hours=0)
    twilio.set_latency(0.8)  # each create lands at Twilio after the app stopped waiting for it
    await _missed_calls(webhooks)
    await asyncio.sleep(3.0)
    twilio.set_latency(0.0)  # recovered
    sent = await _every_caller_once(twilio)
    assert sent == Counter({c: 1 for c in CALLERS})


async def test_accepted_then_dropped_connections_text_each_caller_once(server, webhooks,
                                                                       twilio, db):
    await add_business(db, textback_cooldown_hours=0)
    twilio.drop_after_accept(len(CALLERS))  # Twilio sent them, the app never heard back
    await _missed_calls(webhooks)
    sent = await _every_caller_once(twilio)
    assert sent == Counter({c: 1 for c in CALLERS})
