"""Measure the live-call machinery: media bridge overhead, concurrency, barge-in, pipeline latency.

    .venv/bin/python scripts/bench_voice.py                       # everything (~3 minutes)
    .venv/bin/python scripts/bench_voice.py --only bridge --calls 100 --seconds 20
    .venv/bin/python scripts/bench_voice.py --only sweep --sweep 100,200,300,400
    .venv/bin/python scripts/bench_voice.py --only pipeline

bridge   N concurrent calls through the real ``CallSession`` and realtime engine (the ``openai``
         SDK's WebSocket) against the Realtime double running in *another* process (the model is
         remote in production). Twilio is played in this process by light fakes that send one
         20 ms frame per call on a fixed schedule, "play" what they receive in real time and echo
         marks. Reports per-frame overhead (Twilio frame in -> model append out; model delta in
         -> Twilio media out), frame jitter (how late the server reads a frame against its
         schedule) and barge-in (model ``speech_started`` in -> ``clear`` out).
sweep    the same at growing N until the p99 frame jitter passes 20 ms.
pipeline the local pipeline (WebRTC VAD, Whisper tiny.en, the local brain, eSpeak NG) on the 16
         recorded caller utterances fed in real time: end of caller speech -> first agent audio
         with its stages per turn (end-of-utterance, STT, brain, first TTS chunk; p50s), the WER
         of what the brain got, and barge-in (VAD detection -> ``clear`` out). Variants in one
         invocation (``--variants``), each utterance heard by every variant in turn: default, before
         (the old path), instant (default with an instant brain), streaming (default plus
         decoding while the caller speaks), window-only; ratios against ``before``.
"""
# bench_all: --only pipeline --rounds 1
# bench_all: --only bridge --calls 100 --seconds 20

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from receptionist.agent import CallContext, ToolCall, ToolResult  # noqa: E402
from receptionist.call import (  # noqa: E402  # noqa: E402  # noqa: E402
    PAUSE_MS,
    AudioCache,
    BridgeMetrics,
    CallDeps,
    CallSession,
    CallSetup,
    ConversationConfig,
    EngineFactory,
    SessionLimits,
    SocketClosed,
    StreamCallControl,
    StreamGrant,
    percentile,
)
from receptionist.core import Settings, SystemClock  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "audio"
FRAME_S = 0.020

DOUBLE = """
import asyncio, sys
sys.path.insert(0, {root!r})
from scripts.doubles import openai_audio
from scripts.doubles.openai_realtime import OpenAIRealtimeDouble, Say

def brain(turn):
    return Say("Sure, we can do that. Anything else?")

async def main():
    async with OpenAIRealtimeDouble(brain=brain, transcripts=lambda audio: "hello",
                                    ms_per_char=40) as double:
        print(double.base_url, flush=True)
        await asyncio.Event().wait()

asyncio.run(main())
"""

