"""Missed-call text-back latency under an open-loop load of signed Twilio webhooks.

    .venv/bin/python scripts/bench_textback.py [--db sqlite|postgres] [--rate 50] [--seconds 20]
        [--with-naive | --naive] [--baseline-ref GIT_REF] [--rounds N] [--find-max]
        [--twilio-latency-ms 0] [--ring-s 1.0] [--sms-status] [--app-pythonpath DIRS]
        [--profile FILE]

Starts the Twilio REST double (``python -m scripts.doubles.twilio_rest``) and the app
(``receptionist serve``) as two processes on a fresh database (a temporary SQLite file, or a
PostgreSQL database created beside ``--postgres`` and dropped afterwards), adds one business with
``ring_then_textback`` routing, then plays missed calls on a fixed arrival schedule: at each
call's time a signed ``POST /twilio/voice``, then ``--ring-s`` later a signed
``POST /twilio/voice/status`` with ``CallStatus=canceled``. Every call has its own caller
number, so each SMS the double receives is matched to its call by its ``To``.

Latency = the double's ``received_time`` of the SMS request minus ``time.time()`` taken just
before the status callback is sent. The first ``--warmup`` seconds are played but not counted.
``--sms-status`` then has the double send each text's signed delivery status callback
(``POST /twilio/sms/status``, as Twilio does once the carrier reports), and the app's CPU per
call includes them: the whole missed call as Twilio plays it.

``--naive`` serves, instead of the product, the design we compare with: the same app with its
outbox worker off and a status webhook that sends the SMS itself (the product's ``CallService``
decides and queues it, then the webhook claims that row and awaits ``OutboxWorker.send_claimed``)
before answering Twilio. It lives here (``--serve-naive``), not in the product. ``--with-naive``
runs both in one invocation and prints the product's ratio to the naive design;
``--baseline-ref REF`` also runs the product as of commit REF (before vs after a change), from
the same venv; ``--rounds N`` alternates the designs N times and compares medians. The machine
reference (``scripts/machine_ref.py``) is printed before and after the figures.

``--find-max`` plays ``--seconds`` at ``--rate``, then steps the rate up until a step fails (p99
over 1 s, an SMS missing or duplicated, a webhook failing) — or down by halves if the first step
fails — and bisects twice between the best passing and the first failing rate.

Other work on this machine skews every figure, so each step first waits (``--quiet-below``,
``--quiet-wait-s``) until the machine is nearly idle and reports the load it saw (``bg``).
``--app-pythonpath`` puts extra packages (e.g. uvloop and httptools, which uvicorn then uses) on
the app's path only, to measure a proposed change without touching the project's venv.
"""
# bench_all: --db sqlite --rate 50 --seconds 20 --with-naive --quiet-wait-s 30
# bench_all: --db postgres --rate 50 --seconds 20 --with-naive --quiet-wait-s 30

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from fastapi import APIRouter, Response
from sqlalchemy import update

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The imports below need ROOT on sys.path.
# ruff: noqa: E402
from receptionist.app import create_app
from receptionist.core import (
    WebhookSigner,
    business_for_number,
    configure_logging,
    load_settings,
    try_normalize,
)
from receptionist.core.webhooks import TwilioForm
from receptionist.deps import ServicesDep
from receptionist.services import Overrides
from receptionist.telephony.lifecycle import CallEnded
from receptionist.telephony.routes import call_status
from scripts.doubles.twilio_rest import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN
from scripts.machine_ref import machine_reference
from textback import Message

VENV_BIN = ROOT / ".venv" / "bin"
BUSINESS_NUMBER = "+12025550100"
FORWARD_TO = "+12025550111"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
FIND_MAX_RATES = [50, 100, 150, 200, 250, 300, 400, 500, 600, 800, 1000, 1200, 1600]
P99_LIMIT_S = 1.0
PROFILED_APP = """
import sys
from pyinstrument import Profiler
from receptionist.cli import main
sys.argv = ["receptionist", "serve", "--no-migrate", "--port", "{port}"]
profiler = Profiler(interval=0.0005, async_mode="disabled")
profiler.start()
try:
    main()
except KeyboardInterrupt:
    pass
finally:
    profiler.stop()
    text = profiler.output_text(unicode=False, color=False, show_all=False)
    with open({out!r}, "w") as out:
        out.write(text)
"""


