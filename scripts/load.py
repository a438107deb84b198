"""Never twice, never lost, under load: N app instances on one PostgreSQL, a storm of webhooks.

    .venv/bin/python scripts/load.py [--instances 2 3] [--calls 300] [--rate 60]
        [--answered-share 0.3] [--replies-share 0.2] [--postgres URL] [--max-s 240] [--json]

For each instance count it starts the Twilio REST double and N ``receptionist serve`` processes
(loopback only) on a fresh PostgreSQL database (created beside ``--postgres``, dropped after),
adds one ``ring_then_textback`` business with a team member, then plays calls open-loop at
``--rate`` with every webhook signed and sent to a random instance:

- a missed call: ``/twilio/voice``, then its final status ``canceled`` twice at once (Twilio
  retries), to two different instances;
- an answered call: ``/twilio/voice``, ``/twilio/voice/dial`` (``completed``), final status;
- a reply (``--replies-share`` of missed callers): ``/twilio/sms`` from the caller, the same
  ``MessageSid`` twice to two instances; the team member gets it forwarded once;
- a delivery status for an unknown message (``/twilio/sms/status``), which changes nothing.

Then it waits until the double has every expected text (or ``--settle-s`` passes) and counts, at
the double and in the database: every missed caller texted exactly once, no answered caller
texted, every reply forwarded exactly once. It prints the sustained webhook rate, webhook
p50/p99 and text-back p50/p99 (final status sent -> the SMS at the double), with the machine
reference, and exits 1 when a count is wrong. Everything stops within ``--max-s``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

# The imports below need ROOT on sys.path.
# ruff: noqa: E402
from bench_textback import Callers, cli, free_port, postgres_database, stop, wait_http
from machine_ref import machine_reference

from receptionist.core import WebhookSigner
from scripts.doubles.twilio_rest import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN

VENV_BIN = ROOT / ".venv" / "bin"
BUSINESS_NUMBER = "+12025550100"
FORWARD_TO = "+12025550111"
TEAM_PHONE = "+12025550112"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@dataclass
class Cluster:
    urls: list[str]
    double_url: str
    signer: WebhookSigner
    db_url: str


@contextlib.contextmanager
def cluster(instances: int, admin_url: str, max_s: float):
    tmp = Path(tempfile.mkdtemp(prefix="load_"))
    with contextlib.ExitStack() as cleanup:
        db_url = cleanup.enter_context(postgres_database(admin_url))
        double_port = free_port()
        double = subprocess.Popen(
            [str(VENV_BIN / "python"), "-m", "scripts.doubles.twilio_rest", "--port",
             str(double_port)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cleanup.callback(stop, double)
        double_url = f"http://127.0.0.1:{double_port}"
        ports = [free_port() for _ in range(instances)]
        public_url = f"http://127.0.0.1:{ports[0]}"  # one public URL, as behind a balancer
        env = {k: v for k, v in os.environ.items() if not k.startswith("RECEPTIONIST_")}
        env.update({
            "RECEPTIONIST_DATABASE_URL": db_url, "RECEPTIONIST_DATA_DIR": str(tmp / "data"),
            "RECEPTIONIST_PUBLIC_URL": public_url, "RECEPTIONIST_SECRET_KEY": "load-secret",
            "RECEPTIONIST_TWILIO_ACCOUNT_SID": DEFAULT_ACCOUNT_SID,
            "RECEPTIONIST_TWILIO_AUTH_TOKEN": DEFAULT_AUTH_TOKEN,
            "RECEPTIONIST_TWILIO_API_BASE": double_url, "RECEPTIONIST_DEMO": "false",
            "RECEPTIONIST_LOG_LEVEL": "WARNING", "RECEPTIONIST_OUTBOX_POLL_S": "0.2",
        })
        cli(env, "db", "upgrade")
        cli(env, "business", "add", "--name", "Greenfield Plumbing", "--number",
            BUSINESS_NUMBER, "--routing", "ring_then_textback", "--forward-to", FORWARD_TO,
            "--cooldown-hours", "0")
        cli(env, "team", "add", "--business", BUSINESS_NUMBER, "--name", "Dana", "--phone",
            TEAM_PHONE, "--receives", "replies")
        apps = []
        for port in ports:
            log = (tmp / f"app-{port}.log").open("wb")
            cleanup.callback(log.close)
            app = subprocess.Popen(
                ["timeout", str(int(max_s) + 30), str(VENV_BIN / "receptionist"), "serve",
                 "--no-migrate", "--port", str(port)],
                env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
            cleanup.callback(stop, app)
            apps.append(app)
        wait_http(double_url + "/_double/messages", double, "the Twilio double")
        for port, app in zip(ports, apps, strict=True):
            wait_http(f"http://127.0.0.1:{port}/healthz", app, f"app on {port}")
        yield Cluster([f"http://127.0.0.1:{p}" for p in ports], double_url,
                      WebhookSigner(DEFAULT_AUTH_TOKEN, public_url), db_url)


@dataclass
class Call:
    kind: str  # "missed" | "answered"
    caller: str
    at: float
    reply_sid: str | None = None
    status_sent_at: float | None = None  # time.time() just before the final status
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def plan(args: argparse.Namespace, rng: random.Random) -> list[Call]:
    callers = Callers()
    calls = []
    for i in range(args.calls):
        kind = "answered" if rng.random() < args.answered_share else "missed"
        call = Call(kind, callers.take(), i / args.rate)
        if kind == "missed" and rng.random() < args.replies_share:
            call.reply_sid = "SM" + secrets.token_hex(16)
        calls.append(call)
    return calls


async def post(clients: list[httpx.AsyncClient], signer: WebhookSigner, path: str,
               params: dict[str, str], call: Call, rng: random.Random, expect: int) -> None:
    client = rng.choice(clients)
    body = urlencode(params).encode()
    headers = {**FORM, "X-Twilio-Signature": signer.sign(signer.url_for(path), params)}
    started = time.perf_counter()
    try:
        response = await client.post(path, content=body, headers=headers)
    except httpx.HTTPError as exc:
        call.errors.append(f"{path} {type(exc).__name__}")
        return
    call.latencies.append(time.perf_counter() - started)
    if response.status_code != expect:
        call.errors.append(f"{path} {response.status_code}")


async def play(clients: list[httpx.AsyncClient], signer: WebhookSigner, call: Call,
               rng: random.Random, start: float) -> None:
    loop = asyncio.get_running_loop()
    await asyncio.sleep(max(0.0, start + call.at - loop.time()))
    sid = "CA" + secrets.token_hex(16)
    base = {"AccountSid": DEFAULT_ACCOUNT_SID, "ApiVersion": "2010-04-01", "CallSid": sid,
            "Direction": "inbound", "From": call.caller, "To": BUSINESS_NUMBER}
    await post(clients, signer, "/twilio/voice", {**base, "CallStatus": "ringing"}, call, rng,
               200)
    await asyncio.sleep(rng.uniform(0.2, 0.6))  # the phones ring
    if call.kind == "answered":
        await post(clients, signer, "/twilio/voice/dial",
                   {**base, "CallStatus": "in-progress", "DialCallStatus": "completed"},
                   call, rng, 200)
        final = {**base, "CallStatus": "completed", "CallDuration": "42"}
    else:
        final = {**base, "CallStatus": "canceled", "CallDuration": "0"}
    call.status_sent_at = time.time()
    await asyncio.gather(*(post(clients, signer, "/twilio/voice/status", final, call, rng, 204)
                           for _ in range(2)))  # a retry racing the original
    await post(clients, signer, "/twilio/sms/status",
               {"AccountSid": DEFAULT_ACCOUNT_SID, "MessageSid": "SM" + secrets.token_hex(16),
                "MessageStatus": "delivered", "From": BUSINESS_NUMBER, "To": call.caller},
               call, rng, 204)
    if call.reply_sid:
        await asyncio.sleep(rng.uniform(0.1, 0.4))
        reply = {"AccountSid": DEFAULT_ACCOUNT_SID, "MessageSid": call.reply_sid,
                 "SmsSid": call.reply_sid, "From": call.caller, "To": BUSINESS_NUMBER,
                 "Body": "Can you come today?", "NumMedia": "0", "SmsStatus": "received"}
        await asyncio.gather(*(post(clients, signer, "/twilio/sms", reply, call, rng, 200)
                               for _ in range(2)))


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def db_counts(db_url: str) -> Counter[tuple[str, str]]:
    """(kind, to) of every outbound text the database holds, not canceled."""
    import asyncpg

    conn = await asyncpg.connect("postgresql://" + db_url.split("://", 1)[1])
    try:
        rows = await conn.fetch("SELECT kind, to_number, status FROM textback_message "
                                "WHERE direction = 'out'")
    finally:
        await conn.close()
    return Counter((r["kind"], r["to_number"]) for r in rows if r["status"] != "canceled")


async def storm(args: argparse.Namespace, c: Cluster, calls: list[Call], rng: random.Random,
                deadline: float) -> float:
    """Play every call open-loop; returns the seconds it took."""
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    clients = [httpx.AsyncClient(base_url=u, limits=limits, timeout=30) for u in c.urls]
    try:
        loop = asyncio.get_running_loop()
        start = loop.time() + 0.2
        async with asyncio.timeout(max(1.0, deadline - time.monotonic())):
            await asyncio.gather(*(play(clients, c.signer, call, rng, start) for call in calls))
        return loop.time() - start
    finally:
        for client in clients:
            await client.aclose()


def settle(double_url: str, expected: int, until: float) -> tuple[list[Any], list[Any]]:
    """The double's messages and requests once ``expected`` texts arrived (or ``until``)."""
    with httpx.Client(base_url=double_url, timeout=30) as double:
        while len(double.get("/_double/messages").json()["messages"]) < expected:
            if time.monotonic() > until:
                break
            time.sleep(0.25)
        time.sleep(1.0)  # anything extra (a duplicate) would land now
        return (double.get("/_double/messages").json()["messages"],
                double.get("/_double/requests").json()["requests"])


def run(args: argparse.Namespace, instances: int) -> dict[str, Any]:
    rng = random.Random(args.seed + instances)
    calls = plan(args, rng)
    deadline = time.monotonic() + args.max_s
    missed = {call.caller: call for call in calls if call.kind == "missed"}
    replies = [call for call in calls if call.reply_sid]
    with cluster(instances, args.postgres, args.max_s) as c:
        played_s = asyncio.run(storm(args, c, calls, rng, deadline))
        created, requests = settle(c.double_url, len(missed) + len(replies),
                                   min(deadline, time.monotonic() + args.settle_s))
        stored = asyncio.run(db_counts(c.db_url))
    to_counts = Counter(m["to"] for m in created)
    first_at: dict[str, float] = {}
    for r in requests:
        if r["method"] == "POST" and r["path"].endswith("/Messages.json"):
            first_at.setdefault(r["form"].get("To", ""), r["received_time"])
    problems: list[str] = []
    for caller in missed:
        if to_counts[caller] != 1:
            problems.append(f"missed caller {caller} texted {to_counts[caller]} times")
        if stored[("textback", caller)] != 1:
            problems.append(f"missed caller {caller}: {stored[('textback', caller)]} rows")
    for call in calls:
        if call.kind == "answered" and to_counts[call.caller]:
            problems.append(f"answered caller {call.caller} texted")
        problems += [f"{call.caller}: {e}" for e in call.errors]
    if to_counts[TEAM_PHONE] != len(replies):
        problems.append(f"{len(replies)} replies, {to_counts[TEAM_PHONE]} forwards")
    webhook_s = [s for call in calls for s in call.latencies]
    textback_s = [first_at[caller] - call.status_sent_at for caller, call in missed.items()
                  if caller in first_at and call.status_sent_at]
    return {
        "instances": instances, "calls": len(calls), "missed": len(missed),
        "answered": len(calls) - len(missed), "replies": len(replies),
        "webhooks": len(webhook_s), "webhooks_per_s": round(len(webhook_s) / played_s, 1),
        "webhook_p50_ms": round(pct(webhook_s, 0.5) * 1000, 1),
        "webhook_p99_ms": round(pct(webhook_s, 0.99) * 1000, 1),
        "textback_p50_ms": round(pct(textback_s, 0.5) * 1000, 1),
        "textback_p99_ms": round(pct(textback_s, 0.99) * 1000, 1),
        "texts_at_double": len(created), "problems": problems[:20],
        "problem_count": len(problems),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instances", type=int, nargs="+", default=[2, 3])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--rate", type=float, default=60.0, help="calls started per second")
    parser.add_argument("--answered-share", type=float, default=0.3)
    parser.add_argument("--replies-share", type=float, default=0.2)
    parser.add_argument("--postgres", default=os.environ.get(
        "RECEPTIONIST_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--max-s", type=float, default=240.0, help="hard bound per run")
    parser.add_argument("--settle-s", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    host = args.postgres.split("@", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("--postgres must be on loopback (this drives a local stack only)")
    results = [run(args, n) for n in args.instances]
    reference = machine_reference()
    if args.json:
        print(json.dumps({"machine": reference, "runs": results}, indent=2))
    else:
        print(reference)
        for r in results:
            print(f"N={r['instances']}: {r['calls']} calls ({r['missed']} missed, "
                  f"{r['answered']} answered, {r['replies']} replies), {r['webhooks']} webhooks "
                  f"at {r['webhooks_per_s']}/s, webhook p50 {r['webhook_p50_ms']} ms p99 "
                  f"{r['webhook_p99_ms']} ms, text-back p50 {r['textback_p50_ms']} ms p99 "
                  f"{r['textback_p99_ms']} ms, problems {r['problem_count']}")
            for p in r["problems"]:
                print(f"  {p}")
    sys.exit(1 if any(r["problem_count"] for r in results) else 0)


if __name__ == "__main__":
    main()