# A lighter Realtime server for the sweep: the same GA events, but turns come from counting
# appended audio (speech for 1.2 s of every 4 s, like the fake callers) instead of decoding and
# measuring it, so that hundreds of calls load this process rather than the double.
LIGHT_DOUBLE = """
import asyncio, base64, itertools, json
from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed

ids = itertools.count()
CHUNK = base64.b64encode(bytes(range(256)) + bytes(range(64))).decode()  # 40 ms
APPEND = '{"type":"input_audio_buffer.append"'

async def handle(ws):
    state = {"frames": 0, "response": None}

    async def send(event):
        event["event_id"] = "ev%d" % next(ids)
        await ws.send(json.dumps(event))

    async def respond(params):
        rid, item = "resp_%d" % next(ids), "item_%d" % next(ids)
        state["response"] = rid
        await send({"type": "response.created", "response": {
            "id": rid, "status": "in_progress", "metadata": params.get("metadata")}})
        for _ in range(80):  # 3.2 s of audio in 40 ms deltas, at twice real time
            if state["response"] != rid:
                break
            await send({"type": "response.output_audio.delta", "response_id": rid,
                        "item_id": item, "output_index": 0, "content_index": 0,
                        "delta": CHUNK})
            await asyncio.sleep(0.02)
        status = "completed" if state["response"] == rid else "cancelled"
        await send({"type": "response.output_audio_transcript.done", "response_id": rid,
                    "item_id": item, "transcript": "Sure, we can do that."})
        await send({"type": "response.done", "response": {"id": rid, "status": status}})
        if state["response"] == rid:
            state["response"] = None

    tasks = set()

    async def respond_quietly(params):
        try:
            await respond(params)
        except ConnectionClosed:
            pass

    def start(params):
        task = asyncio.create_task(respond_quietly(params))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    await send({"type": "session.created", "session": {}})
    async for message in ws:
        if message.startswith(APPEND):
            state["frames"] += 1
            phase = state["frames"] % 200
            if phase == 10:
                await send({"type": "input_audio_buffer.speech_started", "audio_start_ms": 0,
                            "item_id": "u"})
                state["response"] = None  # server VAD interrupts the reply
            elif phase == 70:
                await send({"type": "input_audio_buffer.speech_stopped", "audio_end_ms": 0,
                            "item_id": "u"})
                await send({"type": "conversation.item.input_audio_transcription.completed",
                            "item_id": "u", "content_index": 0, "transcript": "hello"})
                start({})
            continue
        event = json.loads(message)
        kind = event.get("type")
        if kind == "session.update":
            await send({"type": "session.updated", "session": event.get("session", {})})
        elif kind == "response.create":
            start(event.get("response") or {})
        elif kind == "response.cancel":
            state["response"] = None
        elif kind == "conversation.item.truncate":
            await send({"type": "conversation.item.truncated", "item_id": event["item_id"],
                        "content_index": 0, "audio_end_ms": event["audio_end_ms"]})

async def main():
    async with serve(handle, "127.0.0.1", 0, compression=None, max_size=None) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        print("http://127.0.0.1:%d/v1" % port, flush=True)
        await asyncio.Event().wait()

asyncio.run(main())
"""


# --- Twilio, played cheaply -----------------------------------------------------------------


def caller_audio() -> list[str]:
    """4 s of a caller: 1.2 s of speech-like sound, then silence, as base64 20 ms payloads."""
    from scripts.doubles import openai_audio

    audio = openai_audio.speech_like(1200) + openai_audio.silence(2800)
    return [base64.b64encode(audio[i:i + 160]).decode() for i in range(0, len(audio), 160)]


class FakeTwilio:
    """One call's Twilio: the ``MediaSocket`` the session reads and writes, in memory."""

    def __init__(self, index: int, payloads: list[str], jitter: array[float]) -> None:
        self.index = index
        self.payloads = payloads
        self.jitter = jitter
        self.inbound: asyncio.Queue[tuple[str, float] | None] = asyncio.Queue()
        self.stream_sid = f"MZ{index:032d}"
        self.call_sid = f"CA{index:032d}"
        self.play_until = 0.0
        self.pending_marks: list[list[Any]] = []  # [timer handle, echo]
        self.closed = False
        self.clears = 0
        self.media_out = 0

    # MediaSocket -----------------------------------------------------------------------------

    async def receive(self) -> str:
        item = await self.inbound.get()
        if item is None:
            raise SocketClosed
        text, due = item
        if due:
            self.jitter.append(due)
            self.jitter.append(time.perf_counter() - due)
        return text

    async def send_text(self, data: str) -> None:
        if self.closed:
            raise SocketClosed
        loop = asyncio.get_running_loop()
        now = loop.time()
        if data.startswith('{"event":"media"'):
            self.media_out += 1
            size = len(data.split('"payload":"', 1)[1]) * 3 // 4
            self.play_until = max(self.play_until, now) + size / 8000
        elif data.startswith('{"event":"mark"'):
            name = data.rsplit('"name":"', 1)[1].split('"', 1)[0]
            echo = json.dumps({"event": "mark", "streamSid": self.stream_sid,
                               "mark": {"name": name}})
            entry: list[Any] = [None, echo]
            entry[0] = loop.call_at(max(self.play_until, now), self._echo, entry)
            self.pending_marks.append(entry)
        elif data.startswith('{"event":"clear"'):
            self.clears += 1
            self.play_until = now
            for entry in list(self.pending_marks):  # Twilio echoes them all at once
                entry[0].cancel()
                self._echo(entry)

    def _echo(self, entry: list[Any]) -> None:
        self.pending_marks.remove(entry)
        self.inbound.put_nowait((entry[1], 0.0))

    async def close(self, code: int = 1000) -> None:
        self.closed = True
        self.inbound.put_nowait(None)

    # the caller's side -------------------------------------------------------------------------

    async def run(self, seconds: float) -> None:
        start = {"event": "start", "streamSid": self.stream_sid, "start": {
            "streamSid": self.stream_sid, "callSid": self.call_sid, "accountSid": "AC" + "0" * 32,
            "customParameters": {"token": "bench"}, "tracks": ["inbound"],
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}}}
        self.inbound.put_nowait((json.dumps(start), 0.0))
        next_due = time.perf_counter()
        frames = int(seconds / FRAME_S)
        for n in range(frames):
            payload = self.payloads[(n + self.index * 37) % len(self.payloads)]
            text = ('{"event":"media","sequenceNumber":"' + str(n + 2) + '","streamSid":"'
                    + self.stream_sid + '","media":{"track":"inbound","chunk":"' + str(n + 1)
                    + '","timestamp":"' + str(n * 20) + '","payload":"' + payload + '"}}')
            self.inbound.put_nowait((text, next_due))
            next_due += FRAME_S
            await asyncio.sleep(max(0.0, next_due - time.perf_counter()))
        self.inbound.put_nowait((json.dumps({"event": "stop", "streamSid": self.stream_sid,
                                             "stop": {"callSid": self.call_sid}}), 0.0))