# -- processes ---------------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def machine_busy_s() -> float:
    """CPU seconds all cores spent not idle, from /proc/stat (Linux)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Stack:
    """The double and the app, running."""

    app_url: str
    double_url: str
    signer: WebhookSigner
    app: subprocess.Popen[bytes]
    double: subprocess.Popen[bytes]
    log_path: Path

    def cpu(self) -> tuple[float, float]:
        """CPU seconds of the app and of the whole machine so far."""
        return cpu_seconds(self.app.pid), machine_busy_s()


def wait_http(url: str, proc: subprocess.Popen[bytes], what: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited with {proc.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=1).status_code < 500:
                return
        time.sleep(0.1)
    raise SystemExit(f"{what} did not answer {url} within {timeout_s:.0f} s")


def stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM, wait_s: float = 10) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(wait_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def cli(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(VENV_BIN / "receptionist"), *args], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)


@contextlib.contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A fresh database on the server of ``admin_url``, dropped afterwards."""
    import asyncpg

    dsn = "postgresql://" + admin_url.split("://", 1)[1]
    name = "bench_textback_" + secrets.token_hex(4)

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@dataclass(frozen=True)
class Design:
    """What serves the webhooks in a run: the product (from this tree, or from ``root``, a
    commit exported by ``--baseline-ref``) or the naive design."""

    name: str
    naive: bool = False
    root: Path = ROOT


