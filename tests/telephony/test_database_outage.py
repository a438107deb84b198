"""PostgreSQL going away under a storm of webhooks (a restart, a failover): a TCP proxy between
the app and the shared PostgreSQL resets every connection and refuses new ones for a few seconds.
Webhooks fail fast with a 5xx (so Twilio retries them), nothing is half written, the pool
recovers by itself once the database is back, and the retried webhooks text each missed caller
exactly once. The machine's PostgreSQL itself is never touched."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from receptionist.telephony.models import Call
from tests.doubles.twilio_rest import TwilioRestDouble
from tests.support.calls import call_params, new_call_sid
from tests.support.factories import add_business
from tests.support.server import AppServer
from tests.support.settings import make_settings
from tests.support.tcp_proxy import TcpProxy
from tests.support.waiting import wait_until
from tests.support.webhooks import Webhooks
from textback import Message

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

CALLERS = [f"+1202555{i:04d}" for i in range(200, 240)]
OUTAGE_S = 3.0
RETRY_S = 0.5  # Twilio's retry, shortened


@dataclass
class Outcomes:
    failures: list[tuple[int, float, float]] = field(default_factory=list)  # status, sent, took
    accepted: list[tuple[float, float]] = field(default_factory=list)  # sent at, took


async def _post_until_ok(hooks: Webhooks, path: str, params: dict[str, str], expect: int,
                         seen: Outcomes, deadline: float) -> None:
    """Post as Twilio does, and again after a failure, until the app takes it."""
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            status = (await hooks.post(path, params)).status_code
        except httpx.TransportError:
            status = 0  # no answer at all: Twilio would wait, then retry
        took = time.monotonic() - started
        if status == expect:
            seen.accepted.append((started, took))
            return
        seen.failures.append((status, started, took))
        await asyncio.sleep(RETRY_S)
    raise AssertionError(f"{path} never accepted")


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
async def test_database_restart_under_load_fails_fast_and_texts_each_caller_once(
        db, twilio: TwilioRestDouble, tmp_path: Path) -> None:
    await add_business(db, textback_cooldown_hours=0)
    real = make_url(db.url)
    with TcpProxy(real.host or "127.0.0.1", real.port or 5432) as proxy:
        proxied = real.set(host="127.0.0.1", port=proxy.port).render_as_string(
            hide_password=False)
        settings = make_settings(proxied, twilio, tmp_path, outbox_stale_sending_s=2.0)
        server = AppServer(settings).start()
        hooks = Webhooks(server)
        seen = Outcomes()
        deadline = time.monotonic() + 60
        try:
            async def missed(n: int, caller: str) -> None:
                await asyncio.sleep(n * 0.1)  # 4 s of calls; the outage is in the middle
                sid = new_call_sid()
                await _post_until_ok(hooks, "/twilio/voice", call_params(sid, caller=caller),
                                     200, seen, deadline)
                await asyncio.sleep(0.1)
                await _post_until_ok(hooks, "/twilio/voice/status", call_params(
                    sid, caller=caller, CallStatus="no-answer"), 204, seen, deadline)

            storm = asyncio.gather(*(missed(n, c) for n, c in enumerate(CALLERS)))
            await asyncio.sleep(1.0)
            proxy.cut()
            await asyncio.sleep(OUTAGE_S)
            proxy.restore()
            restored_at = time.monotonic()
            await storm

            assert seen.failures, "the outage must hit some webhooks"
            assert {status for status, _, _ in seen.failures} == {503}, seen.failures
            slowest_failure = max(took for _, _, took in seen.failures)
            # Fail fast: Twilio gives up on a webhook after 15 s. A refusal costs no more than
            # an accepted webhook does on the same (busy) machine.
            assert slowest_failure < 5.0, seen.failures
            # The pool's recovery: how long after the database is back webhooks are refused
            # still, and how soon one sent after it is accepted.
            last_refused_s = max(sent for _, sent, _ in seen.failures) - restored_at
            first_ok_s = min(sent for sent, _ in seen.accepted if sent >= restored_at) \
                - restored_at
            assert last_refused_s < 0.5, seen.failures  # no dead pooled connection handed out

            await wait_until(lambda: {m.to for m in twilio.messages} == set(CALLERS), 20)
            await asyncio.sleep(2.5)  # a wrong second send would land now
            sent = Counter(m.to for m in twilio.messages)
            assert sent == Counter({c: 1 for c in CALLERS})
            async with db.transaction() as s:
                calls = list((await s.execute(select(Call))).scalars())
                texts = Counter((await s.execute(
                    select(Message.call_sid).where(Message.direction == "out"))).scalars())
                pending = await s.scalar(select(func.count()).select_from(Message).where(
                    Message.status.in_(("pending", "sending"))))
            # No partial writes: every call stored is whole (decided, with its one text).
            assert len(calls) == len(CALLERS)
            assert {c.outcome for c in calls} == {"missed"}
            assert all(texts[c.call_sid] == 1 for c in calls), texts
            assert sum(texts.values()) == len(CALLERS)
            assert pending == 0
            refusals = sorted(took for _, _, took in seen.failures)
            print(f"{len(refusals)} webhooks refused (503) during a {OUTAGE_S:g} s outage in "
                  f"p50 {_ms(refusals, 0.5)} ms, max {_ms(refusals, 1.0)} ms (accepted ones: "
                  f"p50 {_ms(sorted(t for _, t in seen.accepted), 0.5)} ms); last refused "
                  f"webhook sent {last_refused_s * 1000:.0f} ms after the database came back "
                  f"(negative: before), first one sent after it accepted (sent "
                  f"{first_ok_s * 1000:.0f} ms after)")
        finally:
            await hooks.aclose()
            server.stop()


def _ms(ordered: list[float], q: float) -> int:
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000)