# --- the server side, minus the database ------------------------------------------------------


class Grants:
    async def redeem(self, token: str | None, call_sid: str) -> StreamGrant | None:
        return StreamGrant(call_sid, 1, 1) if token == "bench" else None


class Setups:
    async def build(self, grant: StreamGrant) -> CallSetup:
        ctx = CallContext(grant.call_sid, 1, "Bench Plumbing", "+12025550143", "UTC")
        return CallSetup(ctx=ctx, greeting="Thanks for calling Bench Plumbing. How can I help?",
                         instructions="You are a receptionist.")


class Lifecycle:
    async def stream_started(self, call_sid: str) -> None:
        await asyncio.sleep(0)

    async def conversation_started(self, call_sid: str) -> None:
        await asyncio.sleep(0)

    async def stream_ended(self, call_sid: str) -> None:
        await asyncio.sleep(0)

    async def caller_of(self, call_sid: str) -> str | None:
        return None


class NoTools:
    def schemas(self) -> list[dict[str, Any]]:
        return []

    async def run(self, ctx: CallContext, call: ToolCall) -> ToolResult:
        return ToolResult(False, {}, "no tools in the benchmark")


@contextlib.contextmanager
def realtime_double(light: bool = False) -> Iterator[str]:
    code = LIGHT_DOUBLE if light else DOUBLE.format(root=str(ROOT))
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        process.terminate()
        process.wait(10)


async def bridge(base_url: str, calls: int, seconds: float) -> dict[str, Any]:
    import openai

    client = openai.AsyncOpenAI(api_key="test-key", base_url=base_url, max_retries=0)
    settings = Settings(voice_engine="realtime", data_dir=Path(tempfile.gettempdir()))
    metrics = BridgeMetrics()
    factory = EngineFactory(settings=settings, cache=AudioCache(), toolbox=NoTools(),
                            openai_client=client, metrics=metrics)
    deps = CallDeps(tokens=Grants(), lifecycle=Lifecycle(), setups=Setups(),  # type: ignore[arg-type]
                    engines=factory, call_control=StreamCallControl(), can_transfer=False,
                    clock=SystemClock(), conversation=ConversationConfig(silence_timeout_s=60),
                    limits=SessionLimits(start_timeout_s=30), toolbox=NoTools(),
                    metrics=metrics)
    await factory.warm([])  # what the app does at start-up (the SDK's lazy imports)
    gc.freeze()  # and then this: start-up objects leave the collector's working set
    payloads = caller_audio()
    jitter = array("d")  # due, lateness, due, lateness, … (untracked by the GC)
    phones = [FakeTwilio(i, payloads, jitter) for i in range(calls)]
    sessions = [CallSession(phone, deps) for phone in phones]
    started = time.perf_counter()
    cpu = time.process_time()
    async with asyncio.TaskGroup() as tg:
        for index, (phone, session) in enumerate(zip(phones, sessions, strict=True)):
            tg.create_task(session.run())
            tg.create_task(_after(index * 0.01, phone.run(seconds)))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    await client.close()
    # Steady state: from 3 s after the last call started (connects, greetings) to the end.
    settled = started + calls * 0.01 + 3.0
    pairs = list(zip(jitter[::2], jitter[1::2], strict=True))
    steady = [lag for due, lag in pairs if due >= settled] or [lag for _, lag in pairs]
    if os.environ.get("BENCH_VOICE_TIMELINE"):
        for second in range(int(wall)):
            lags = [lag for due, lag in pairs if second <= due - started < second + 1]
            print(f"  t={second:2d}s frames={len(lags):5d} jitter p99 "
                  f"{ms(percentile(lags, 99)):8.1f} ms")
    return {
        "calls": calls, "seconds": round(wall, 1), "cpu_share": round(cpu / wall, 2),
        "frames_in": len(metrics.inbound_s), "deltas_out": len(metrics.outbound_s),
        "in_p50_ms": ms(percentile(metrics.inbound_s, 50)),
        "in_p99_ms": ms(percentile(metrics.inbound_s, 99)),
        "out_p50_ms": ms(percentile(metrics.outbound_s, 50)),
        "out_p99_ms": ms(percentile(metrics.outbound_s, 99)),
        "jitter_p50_ms": ms(percentile(steady, 50)), "jitter_p99_ms": ms(percentile(steady, 99)),
        "barge_ins": len(metrics.barge_in_s),
        "barge_in_p50_ms": ms(percentile(metrics.barge_in_s, 50)),
        "barge_in_p99_ms": ms(percentile(metrics.barge_in_s, 99)),
        "clears": sum(p.clears for p in phones),
        "degraded": sum(s.machine.fallback for s in sessions),
    }