@contextlib.contextmanager
def exported_tree(ref: str) -> Iterator[Path]:
    """The project's files at git ``ref``, in a temporary directory (the same venv runs it)."""
    tmp = Path(tempfile.mkdtemp(prefix="bench_baseline_"))
    try:
        archive = subprocess.run(["git", "archive", ref], cwd=ROOT, check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive, check=True)
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def stack(args: argparse.Namespace, design: Design) -> Iterator[Stack]:
    tmp = Path(tempfile.mkdtemp(prefix="bench_textback_"))
    try:
        with contextlib.ExitStack() as cleanup:
            if args.db == "postgres":
                db_url = cleanup.enter_context(postgres_database(args.postgres))
            else:
                db_url = f"sqlite+aiosqlite:///{tmp}/receptionist.db"
            double_port, app_port = free_port(), free_port()
            double = subprocess.Popen(
                [str(VENV_BIN / "python"), "-m", "scripts.doubles.twilio_rest",
                 "--port", str(double_port)],
                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            cleanup.callback(stop, double)
            double_url = f"http://127.0.0.1:{double_port}"
            app_url = f"http://127.0.0.1:{app_port}"
            env = {k: v for k, v in os.environ.items() if not k.startswith("RECEPTIONIST_")}
            env.update({
                "RECEPTIONIST_DATABASE_URL": db_url,
                "RECEPTIONIST_DATA_DIR": str(tmp / "data"),
                "RECEPTIONIST_PUBLIC_URL": app_url,
                "RECEPTIONIST_PORT": str(app_port),
                "RECEPTIONIST_SECRET_KEY": "bench-secret",
                "RECEPTIONIST_TWILIO_ACCOUNT_SID": DEFAULT_ACCOUNT_SID,
                "RECEPTIONIST_TWILIO_AUTH_TOKEN": DEFAULT_AUTH_TOKEN,
                "RECEPTIONIST_TWILIO_API_BASE": double_url,
                "RECEPTIONIST_DEMO": "false",
            })
            env.update(dict(kv.split("=", 1) for kv in args.env))
            cli(env, "db", "upgrade")
            cli(env, "business", "add", "--name", "Greenfield Plumbing", "--number",
                BUSINESS_NUMBER, "--routing", "ring_then_textback", "--forward-to", FORWARD_TO,
                "--cooldown-hours", "0")
            # The app's code comes from design.root (this tree, or an exported baseline commit):
            # it goes first on the app's path, before the venv's editable install of this tree.
            env["PYTHONPATH"] = os.pathsep.join(
                p for p in (str(design.root), args.app_pythonpath) if p)
            if design.naive:
                command = [str(VENV_BIN / "python"), str(Path(__file__).resolve()),
                           "--serve-naive", "--port", str(app_port)]
            elif args.profile:  # pyinstrument (a dev extra) samples the app's event loop thread
                command = [str(VENV_BIN / "python"), "-c", PROFILED_APP.format(
                    out=str(Path(args.profile).resolve()), port=app_port)]
            else:
                command = [str(VENV_BIN / "python"), "-m", "receptionist.cli", "serve",
                           "--no-migrate", "--port", str(app_port)]
            log_path = tmp / "app.log"
            with log_path.open("wb") as log_file:
                app = subprocess.Popen(command, env=env, cwd=design.root, stdout=log_file,
                                       stderr=subprocess.STDOUT)
            # uvicorn re-raises SIGTERM after its shutdown, which would lose the profile;
            # SIGINT ends in a KeyboardInterrupt, after which the profile is written.
            if args.profile:  # writing the call tree takes a while
                cleanup.callback(stop, app, signal.SIGINT, 180)
            else:
                cleanup.callback(stop, app)
            wait_http(double_url + "/_double/messages", double, "the Twilio double")
            wait_http(app_url + "/healthz", app, "the app")
            signer = WebhookSigner(DEFAULT_AUTH_TOKEN, app_url)
            yield Stack(app_url, double_url, signer, app, double, log_path)
            if args.keep_log:
                shutil.copy(log_path, args.keep_log)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# -- the load ----------------------------------------------------------------------------------


class Callers:
    """Distinct valid US numbers (+1 202 NXX XXXX, never 555), one per call."""

    def __init__(self) -> None:
        self._next = 0

    def take(self) -> str:
        n = self._next
        self._next += 1
        nxx = 200 + n // 10_000
        if nxx >= 555:
            nxx += 1
        return f"+1202{nxx}{n % 10_000:04d}"


@dataclass
class PlannedCall:
    caller: str
    at: float  # seconds after the start of the run
    counted: bool  # False during warm-up
    voice_body: bytes
    voice_headers: dict[str, str]
    status_body: bytes
    status_headers: dict[str, str]
    # filled in by the run
    voice_lag_s: float = 0.0  # generator lateness: sent after its scheduled time
    status_lag_s: float = 0.0  # same, after max(scheduled, incoming-call webhook answered)
    voice_started: float = 0.0  # loop time the incoming-call webhook was sent
    voice_s: float | None = None
    status_s: float | None = None
    status_sent_at: float | None = None  # time.time() just before the status callback
    error: str | None = None


def plan_calls(signer: WebhookSigner, callers: Callers, rate: float, seconds: float,
               warmup_s: float) -> list[PlannedCall]:
    """Bodies and signatures made up front, so the generator only sends during the run."""
    calls = []
    for i in range(round(rate * (warmup_s + seconds))):
        call_sid, caller = "CA" + secrets.token_hex(16), callers.take()
        base = {"AccountSid": DEFAULT_ACCOUNT_SID, "ApiVersion": "2010-04-01",
                "CallSid": call_sid, "Direction": "inbound", "From": caller,
                "To": BUSINESS_NUMBER}
        voice = {**base, "CallStatus": "ringing"}
        status = {**base, "CallStatus": "canceled", "CallDuration": "0",
                  "CallbackSource": "call-progress-events", "SequenceNumber": "0"}
        calls.append(PlannedCall(
            caller=caller, at=i / rate, counted=i >= rate * warmup_s,
            voice_body=urlencode(voice).encode(),
            voice_headers={**FORM, "X-Twilio-Signature": signer.sign(
                signer.url_for("/twilio/voice"), voice)},
            status_body=urlencode(status).encode(),
            status_headers={**FORM, "X-Twilio-Signature": signer.sign(
                signer.url_for("/twilio/voice/status"), status)},
        ))
    return calls


async def play_call(client: httpx.AsyncClient, call: PlannedCall, start: float,
                    ring_s: float) -> None:
    loop = asyncio.get_running_loop()
    try:
        sent = call.voice_started = loop.time()
        call.voice_lag_s = sent - (start + call.at)
        response = await client.post("/twilio/voice", content=call.voice_body,
                                     headers=call.voice_headers)
        call.voice_s = loop.time() - sent
        if response.status_code != 200:
            call.error = f"voice {response.status_code}"
            return
        due = max(start + call.at + ring_s, loop.time())  # later if the app answered late
        await asyncio.sleep(due - loop.time())
        sent = loop.time()
        call.status_lag_s = sent - due
        call.status_sent_at = time.time()
        response = await client.post("/twilio/voice/status", content=call.status_body,
                                     headers=call.status_headers)
        call.status_s = loop.time() - sent
        if response.status_code != 204:
            call.error = f"status {response.status_code}"
    except httpx.HTTPError as exc:
        call.error = type(exc).__name__


async def generator(client: httpx.AsyncClient, calls: list[PlannedCall], start: float,
                    ring_s: float) -> None:
    """One load-generator task: starts each of its calls on schedule, never waits for one."""
    loop = asyncio.get_running_loop()
    async with asyncio.TaskGroup() as tasks:
        for call in calls:
            await asyncio.sleep(max(0.0, start + call.at - loop.time()))
            tasks.create_task(play_call(client, call, start, ring_s))


async def drive(base_url: str, calls: list[PlannedCall], ring_s: float,
                generators: int) -> None:
    """Play ``calls`` open-loop across ``generators`` tasks, each with its own keep-alive pool."""
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=400)
    clients = [httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60)
               for _ in range(generators)]
    try:
        loop = asyncio.get_running_loop()
        start = loop.time() + 0.2
        async with asyncio.TaskGroup() as tasks:
            for g, client in enumerate(clients):
                tasks.create_task(generator(client, calls[g::generators], start, ring_s))
    finally:
        for client in clients:
            await client.aclose()


