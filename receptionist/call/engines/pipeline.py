"""The ``pipeline`` engine: VAD -> speech-to-text -> brain -> text-to-speech, streaming.

- Caller audio is decoded from μ-law once per frame and fed to the ``Listener`` (listening.py:
  a ``TurnDetector`` on WebRTC VAD): speech start is reported at once (barge-in), transcription
  starts at the first pause and is used when the pause becomes the end of the turn.
- With ``streaming`` on, the turn is also re-decoded while the caller speaks (one decode at a
  time, every ``partial_every_ms`` of new audio); the words two decodes agree on are committed
  (``IncrementalTranscript``) and given to the final decode as a prefix, so at the pause only
  the tail is searched. With an ``EndOfTurnRule`` the pause's transcript picks how much silence
  ends the turn: little after a finished sentence, more after "um" or a dangling "at".
- Each answer reports where its wait went (``TurnMeasured``: end-of-utterance detection, STT,
  brain, first TTS chunk), for the call record and the benchmark.
- The brain answers with text (sentence by sentence when it can stream), having run its tools;
  the tools' results and actions are reported as ``ToolCompleted(by_engine=True)``.
- Speech is synthesized sentence by sentence and sent in 100 ms chunks; fixed lines (greeting,
  prompts) come from the shared ``AudioCache``.
- Failures degrade: a remote brain, STT or TTS that fails is replaced by the local one for the
  rest of the call; when the local one fails too the engine reports ``EngineFailed``.

Replies run one at a time as tasks of the engine's own TaskGroup (inside the call's), so a
barge-in cancels exactly the reply in flight.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import logging
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from receptionist.agent import (
    Brain,
    BrainError,
    BrainReply,
    CallContext,
    StreamingBrain,
    ToolCall,
    ToolResult,
    Turn,
    TurnStages,
)
from receptionist.call.engines.audio_cache import AudioCache, rechunk
from receptionist.call.engines.base import Clock, Emit
from receptionist.call.engines.listening import Heard, Listener
from receptionist.call.engines.metrics import BridgeMetrics
from receptionist.call.engines.turns import EndOfTurnRule, TurnBegan, TurnDetector, TurnEnded
from receptionist.call.events import (
    AgentAudio,
    AgentSaid,
    CallerSaid,
    CallerStartedSpeaking,
    CallerStoppedSpeaking,
    EngineFailed,
    EngineRecovered,
    ReplyFinished,
    ReplyStarted,
    ToolCompleted,
    TurnMeasured,
)
from receptionist.call.machine_state import Purpose
from receptionist.core import log_event, split_sentences
from receptionist.speech import (
    SpeechError,
    SpeechToText,
    TextToSpeech,
    VoiceActivityDetector,
    ulaw_decode,
)

__all__ = ["PipelineEngine", "Voice"]

log = logging.getLogger("receptionist.agent.pipeline")
_ids = itertools.count(1)


@dataclass(frozen=True)
class Voice:
    """A TTS engine and the cache key of its voice (so cached audio is never mixed up)."""

    key: str
    tts: TextToSpeech


@dataclass
class _Job:
    reply_id: str
    run: Callable[[_Job], Coroutine[Any, Any, None]]
    text: str = ""  # what the caller said (answers) or what to say (speak)
    purpose: Purpose | None = None
    stt: asyncio.Task[Heard] | None = None
    speech_end_at: float | None = None  # perf_counter when the caller's speech ended
    turn_end_at: float | None = None  # perf_counter when the turn was declared over
    heard_at: float | None = None  # the final transcript was ready
    first_text_at: float | None = None  # the brain's first words were ready
    started: bool = False
    spoke: bool = False
    said: list[str] = field(default_factory=list)
    task: asyncio.Task[None] | None = None


class PipelineEngine:
    name = "pipeline"

    def __init__(
        self, *, emit: Emit, clock: Clock, ctx: CallContext, brain: Brain,
        fallback_brain: Brain | None, stt: SpeechToText, fallback_stt: SpeechToText | None,
        voice: Voice, fallback_voice: Voice | None, vad: VoiceActivityDetector,
        cache: AudioCache, end_silence_ms: int = 500, brain_timeout_s: float = 10.0,
        stt_timeout_s: float = 10.0, metrics: BridgeMetrics | None = None,
        streaming: bool = False, end_rule: EndOfTurnRule | None = None,
        partial_every_ms: int = 700,
    ) -> None:
        self._emit = emit
        self._clock = clock
        self._ctx = ctx
        self._brain, self._fallback_brain = brain, fallback_brain
        self._voice, self._fallback_voice = voice, fallback_voice
        self._ear = Listener(TurnDetector(vad, end_silence_ms=end_silence_ms), stt, fallback_stt,
                             call_sid=ctx.call_sid, stt_timeout_s=stt_timeout_s,
                             streaming=streaming, end_rule=end_rule,
                             partial_every_ms=partial_every_ms)
        self._cache = cache
        self._brain_timeout_s = brain_timeout_s
        self._metrics = metrics
        self._history: list[Turn] = []
        self._jobs: asyncio.Queue[_Job | None] = asyncio.Queue()
        self._current: _Job | None = None
        self._tg: asyncio.TaskGroup | None = None
        self._carry = ""  # caller words whose reply was cut before it spoke
        self._last_finished: str | None = None
        self._closed = False

    # --- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        """Nothing to connect: local engines load lazily and are shared by the process."""

    async def run(self) -> None:
        async with asyncio.TaskGroup() as tg:
            self._tg = tg
            while not self._closed:
                job = await self._jobs.get()
                if job is None:
                    break
                self._current = job
                job.task = tg.create_task(job.run(job), name=f"pipeline-{job.reply_id}")
                await asyncio.wait([job.task])
                self._current = None
                if job.task.cancelled() and job.started:
                    await self._emit(ReplyFinished(job.reply_id, "cancelled"))
            self._ear.cancel()

    async def aclose(self) -> None:
        self._closed = True
        if self._current is not None and self._current.task is not None:
            self._current.task.cancel()
        self._jobs.put_nowait(None)

    async def reconnect(self, history: tuple[Turn, ...]) -> None:
        self._history = list(history)
        await self._emit(EngineRecovered())

    # --- caller audio -------------------------------------------------------------------------

    async def send_caller_audio(self, payload: str, ulaw: bytes,
                                arrived_at: float | None = None) -> None:
        signals = self._ear.feed(ulaw_decode(ulaw), self._tg)
        if arrived_at is not None and self._metrics is not None:
            self._metrics.inbound(time.perf_counter() - arrived_at)
        for signal in signals:
            if isinstance(signal, TurnBegan):
                await self._emit(CallerStartedSpeaking(self._clock()))
            elif isinstance(signal, TurnEnded):
                await self._end_turn(signal.speech_end_ms)

    async def _end_turn(self, speech_end_ms: int) -> None:
        stt = self._ear.take_transcript()
        await self._emit(CallerStoppedSpeaking(self._clock()))
        if stt is None:
            await self._emit(CallerSaid("", self._clock()))
            return
        job = _Job(f"p{next(_ids)}", self._answer, stt=stt,
                   speech_end_at=self._ear.wall_time_of(speech_end_ms),
                   turn_end_at=time.perf_counter())
        self._jobs.put_nowait(job)

    # --- replies --------------------------------------------------------------------------------

    async def _answer(self, job: _Job) -> None:
        assert job.stt is not None
        try:
            result = await job.stt
        except SpeechError as exc:
            await self._emit(EngineFailed(f"speech-to-text failed: {exc}", recoverable=False))
            return
        job.heard_at = result.done_at
        heard = result.transcript.text.strip()
        await self._emit(CallerSaid(heard, self._clock()))
        if not heard:
            return
        text = f"{self._carry} {heard}".strip() if self._carry else heard
        self._carry = text  # kept until the reply speaks, in case it is cut before
        job.started = True
        await self._emit(ReplyStarted(job.reply_id, None))
        try:
            spoken = await self._reply(job, text)
        except asyncio.CancelledError:
            if job.spoke:  # cut off mid-reply: the brain should know what was (half) said
                self._history.append(Turn("caller", text, self._clock()))
                self._history.append(Turn("agent", " ".join(job.said) + " (interrupted)",
                                          self._clock()))
            raise
        if spoken is None:
            return
        self._history.append(Turn("caller", text, self._clock()))
        self._history.append(Turn("agent", spoken, self._clock()))
        self._last_finished = job.reply_id
        await self._emit(ReplyFinished(job.reply_id))

    async def _reply(self, job: _Job, text: str) -> str | None:
        """Run the brain (falling back to the local one) and speak; the words spoken, or None
        when the engine failed."""
        history = list(self._history)
        for attempt in range(2):
            brain = self._brain
            try:
                if isinstance(brain, StreamingBrain):
                    reply = await self._stream_reply(job, brain, history, text)
                else:
                    reply = await asyncio.wait_for(
                        brain.reply(self._ctx, history, text), self._brain_timeout_s)
                    await self._report_tools(job, reply.tool_calls)
                    await self._say(job, reply.text)
                return reply.text
            except (BrainError, TimeoutError) as exc:
                log_event(log, "pipeline.brain_failed", logging.WARNING,
                          call_sid=self._ctx.call_sid, error=repr(exc), spoke=job.spoke)
                if attempt or self._fallback_brain is None or job.spoke:
                    break
                self._brain, self._fallback_brain = self._fallback_brain, None
            except SpeechError as exc:
                await self._emit(EngineFailed(f"text-to-speech failed: {exc}", False))
                return None
        await self._emit(EngineFailed("no brain could answer", recoverable=False))
        return None

    async def _stream_reply(self, job: _Job, brain: StreamingBrain, history: list[Turn],
                            text: str) -> BrainReply:
        stream = brain.stream(self._ctx, history, text)
        final: BrainReply | None = None
        while True:
            try:
                part = await asyncio.wait_for(anext(stream), self._brain_timeout_s)
            except StopAsyncIteration:
                break
            if isinstance(part, BrainReply):
                final = part
            elif part.strip():
                await self._say(job, part)
        if final is None:
            raise BrainError("the brain's stream ended without a reply")
        await self._report_tools(job, final.tool_calls)
        if not job.spoke and final.text.strip():
            await self._say(job, final.text)
        return final

    async def _report_tools(self, job: _Job,
                            calls: list[tuple[ToolCall, ToolResult]]) -> None:
        for call, result in calls:
            await self._emit(ToolCompleted(call, result, by_engine=True, reply_id=job.reply_id))

    async def _say(self, job: _Job, text: str) -> None:
        """Speak ``text`` as part of ``job``'s reply, from the cache or TTS."""
        if not text.strip():
            return
        if job.first_text_at is None:
            job.first_text_at = time.perf_counter()
        voice = self._voice
        chunks = self._cache.get(voice.key, text)
        source: AsyncIterator[bytes] = _replay(chunks) if chunks is not None \
            else rechunk(_spoken(voice.tts, text))
        try:
            await self._play(job, source)
        except SpeechError:
            if self._fallback_voice is None or job.spoke:
                raise
            log_event(log, "pipeline.tts_fallback", logging.WARNING, call_sid=self._ctx.call_sid)
            self._voice, self._fallback_voice = self._fallback_voice, None
            await self._play(job, rechunk(_spoken(self._voice.tts, text)))
        job.said.append(text)
        await self._emit(AgentSaid(job.reply_id, job.reply_id, " ".join(job.said),
                                   self._clock()))

    async def _play(self, job: _Job, chunks: AsyncIterator[bytes]) -> None:
        async for chunk in chunks:
            first = not job.spoke
            if first:
                job.spoke = True
                self._carry = ""
                if job.speech_end_at is not None and self._metrics is not None:
                    self._metrics.response(time.perf_counter() - job.speech_end_at)
            payload = base64.b64encode(chunk).decode("ascii")
            await self._emit(AgentAudio(job.reply_id, job.reply_id, payload, len(chunk)))
            if first and (stages := _stages(job, time.perf_counter())) is not None:
                if self._metrics is not None:
                    self._metrics.stages.append(stages)
                await self._emit(TurnMeasured(job.reply_id, stages))
            await asyncio.sleep(0)  # a barge-in may cancel between chunks

    async def _speak_job(self, job: _Job) -> None:
        job.started = True
        await self._emit(ReplyStarted(job.reply_id, job.purpose))
        try:
            voice = self._voice
            if self._cache.get(voice.key, job.text) is None:  # fixed lines are worth keeping
                await self._cache.synthesize(voice.key, voice.tts, job.text)
            await self._say(job, job.text)
        except SpeechError as exc:
            await self._emit(EngineFailed(f"text-to-speech failed: {exc}", False))
            return
        self._history.append(Turn("agent", job.text, self._clock()))
        self._last_finished = job.reply_id
        await self._emit(ReplyFinished(job.reply_id))

    # --- commands from the conversation ---------------------------------------------------------

    async def speak(self, text: str, purpose: Purpose) -> None:
        self._jobs.put_nowait(_Job(f"p{next(_ids)}", self._speak_job, text=text,
                                   purpose=purpose))

    async def cancel(self, reply_id: str) -> None:
        current = self._current
        if current is not None and current.reply_id == reply_id and current.task is not None:
            current.task.cancel()

    async def truncate(self, item_id: str, audio_end_ms: int) -> None:
        """The caller heard only part of a finished reply: tell the brain it was cut."""
        if item_id == self._last_finished and self._history \
                and self._history[-1].role == "agent":
            turn = self._history[-1]
            if not turn.text.endswith("(interrupted)"):
                self._history[-1] = Turn("agent", turn.text + " (interrupted)", turn.at_ms)

    async def send_tool_result(self, call: ToolCall, result: ToolResult, respond: bool) -> None:
        """The pipeline's brain runs its own tools; nothing to send."""