async def _after(delay_s: float, coro: Any) -> None:
    await asyncio.sleep(delay_s)
    await coro


def ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


# --- the local pipeline ---------------------------------------------------------------------


# The pipeline variants run in one invocation, so their ratios hold on a noisy machine:
# ``default`` (the settings' defaults: a 15 s encoder window, the turn ended by its words),
# ``before`` (the previous path: faster-whisper's 30 s window, a fixed end-of-turn silence),
# ``instant`` (``default`` with a brain that answers at once: what the local brain costs),
# ``streaming`` (``default`` plus re-decoding while the caller speaks, local_stt_streaming)
# and ``window-only`` (the window without the end-of-turn rule).
VARIANTS = {
    "default": {"partials": False, "end_rule": True, "window_s": 15, "instant": False},
    "before": {"partials": False, "end_rule": False, "window_s": None, "instant": False},
    "instant": {"partials": False, "end_rule": True, "window_s": 15, "instant": True},
    "streaming": {"partials": True, "end_rule": True, "window_s": 15, "instant": False},
    "window-only": {"partials": False, "end_rule": False, "window_s": 15, "instant": False},
}


class InstantBrain:
    """Answers every turn at once with a fixed line: the baseline without the brain's cost."""

    async def reply(self, ctx: Any, history: Any, caller_text: str) -> Any:
        from receptionist.agent import BrainReply

        return BrainReply("Sure, I can help with that. What else?", [], None)