def sms_arrivals(double_url: str) -> dict[str, list[float]]:
    """``received_time`` of every message create the double saw, by recipient."""
    requests = httpx.get(double_url + "/_double/requests", timeout=60).json()["requests"]
    arrivals: dict[str, list[float]] = {}
    for r in requests:
        if r["method"] == "POST" and r["path"].endswith("/Messages.json"):
            arrivals.setdefault(r["form"].get("To", ""), []).append(r["received_time"])
    return arrivals


def wait_for_sms(double_url: str, expected: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        got = httpx.get(double_url + "/_double/messages", timeout=60).json()["messages"]
        if len(got) >= expected:
            return
        time.sleep(0.5)


def deliver_all(double_url: str, workers: int = 8) -> int:
    """Have the double send every text's ``delivered`` status callback to the app (signed, to
    its ``StatusCallback``), a few at a time; returns how many the app did not answer 2xx."""
    from concurrent.futures import ThreadPoolExecutor

    sids = [m["sid"] for m in httpx.get(double_url + "/_double/messages",
                                          timeout=60).json()["messages"]]
    with httpx.Client(base_url=double_url, timeout=60) as client:
        def deliver(sid: str) -> bool:
            answer = client.post("/_double/deliver",
                                 json={"message_sid": sid, "status": "delivered"})
            return answer.status_code == 200 and answer.json().get("status_code", 0) < 300

        with ThreadPoolExecutor(workers) as pool:
            return sum(1 for ok in pool.map(deliver, sids) if not ok)


# -- figures -----------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))]


@dataclass
class StepResult:
    label: str
    rate: float
    achieved: float  # incoming calls actually started per second
    counted: int
    sms_s: list[float]
    voice_s: list[float]
    status_s: list[float]
    lag_s: list[float]
    missing: int
    duplicates: int
    errors: dict[str, int]
    app_ms: float  # app CPU per call, from the first webhook until every SMS is in
    machine_ms: float  # the whole machine's CPU per call (app, PostgreSQL, double, generator…)
    gen_load: float  # the generator process's CPU while it played the schedule (1.0 = a core)
    background: float  # the machine's load just before the step, our stack idle (2.0 = 2 cores)

    @property
    def p99(self) -> float:
        return pct(self.sms_s, 99)

    @property
    def ok(self) -> bool:
        return (self.p99 <= P99_LIMIT_S and not self.missing and not self.errors
                and not self.duplicates)


def machine_load(window_s: float = 1.0) -> float:
    """Cores busy on the whole machine over ``window_s`` (2.0 = both of 2 cores)."""
    before = machine_busy_s()
    time.sleep(window_s)
    return (machine_busy_s() - before) / window_s


def wait_for_quiet(limit: float, timeout_s: float) -> float:
    """Other work shares this machine: wait (up to ``timeout_s``) until the load without us is
    under ``limit`` cores; returns the last load seen."""
    deadline = time.monotonic() + timeout_s
    load = machine_load()
    while load > limit and time.monotonic() < deadline:
        load = machine_load()
    return load


def run_step(stack: Stack, callers: Callers, args: argparse.Namespace, rate: float,
             seconds: float, label: str) -> StepResult:
    calls = plan_calls(stack.signer, callers, rate, seconds, args.warmup)
    httpx.post(stack.double_url + "/_double/reset", json={}, timeout=10).raise_for_status()
    if args.twilio_latency_ms:
        httpx.post(stack.double_url + "/_double/set_latency",
                   json={"latency_s": args.twilio_latency_ms / 1000}, timeout=10)
    background = wait_for_quiet(args.quiet_below, args.quiet_wait_s)
    app0, all0 = stack.cpu()
    gen0, wall0 = time.process_time(), time.monotonic()
    asyncio.run(drive(stack.app_url, calls, args.ring_s, args.generators))
    gen_load = (time.process_time() - gen0) / (time.monotonic() - wall0)
    expected = sum(1 for c in calls if c.error is None)
    wait_for_sms(stack.double_url, expected, timeout_s=max(30.0, 2 * seconds))
    errors_at_status = deliver_all(stack.double_url) if args.sms_status else 0
    app1, all1 = stack.cpu()
    arrivals = sms_arrivals(stack.double_url)
    counted = [c for c in calls if c.counted]
    sms, missing, duplicates, errors = [], 0, 0, {}
    for c in counted:
        if c.error is not None:
            errors[c.error] = errors.get(c.error, 0) + 1
            continue
        got = arrivals.get(c.caller, [])
        duplicates += max(0, len(got) - 1)
        if not got:
            missing += 1
        elif c.status_sent_at is not None:
            sms.append(min(got) - c.status_sent_at)
    if errors_at_status:
        errors["sms status"] = errors_at_status
    if args.calls_csv:
        _write_calls(Path(args.calls_csv), label, calls, arrivals)
    return StepResult(
        label=label, rate=rate, achieved=_achieved(calls), counted=len(counted),
        sms_s=sms, voice_s=[c.voice_s for c in counted if c.voice_s is not None],
        status_s=[c.status_s for c in counted if c.status_s is not None],
        lag_s=[max(c.voice_lag_s, c.status_lag_s) for c in counted],
        missing=missing, duplicates=duplicates, errors=errors,
        app_ms=(app1 - app0) / len(calls) * 1000, machine_ms=(all1 - all0) / len(calls) * 1000,
        gen_load=gen_load, background=background,
    )


def _write_calls(path: Path, label: str, calls: list[PlannedCall],
                 arrivals: dict[str, list[float]]) -> None:
    """One line per call (appended): when it was due, webhook times, SMS latency, in seconds."""
    new = not path.exists()
    with path.open("a") as out:
        if new:
            out.write("run,at_s,counted,voice_s,status_s,sms_s,error\n")
        for c in calls:
            got = arrivals.get(c.caller)
            sms = min(got) - c.status_sent_at if got and c.status_sent_at else ""
            out.write(f"{label},{c.at:.4f},{int(c.counted)},{c.voice_s or ''},"
                      f"{c.status_s or ''},{sms},{c.error or ''}\n")


def _achieved(calls: list[PlannedCall]) -> float:
    """Incoming calls actually started per second over the schedule."""
    starts = sorted(c.voice_started for c in calls)
    return (len(starts) - 1) / (starts[-1] - starts[0]) if len(starts) > 1 else 0.0


def ms(value: float) -> str:
    return "-" if value != value else f"{value * 1000:.1f}"


COLUMNS = [  # (heading, width)
    ("run", 22), ("rate", 5), ("got", 5), ("calls", 5), ("│", 1),
    ("SMS p50", 7), ("p95", 7), ("p99", 7), ("max", 7), ("│", 1),
    ("voice p50", 9), ("p99", 7), ("│", 1), ("status p50", 10), ("p99", 7), ("max", 7), ("│", 1),
    ("lag p99", 7), ("max", 6), ("gen", 4), ("│", 1), ("app ms", 6), ("all ms", 6), ("bg", 4),
    ("│", 1), ("result", 0),
]
HEADER = " ".join(f"{h:<{w}}" if i == 0 else f"{h:>{w}}" for i, (h, w) in enumerate(COLUMNS))


def row(r: StepResult) -> str:
    problems = [f"{r.missing} missing"] if r.missing else []
    problems += [f"{r.duplicates} duplicate"] if r.duplicates else []
    problems += [f"{n}× {e}" for e, n in r.errors.items()]
    verdict = "ok" if r.ok else "FAIL " + ", ".join(problems or [f"p99>{P99_LIMIT_S:g}s"])
    worst = float("nan")
    cells = [
        r.label, f"{r.rate:g}", f"{r.achieved:.1f}", str(r.counted), "│",
        ms(pct(r.sms_s, 50)), ms(pct(r.sms_s, 95)), ms(r.p99), ms(max(r.sms_s, default=worst)),
        "│", ms(pct(r.voice_s, 50)), ms(pct(r.voice_s, 99)), "│", ms(pct(r.status_s, 50)),
        ms(pct(r.status_s, 99)), ms(max(r.status_s, default=worst)), "│",
        ms(pct(r.lag_s, 99)), ms(max(r.lag_s, default=worst)), f"{r.gen_load:.0%}", "│",
        f"{r.app_ms:.1f}", f"{r.machine_ms:.1f}", f"{r.background:.0%}", "│", verdict,
    ]
    return " ".join(f"{c:<{w}}" if i == 0 else f"{c:>{w}}"
                    for i, (c, (_, w)) in enumerate(zip(cells, COLUMNS, strict=True)))


def find_max(stack: Stack, callers: Callers, args: argparse.Namespace, name: str,
             results: list[StepResult]) -> float | None:
    """Step the rate up from ``--rate`` until a step fails (down by halves if the first one
    does), then bisect twice between the best passing and the first failing rate."""

    def step(rate: float) -> bool:
        result = run_step(stack, callers, args, rate, args.seconds, f"{name} max@{rate:g}")
        results.append(result)
        print(row(result), flush=True)
        return result.ok

    best: float | None = None
    bad: float | None = None
    for rate in [args.rate, *(r for r in FIND_MAX_RATES if r > args.rate)]:
        if not step(rate):
            bad = rate
            break
        best = rate
    while best is None and bad is not None and bad / 2 >= 5:
        rate = round(bad / 2)
        if step(rate):
            best = rate
        else:
            bad = rate
    for _ in range(2):
        if best is None or bad is None or bad - best <= max(5.0, best * 0.1):
            break
        rate = round((best + bad) / 2)
        if step(rate):
            best = rate
        else:
            bad = rate
    return best


# -- the naive design (served by this script with --serve-naive) -------------------------------


async def naive_status(form: TwilioForm, state: ServicesDep) -> Response:
    """``/twilio/voice/status`` as the naive design has it: decide (the product's
    ``CallService``, which queues the SMS row), then claim that row and send it through the
    product's ``OutboxWorker.send_claimed`` before answering Twilio."""
    call_sid, number = form.get("CallSid", ""), try_normalize(form.get("To"))
    if form.get("ParentCallSid") or not call_sid or number is None:
        return await call_status(form, state.calls)
    async with state.db.transaction() as session:
        business = await business_for_number(session, number)
    applied = await state.calls.apply(
        call_sid, CallEnded(form.get("CallStatus", ""), form.get("AnsweredBy")),
        business=business, from_number=form.get("From"),
        to_number=business.primary_number if business else None,
        data={"status": form.get("CallStatus"), "seq": form.get("SequenceNumber")},
    )
    if applied.will_text and applied.decision and applied.decision.message_id:
        async with state.db.transaction() as session:  # claim this call's row, then send it
            msg = (await session.execute(
                update(Message)
                .where(Message.id == applied.decision.message_id, Message.status == "pending")
                .values(status="sending", claimed_at=state.clock.now(),
                        attempts=Message.attempts + 1)
                .returning(Message)
            )).scalar_one_or_none()
        if msg is not None:
            await state.outbox.send_claimed(msg)
    return Response(status_code=204)


def serve_naive(port: int) -> None:
    """The product's app with its outbox worker off and the status webhook above in front of
    the product's own — the design the outbox replaced, for comparison only."""
    import uvicorn

    settings = load_settings()
    configure_logging(settings.log_level, as_json=settings.log_json)
    app = create_app(settings, Overrides(run_workers=False))
    naive = APIRouter()
    naive.add_api_route("/twilio/voice/status", naive_status, methods=["POST"])
    app.router.routes[:0] = naive.routes  # matched before the product's own status route
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio",
                proxy_headers=True)


