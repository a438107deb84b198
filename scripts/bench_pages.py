"""Server time of each owner page with 10,000 calls in SQLite (target: p95 under 100 ms).

    .venv/bin/python scripts/bench_pages.py [--calls 10000] [--repeat 30]

Migrates a fresh SQLite database (``receptionist db upgrade``'s code), fills it through the
product's tables with one business and ``--calls`` calls over the last 60 days (a third missed,
each with its text-back decision and SMS; a third of those callers reply and most replies are
answered), then requests each page in-process over ASGI (httpx, no socket) as the business's
owner and prints p50/p95 per page. The baseline, measured the same way in the same run, is
``GET /healthz`` (the app's floor: routing and the ASGI round trip, no page work).

The requests are the owner's: a user added by the accounts service (what ``receptionist user
add`` runs) signs in through the /login form first, so each timed request also passes the access
layer (session cookie looked up, principal set).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.machine_ref import machine_reference

BUSINESS_NUMBER = "+12025550100"
TARGET_MS = 100.0


PASSWORD = "bench password, long enough"


async def sign_in(client: httpx.AsyncClient, email: str) -> None:
    import re

    page = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, "no sign-in form"
    r = await client.post("/login", data={"email": email, "password": PASSWORD, "next": "/",
                                          "csrf_token": token.group(1)})
    if r.status_code != 303:
        raise SystemExit(f"sign-in failed: HTTP {r.status_code}")


async def seed(url: str, calls: int) -> tuple[int, str]:
    from sqlalchemy import insert

    from receptionist.agent import TranscriptTurn
    from receptionist.core import Business, Database, PhoneNumber, TeamMember
    from receptionist.telephony.models import Call
    from textback import Contact, Decision, Message

    rng = random.Random(7)
    now = datetime.now(UTC)
    db = Database(url)
    async with db.transaction() as s:
        b = Business(name="Greenfield Plumbing", routing="ring_then_ai",
                     numbers=[PhoneNumber(number=BUSINESS_NUMBER)],
                     team=[TeamMember(name="Dana", phone="+12025550112")])
        s.add(b)
        await s.flush()
        bid = b.id
    callers = [f"+1202555{n:04d}" for n in range(3000)]
    call_rows, decisions, messages, contacts = [], [], [], {}
    for i in range(calls):
        at = now - timedelta(seconds=rng.uniform(0, 60 * 86400))
        caller = rng.choice(callers)
        outcome = rng.choice(["handled_by_ai", "answered_by_team", "missed"])
        sid = f"CA{i:032d}"
        call_rows.append({"call_sid": sid, "business_id": bid, "from_number": caller,
                          "to_number": BUSINESS_NUMBER, "routing": "ring_then_ai",
                          "phase": "ended", "outcome": outcome, "started_at": at,
                          "ended_at": at + timedelta(seconds=60), "duration_s": 60,
                          "missed_reason": "no_answer" if outcome == "missed" else None})
        if outcome != "missed":
            continue
        decisions.append({"call_sid": sid, "business_id": bid, "caller": caller,
                          "missed_reason": "no_answer", "action": "send", "decided_at": at})
        messages.append(_msg(bid, "out", "textback", caller, BUSINESS_NUMBER, caller,
                             "Hi, this is Greenfield Plumbing. Sorry we missed your call!",
                             at + timedelta(seconds=2), "delivered", sid))
        contacts.setdefault(caller, at)
        if rng.random() < 0.33:
            replied = at + timedelta(minutes=rng.uniform(1, 120))
            messages.append(_msg(bid, "in", "reply", BUSINESS_NUMBER, caller, caller,
                                 "Can you come today?", replied, "received", None))
            if rng.random() < 0.8:
                messages.append(_msg(bid, "out", "answer", caller, BUSINESS_NUMBER, caller,
                                     "Yes, at 3 pm.", replied + timedelta(
                                         minutes=rng.uniform(1, 240)), "delivered", None))
    async with db.transaction() as s:
        await s.execute(insert(Call), call_rows)
        await s.execute(insert(Decision), decisions)
        await s.execute(insert(Message), messages)
        await s.execute(insert(Contact), [
            {"business_id": bid, "phone": phone, "short_code": f"T{n:04d}", "opted_out": False,
             "last_textback_at": at, "created_at": at}
            for n, (phone, at) in enumerate(contacts.items())])
        ai_sid = next(r["call_sid"] for r in call_rows if r["outcome"] == "handled_by_ai")
        await s.execute(insert(TranscriptTurn), [
            {"call_sid": ai_sid, "seq": n, "role": "agent" if n % 2 == 0 else "caller",
             "text": "A line of the conversation.", "at_ms": n * 3000,
             "latency_ms": 600 if n % 2 == 0 else None, "interrupted": False}
            for n in range(20)])
    await db.dispose()
    return bid, ai_sid


def _msg(bid: int, direction: str, kind: str, to: str, from_: str, contact: str, body: str,
         at: datetime, status: str, call_sid: str | None) -> dict[str, Any]:
    return {"business_id": bid, "direction": direction, "kind": kind, "to_number": to,
            "from_number": from_, "body": body, "contact_phone": contact, "status": status,
            "created_at": at, "attempts": 1, "segments": 1, "call_sid": call_sid}


async def measure(client: httpx.AsyncClient, path: str, repeat: int) -> list[float]:
    for _ in range(3):  # warm-up: template compile, first queries
        r = await client.get(path)
        if r.status_code != 200:
            raise SystemExit(f"{path}: HTTP {r.status_code}: {r.text[:300]}")
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        r = await client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert r.status_code == 200, path
    return times


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    from receptionist.app import create_app
    from receptionist.cli import upgrade_database
    from receptionist.core import Settings
    from receptionist.core.principal import Role
    from receptionist.services import Overrides

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        await asyncio.to_thread(upgrade_database, url)
        bid, ai_sid = await seed(url, args.calls)
        settings = Settings(database_url=url, data_dir=Path(tmp) / "data", demo=False,
                            secret_key="bench", public_url="http://127.0.0.1:8000")
        app = create_app(settings, Overrides(voice=False, run_workers=False))
        async with app.router.lifespan_context(app):
            from sqlalchemy import select

            from textback import Contact

            services = app.state.services
            await services.accounts.add_user("owner@example.com", PASSWORD, business=bid,
                                             role=Role.OWNER)
            async with services.db.transaction() as s:
                code = await s.scalar(select(Contact.short_code).limit(1))
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                await sign_in(client, "owner@example.com")
                paths = ["/healthz", "/", "/overview.csv", "/calls", "/calls?q=5550123",
                         "/calls?outcome=missed&page=20", f"/calls/{ai_sid}", "/inbox",
                         f"/inbox/{code}", "/settings", "/bookings", "/knowledge"]
                results = {p: await measure(client, p, args.repeat) for p in paths}
    print(machine_reference())
    print(f"{args.calls} calls in SQLite, {args.repeat} requests per page, in-process ASGI")
    print(f"{'page':<34}{'p50 ms':>9}{'p95 ms':>9}")
    worst = 0.0
    for path, times in results.items():
        p50 = statistics.median(times)
        p95 = statistics.quantiles(times, n=20)[18]
        label = path + ("  (baseline)" if path == "/healthz" else "")
        if path != "/healthz":
            worst = max(worst, p95)
        print(f"{label:<34}{p50:>9.1f}{p95:>9.1f}")
    verdict = "met" if worst < TARGET_MS else "MISSED"
    print(f"target p95 < {TARGET_MS:.0f} ms on every page: {verdict} (worst p95 {worst:.1f} ms)")


if __name__ == "__main__":
    asyncio.run(main())
