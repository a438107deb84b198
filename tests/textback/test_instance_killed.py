"""An app instance SIGKILLed while it drains the outbox: texts it had queued (claimed, waiting for
a send slot, one in flight at a slow Twilio) are finished by the instance that survives, and
every missed caller gets exactly one text, counted at the Twilio double and in the database.

Two ``receptionist serve`` processes behind one public URL on one PostgreSQL database."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.doubles.twilio_rest import TwilioRestDouble
from tests.support.calls import call_params, new_call_sid
from tests.support.factories import add_business
from tests.support.server import free_port
from tests.support.settings import make_settings
from tests.support.voice import ServerProcess
from tests.support.waiting import wait_until
from tests.support.webhooks import Webhooks
from textback import Message

# Two app processes starting on a busy machine take most of the time.
pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.timeout(480)]

CALLERS = [f"+1202555{i:04d}" for i in range(170, 182)]
START_S = 180.0  # a busy machine takes long to import the app
LATENCY_S = 0.4  # Twilio answering each create slowly: the killed instance has a queue


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
async def test_killed_mid_drain_another_instance_texts_each_caller_once(
        db, twilio: TwilioRestDouble, tmp_path: Path) -> None:
    await add_business(db, textback_cooldown_hours=0)
    # One send slot and a short stale claim, so the queue is long and the survivor takes over
    # within the test; the same paths run with 16 slots and 60 s in production.
    settings = make_settings(db.url, twilio, tmp_path, outbox_concurrency=1,
                             outbox_stale_sending_s=2.0, outbox_send_timeout_s=5.0,
                             outbox_max_attempts=10)
    doomed = ServerProcess(settings, log=tmp_path / "doomed.log")
    survivor = ServerProcess(settings, port=free_port(), log=tmp_path / "survivor.log")
    await asyncio.gather(*(asyncio.to_thread(p.start, START_S) for p in (doomed, survivor)))
    hooks = Webhooks(doomed)  # type: ignore[arg-type]  # every missed call lands on one instance
    try:
        twilio.set_latency(LATENCY_S)

        async def missed(caller: str) -> None:
            sid = new_call_sid()
            r = await hooks.post("/twilio/voice", call_params(sid, caller=caller))
            assert r.status_code == 200
            r = await hooks.post("/twilio/voice/status",
                                 call_params(sid, caller=caller, CallStatus="no-answer"))
            assert r.status_code == 204

        await asyncio.gather(*(missed(c) for c in CALLERS))
        await wait_until(lambda: len(_texts(twilio)) >= 3, 20)
        await asyncio.sleep(LATENCY_S / 2)  # one more create is at Twilio, its answer not back
        doomed.kill()
        killed_at = time.monotonic()
        texted_before_kill = len(_texts(twilio))
        assert 3 <= texted_before_kill < len(CALLERS) - 3, "the kill must leave a queue"

        await wait_until(lambda: set(_texts(twilio)) == set(CALLERS), 45)
        finished_s = time.monotonic() - killed_at
        await asyncio.sleep(3.0)  # a wrong second send (a stale sweep, a retry) would land now
        sent = Counter(_texts(twilio))
        async with db.transaction() as s:
            rows = list((await s.execute(select(Message).where(
                Message.direction == "out", Message.to_number.in_(CALLERS)))).scalars())
        assert sent == Counter({c: 1 for c in CALLERS}), (sent, texted_before_kill)
        assert Counter(m.to_number for m in rows) == Counter({c: 1 for c in CALLERS})
        at_twilio = {m.sid for m in twilio.messages if m.to in CALLERS}
        assert {m.provider_sid for m in rows} == at_twilio  # each row knows its one SMS
        assert {m.status for m in rows} <= {"queued", "sent", "delivered"}
        print(f"killed with {len(CALLERS) - texted_before_kill} of {len(CALLERS)} texts "
              f"unsent; the survivor finished them {finished_s:.1f} s after the kill")
    finally:
        await hooks.aclose()
        doomed.stop()
        survivor.stop()


def _texts(twilio: TwilioRestDouble) -> list[str]:
    return [m.to for m in twilio.messages if m.to in CALLERS]