# -- main --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test",
                        help="server (and admin database) to create the bench database on")
    parser.add_argument("--rate", type=float, default=50, help="missed calls per second")
    parser.add_argument("--seconds", type=float, default=20, help="measured seconds per step")
    parser.add_argument("--warmup", type=float, default=2, help="seconds played, not counted")
    parser.add_argument("--ring-s", type=float, default=1.0,
                        help="from the incoming-call webhook to the status callback")
    parser.add_argument("--sms-status", action="store_true",
                        help="then have the double send each text's delivery status callback; "
                        "the app's CPU per call includes them")
    parser.add_argument("--naive", action="store_true",
                        help="only the naive design (send inside the status webhook)")
    parser.add_argument("--with-naive", action="store_true",
                        help="also run the naive design, and print the product's ratio to it")
    parser.add_argument("--baseline-ref", metavar="GIT_REF",
                        help="also run the product as of this commit (exported to a temporary "
                        "directory, same venv), and print the ratio: before vs after")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run every design this many times, alternating")
    parser.add_argument("--find-max", action="store_true", help="step the rate up to p99 > 1 s")
    parser.add_argument("--twilio-latency-ms", type=float, default=0,
                        help="the double answers message creates this much later")
    parser.add_argument("--generators", type=int, default=4, help="load-generator tasks")
    parser.add_argument("--quiet-below", type=float, default=0.3, metavar="CORES",
                        help="before each step, wait until other work on the machine is under "
                        "this many busy cores")
    parser.add_argument("--quiet-wait-s", type=float, default=120,
                        help="wait at most this long for that")
    parser.add_argument("--app-pythonpath", metavar="DIRS", default="",
                        help="PYTHONPATH for the app only, e.g. a dir with uvloop and httptools "
                        "(uvicorn then uses them); the product as shipped has neither")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="extra environment for the app, e.g. RECEPTIONIST_LOG_LEVEL=WARNING "
                        "(repeatable)")
    parser.add_argument("--keep-log", metavar="FILE", help="copy the app's log here")
    parser.add_argument("--profile", metavar="FILE",
                        help="run the app under pyinstrument and write its call tree here "
                        "(slower: for where the time goes, not for the figures)")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--calls-csv", metavar="FILE", help="append one line per call here")
    parser.add_argument("--serve-naive", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_naive:
        serve_naive(args.port)
        return

    # Cleanup (the app, the double, the PostgreSQL database) runs on SIGTERM as on Ctrl-C.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    print(machine_reference(), flush=True)
    print(f"db: {args.db}; ring {args.ring_s:g} s; Twilio latency {args.twilio_latency_ms:g} ms; "
          f"{'SMS status callbacks sent; ' if args.sms_status else ''}"
          f"{args.generators} generator tasks; warm-up {args.warmup:g} s; "
          f"{'app PYTHONPATH+=' + args.app_pythonpath if args.app_pythonpath else 'app as shipped'}"
          f"{' ' + ' '.join(args.env) if args.env else ''}")
    print("times in ms. SMS: status callback sent -> SMS request at the double. lag: how late "
          "the generator sent; gen: its CPU (100% = a core). app ms / all ms: CPU per call of "
          "the app / of the whole machine. bg: the machine's load just before the step, our "
          "stack idle (200% = both cores busy with other work)")
    with contextlib.ExitStack() as trees:
        designs = [Design(f"{args.db}")] if not args.naive else []
        if args.baseline_ref:
            root = trees.enter_context(exported_tree(args.baseline_ref))
            designs.insert(0, Design(f"{args.db} @{args.baseline_ref[:10]}", root=root))
        if args.naive or args.with_naive:
            designs.append(Design(f"{args.db} naive", naive=True))
        print(HEADER, flush=True)
        by_design: dict[str, list[StepResult]] = {d.name: [] for d in designs}
        for _ in range(args.rounds):  # alternating designs, so a busy spell hits them alike
            for design in designs:
                by_design[design.name] += run_design(args, design)
    results = [r for runs in by_design.values() for r in runs]
    product = by_design.get(args.db, [])
    if product and not args.find_max:
        last = product[-1]
        target = pct(last.sms_s, 50) < 0.020 and last.p99 < 0.100
        print(f"targets at {args.rate:g} calls/s (p50 < 20 ms, p99 < 100 ms): "
              f"{'met' if target else 'MISSED'}; app CPU per call "
              f"{median([r.app_ms for r in product]):.1f} ms (target <= 8)")
        for name, other in by_design.items():
            if name != args.db and other and not args.find_max:
                print(ratio_line(name, other, args.db, product))
    print(machine_reference(), flush=True)  # again: the machine may have changed meanwhile
    if args.json:
        Path(args.json).write_text(json.dumps([_summary(r) for r in results], indent=1))


def run_design(args: argparse.Namespace, design: Design) -> list[StepResult]:
    results: list[StepResult] = []
    with stack(args, design) as running:
        callers = Callers()
        if args.find_max:
            best = find_max(running, callers, args, design.name, results)
            print(f"{design.name}: highest sustained rate with p99 <= {P99_LIMIT_S:g} s: "
                  f"{best if best is not None else 'none'} calls/s", flush=True)
        else:
            result = run_step(running, callers, args, args.rate, args.seconds,
                              f"{design.name} @{args.rate:g}")
            results.append(result)
            print(row(result), flush=True)
    return results


def median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else float("nan")


def ratio_line(name: str, other: list[StepResult], product_name: str,
               product: list[StepResult]) -> str:
    """The product against another design, medians over the rounds: < 1 means the product
    used less CPU or was faster."""
    def r(f: Any) -> str:
        a, b = median([f(x) for x in product]), median([f(x) for x in other])
        return f"{a / b:.2f}" if b and a == a and b == b else "-"

    return (f"{product_name} / {name} (median of {len(product)} round(s)): app CPU per call "
            f"{r(lambda x: x.app_ms)}, SMS p50 {r(lambda x: pct(x.sms_s, 50))}, "
            f"p99 {r(lambda x: x.p99)}")


def _summary(r: StepResult) -> dict[str, Any]:
    def pcts(values: list[float]) -> dict[str, float]:
        return {f"p{q}": pct(values, q) for q in (50, 95, 99)} | {"max": max(values, default=0)}

    return {"label": r.label, "rate": r.rate, "achieved": r.achieved, "calls": r.counted,
            "sms_s": pcts(r.sms_s), "voice_s": pcts(r.voice_s), "status_s": pcts(r.status_s),
            "lag_s": pcts(r.lag_s), "missing": r.missing, "duplicates": r.duplicates,
            "errors": r.errors, "app_ms_per_call": r.app_ms,
            "machine_ms_per_call": r.machine_ms, "generator_load": r.gen_load,
            "background_load": r.background, "ok": r.ok}


if __name__ == "__main__":
    main()