async def pipeline(rounds: int, beam: int, variants: list[str],
                   verbose: bool = False) -> dict[str, dict[str, Any]]:
    """Every variant hears each utterance in turn (A, B, C, then the next utterance), so load
    that comes and goes on a shared machine falls on all of them alike."""
    from sqlalchemy.ext.asyncio import AsyncSession  # noqa: F401 - the models below need it

    from receptionist.call import PipelineEngine
    from receptionist.call.engines.turns import EndOfTurnRule
    from receptionist.services import Overrides, build_services
    from receptionist.speech import WebRtcVad, WhisperSpeechToText, corpus_word_error_rate
    from scripts.doubles.factories import add_business, import_all_models

    import_all_models()
    folder = tempfile.mkdtemp(prefix="bench_voice_")
    settings = Settings(data_dir=Path(folder),
                        database_url=f"sqlite+aiosqlite:///{folder}/bench.db")
    # The production graph: the same brain, tools and Whisper handle a live call gets.
    services = build_services(settings, Overrides(run_workers=False))
    runtime = services.voice
    assert runtime is not None and runtime.whisper is not None, "local engines not installed"
    db = services.db
    await db.create_all()
    business = await add_business(db, hours="Mon-Fri 08:00-17:00; Sat 09:00-13:00",
                                  greeting="Thanks for calling Greenfield Plumbing.")
    whisper = runtime.whisper
    await asyncio.to_thread(whisper.get)
    voice = EngineFactory.local_voice_for(settings)
    manifest = json.loads((FIXTURES / "transcripts.json").read_text())
    runs: dict[str, dict[str, Any]] = {}
    for n, variant in enumerate(variants):
        options = VARIANTS[variant]
        new_brain = runtime.factory.new_local_brain
        assert new_brain is not None
        brain: Any = InstantBrain() if options["instant"] else new_brain()  # one per call
        heard: list[str] = []

        def emit_into(heard: list[str]) -> Any:
            async def emit(event: Any) -> None:
                if type(event).__name__ == "CallerSaid" and event.text:
                    heard.append(event.text)
            return emit

        ctx = CallContext(f"CA{n:032d}", business, "Greenfield Plumbing", "+12025550143",
                          "America/New_York")
        stt = TimedStt(WhisperSpeechToText(whisper, vocabulary=["Greenfield Plumbing"],
                                           beam_size=beam, window_s=options["window_s"],
                                           normalize=variant != "before"))
        metrics = BridgeMetrics()
        engine = PipelineEngine(
            emit=emit_into(heard), clock=lambda: 0, ctx=ctx, brain=brain, fallback_brain=None,
            stt=stt, fallback_stt=None,
            voice=voice, fallback_voice=None, vad=WebRtcVad(8000, end_silence_ms=PAUSE_MS),
            cache=AudioCache(), end_silence_ms=settings.vad_end_silence_ms, metrics=metrics,
            streaming=options["partials"],
            end_rule=EndOfTurnRule(default_ms=settings.vad_end_silence_ms)
            if options["end_rule"] else None)
        runs[variant] = {"engine": engine, "runner": asyncio.create_task(engine.run()),
                         "heard": heard, "stt": stt, "metrics": metrics}
    silence = b"\xff" * 160
    references: list[str] = []
    for _ in range(rounds):
        for entry in manifest["utterances"]:
            references.append(entry["text"])
            ulaw = (FIXTURES / entry["file"]).read_bytes()
            frames = [ulaw[i:i + 160].ljust(160, b"\xff") for i in range(0, len(ulaw), 160)]
            frames += [silence] * 75  # 1.5 s for the reply to start
            for run in runs.values():
                due = time.perf_counter()
                for frame in frames:
                    await run["engine"].send_caller_audio(base64.b64encode(frame).decode(),
                                                          frame)
                    due += FRAME_S
                    await asyncio.sleep(max(0.0, due - time.perf_counter()))
    results: dict[str, dict[str, Any]] = {}
    for variant, run in runs.items():
        await run["engine"].aclose()
        await run["runner"]
        metrics, stt, heard = run["metrics"], run["stt"], run["heard"]
        latencies, stages = metrics.response_s, metrics.stages

        def stage_p50(name: str, stages: list[Any] = stages) -> float:
            return float(percentile([float(getattr(x, name)) for x in stages], 50))

        results[variant] = {
            "variant": variant, "turns": len(latencies),
            "p50_ms": ms(percentile(latencies, 50)),
            "p95_ms": ms(percentile(latencies, 95)), "max_ms": ms(max(latencies or [0.0])),
            "all_ms": [round(x * 1000) for x in latencies],
            "stages_p50_ms": {name: stage_p50(f"{name}_ms")
                              for name in ("eou", "stt", "brain", "tts")},
            "stt_runs": len(stt.durations), "stt_p50_ms": ms(percentile(stt.durations, 50)),
            "stt_max_ms": ms(max(stt.durations or [0.0])),
            "wer": round(corpus_word_error_rate(zip(references, heard, strict=True)), 3)
            if len(heard) == len(references) else None,
            "heard": len(heard), "heard_texts": heard if verbose else None, "pause_ms": PAUSE_MS,
            "end_silence_ms": settings.vad_end_silence_ms, "beam": beam,
            **VARIANTS[variant]}
    await services.aclose()
    return results


class TimedStt:
    """Times each transcription (speculative and partial ones included)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.durations: list[float] = []

    async def transcribe(self, pcm16: bytes, sample_rate_hz: int, *,
                         prompt: str | None = None) -> Any:
        started = time.perf_counter()
        try:
            return await self.inner.transcribe(pcm16, sample_rate_hz, prompt=prompt)
        finally:
            self.durations.append(time.perf_counter() - started)

    async def transcribe_after(self, pcm16: bytes, sample_rate_hz: int, *, prefix: str,
                               prompt: str | None = None, draft: bool = False) -> Any:
        started = time.perf_counter()
        try:
            return await self.inner.transcribe_after(pcm16, sample_rate_hz, prefix=prefix,
                                                     prompt=prompt, draft=draft)
        finally:
            self.durations.append(time.perf_counter() - started)


async def pipeline_barge_in() -> dict[str, Any]:
    """VAD detection -> clear on the pipeline: a session whose engine is talking when the
    caller starts speaking, measured inside ``CallSession`` like the realtime one."""
    from receptionist.call import CallerStartedSpeaking

    metrics = BridgeMetrics()
    samples = []
    for _ in range(200):
        phone = FakeTwilio(0, [], array("d"))
        deps = CallDeps(tokens=Grants(), lifecycle=Lifecycle(), setups=Setups(),  # type: ignore[arg-type]
                        engines=EngineFactory(settings=Settings(data_dir=Path(".")),
                                              cache=AudioCache()),
                        call_control=StreamCallControl(), can_transfer=False,
                        clock=SystemClock(), metrics=metrics)
        session = CallSession(phone, deps)
        session.stream_sid = phone.stream_sid
        session.machine.handle(__import__("receptionist.call.events",
                                          fromlist=["StreamStarted"]).StreamStarted("hi"))
        from receptionist.call import AgentAudio, ReplyStarted

        async with asyncio.TaskGroup() as tg:
            session._tg = tg
            await session._dispatch(ReplyStarted("r1", "greeting"))
            await session._dispatch(AgentAudio("r1", "i1", "/" * 1064, 800))
            started = time.perf_counter()
            await session._dispatch(CallerStartedSpeaking(50))
            samples.append(time.perf_counter() - started)
            for timer in session._timers.values():
                timer.cancel()
    return {"samples": len(samples), "p50_ms": ms(percentile(samples, 50)),
            "p99_ms": ms(percentile(samples, 99))}


# --- main -------------------------------------------------------------------------------------


async def main(args: argparse.Namespace) -> None:
    from scripts.machine_ref import machine_reference

    reference = machine_reference()
    print(reference, flush=True)
    report: dict[str, Any] = {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                              "machine": reference}
    if args.only in (None, "bridge"):
        with realtime_double() as base_url:
            result = await bridge(base_url, args.calls, args.seconds)
            report["bridge"] = result
            print("bridge", json.dumps(result))
    if args.only in (None, "sweep"):
        with realtime_double(light=True) as base_url:
            sustained = 0
            for calls in (int(n) for n in args.sweep.split(",")):
                result = await bridge(base_url, calls, args.sweep_seconds)
                print("sweep ", json.dumps(result))
                report.setdefault("sweep", []).append(result)
                if result["jitter_p99_ms"] > 20 or result["degraded"]:
                    break
                sustained = calls
            report["sustained_calls"] = sustained
            print("sustained calls (p99 frame jitter <= 20 ms):", sustained)
    if args.only in (None, "pipeline"):
        report["pipeline_barge_in"] = await pipeline_barge_in()
        print("pipeline barge-in", json.dumps(report["pipeline_barge_in"]))
        results = await pipeline(args.rounds, args.beam, args.variants.split(","), args.verbose)
        for variant, result in results.items():
            print(f"pipeline {variant}", json.dumps(result), flush=True)
        report["pipeline"] = results
        base = results.get("before")
        for variant, result in results.items():
            if base is not None and variant != "before" and base["p50_ms"]:
                print(f"pipeline {variant}/before: p50 x{result['p50_ms'] / base['p50_ms']:.2f}"
                      f", p95 x{result['p95_ms'] / max(base['p95_ms'], 1e-9):.2f}")
    print(machine_reference(), flush=True)
    if args.json:
        await asyncio.to_thread(Path(args.json).write_text, json.dumps(report, indent=2))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["bridge", "sweep", "pipeline"])
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--sweep", default="100,150,200,250,300,400")
    parser.add_argument("--sweep-seconds", type=float, default=12.0)
    parser.add_argument("--rounds", type=int, default=1, help="passes over the 16 utterances")
    parser.add_argument("--beam", type=int, default=Settings().local_stt_beam_size,
                        help="Whisper beam size for the pipeline run")
    parser.add_argument("--variants", default="default,before,instant,streaming",
                        help="pipeline variants, run in this order: " + ", ".join(VARIANTS))
    parser.add_argument("-v", "--verbose", action="store_true", help="print what STT heard")
    parser.add_argument("--json", help="also write the figures to this file")
    asyncio.run(main(parser.parse_args()))