def _stages(job: _Job, first_audio_at: float) -> TurnStages | None:
    """Where the wait of an answer went, from the end of the caller's speech (ms)."""
    start, ended, heard, text = job.speech_end_at, job.turn_end_at, job.heard_at, \
        job.first_text_at
    if start is None or ended is None or heard is None or text is None:
        return None
    asked = max(ended, heard)  # the brain starts once the turn is over and the words are in

    def ms(seconds: float) -> int:
        return max(0, round(seconds * 1000))

    return TurnStages(eou_ms=ms(ended - start), stt_ms=ms(heard - start),
                      brain_ms=ms(text - asked), tts_ms=ms(first_audio_at - text))


def speaking_parts(text: str, *, long_chars: int = 40) -> list[str]:
    """Sentences, with a long first one cut at its first comma: the caller hears the first
    words after synthesizing a clause instead of a whole sentence."""
    parts = split_sentences(text)
    if parts and len(parts[0]) > long_chars:
        head, comma, tail = parts[0].partition(", ")
        if comma and len(head.split()) >= 2 and tail:
            parts[0:1] = [head + ",", tail]
    return parts


async def _spoken(tts: TextToSpeech, text: str) -> AsyncIterator[bytes]:
    for part in speaking_parts(text):
        async for chunk in tts.synthesize(part):
            yield chunk


async def _replay(chunks: tuple[bytes, ...]) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk
