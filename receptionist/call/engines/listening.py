"""The pipeline engine's ear: caller audio -> turn signals and their transcripts.

One ``Listener`` per call (the engine's). It feeds the ``TurnDetector``, starts transcribing at
each pause (cancelled if the caller resumes), applies the ``EndOfTurnRule`` once the pause's
words are in, and with ``streaming`` re-decodes the turn while the caller speaks, keeping the
settled words (``IncrementalTranscript``) as the final decode's prefix. Its tasks run in the
engine's TaskGroup; it remembers when each frame arrived, to date the end of speech.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from dataclasses import dataclass

from receptionist.call.engines.turns import (
    EndOfTurnRule,
    TurnBegan,
    TurnDetector,
    TurnPaused,
    TurnResumed,
    TurnSignal,
)
from receptionist.core import log_event
from receptionist.speech import (
    IncrementalSpeechToText,
    IncrementalTranscript,
    SpeechError,
    SpeechToText,
    Transcript,
)

__all__ = ["Heard", "Listener"]

log = logging.getLogger("receptionist.agent.pipeline")


@dataclass(frozen=True, slots=True)
class Heard:
    transcript: Transcript
    done_at: float  # perf_counter when the transcript was ready


class Listener:
    def __init__(self, turns: TurnDetector, stt: SpeechToText, fallback_stt: SpeechToText | None,
                 *, call_sid: str, stt_timeout_s: float = 10.0, streaming: bool = False,
                 end_rule: EndOfTurnRule | None = None, partial_every_ms: int = 700) -> None:
        self.turns = turns
        self._stt, self._fallback_stt = stt, fallback_stt
        self._call_sid = call_sid
        self._stt_timeout_s = stt_timeout_s
        self._streaming = streaming
        self._end_rule = end_rule
        self._partial_every_ms = partial_every_ms
        self._partial = IncrementalTranscript()
        self._pending: asyncio.Task[Heard] | None = None  # the transcript of the latest pause
        self._partial_task: asyncio.Task[None] | None = None
        self._partial_at_ms = 0  # stream position of the newest partial decode's audio
        self._fed_at: deque[tuple[int, float]] = deque(maxlen=200)  # (stream ms, perf) per frame

    def feed(self, pcm16: bytes, tg: asyncio.TaskGroup | None) -> list[TurnSignal]:
        """Consume caller audio; start, cancel or refine transcriptions as the turn goes."""
        signals = self.turns.feed(pcm16)
        self._fed_at.append((self.turns.position_ms, time.perf_counter()))
        for signal in signals:
            if isinstance(signal, TurnBegan):
                self._partial.reset()
                self._partial_at_ms = self.turns.position_ms
            elif isinstance(signal, TurnPaused):
                self._start(signal.pcm16, tg)
            elif isinstance(signal, TurnResumed) and self._pending is not None:
                self._pending.cancel()
                self._pending = None
        if self._streaming and not signals and tg is not None:
            self._maybe_decode_partial(tg)
        return signals

    def take_transcript(self) -> asyncio.Task[Heard] | None:
        """The turn is over: its transcript (in flight or done); the next turn starts afresh."""
        pending, self._pending = self._pending, None
        self._partial.reset()
        return pending

    def wall_time_of(self, stream_ms: int) -> float | None:
        for position_ms, at in self._fed_at:
            if position_ms >= stream_ms:
                return at
        return None

    def cancel(self) -> None:
        for task in (self._pending, self._partial_task):
            if task is not None:
                task.cancel()

    # --- the final transcript of a pause -------------------------------------------------------

    def _start(self, pcm16: bytes, tg: asyncio.TaskGroup | None) -> None:
        if self._pending is not None:
            self._pending.cancel()
        if tg is None:
            self._pending = None
            return
        task = tg.create_task(self._transcribe(pcm16, self._partial.committed))
        self._pending = task
        if self._end_rule is not None:
            task.add_done_callback(self._decide_end)

    def _decide_end(self, task: asyncio.Task[Heard]) -> None:
        """The pause's words are in: how much silence ends this turn (a pure rule)."""
        if task is not self._pending or task.cancelled() or task.exception() is not None:
            return
        assert self._end_rule is not None
        self.turns.end_after(self._end_rule.silence_ms(task.result().transcript.text))

    async def _transcribe(self, pcm16: bytes, committed: str = "") -> Heard:
        for stt in (self._stt, self._fallback_stt):
            if stt is None:
                continue
            try:
                if committed and isinstance(stt, IncrementalSpeechToText):
                    coro = stt.transcribe_after(pcm16, 8000, prefix=committed)
                else:
                    coro = stt.transcribe(pcm16, 8000)
                transcript = await asyncio.wait_for(coro, self._stt_timeout_s)
                return Heard(transcript, time.perf_counter())
            except (SpeechError, TimeoutError) as exc:
                log_event(log, "pipeline.stt_failed", logging.WARNING,
                          call_sid=self._call_sid, error=repr(exc))
                if stt is self._stt and self._fallback_stt is not None:
                    self._stt, self._fallback_stt = self._fallback_stt, None
        raise SpeechError("no speech-to-text engine could transcribe the turn")

    # --- decoding while the caller speaks ------------------------------------------------------

    def _maybe_decode_partial(self, tg: asyncio.TaskGroup) -> None:
        """Re-decode the turn so far, one decode at a time, never beside a final one."""
        stt = self._stt if isinstance(self._stt, IncrementalSpeechToText) else None
        if (stt is None or self._pending is not None
                or (self._partial_task is not None and not self._partial_task.done())
                or not self.turns.in_turn
                or self.turns.position_ms - self._partial_at_ms < self._partial_every_ms):
            return
        audio = self.turns.turn_audio()
        if audio is None:
            return
        self._partial_at_ms = self.turns.position_ms
        self._partial_task = tg.create_task(self._decode_partial(stt, audio))

    async def _decode_partial(self, stt: IncrementalSpeechToText, pcm16: bytes) -> None:
        try:
            heard = await asyncio.wait_for(
                stt.transcribe_after(pcm16, 8000, prefix=self._partial.committed, draft=True),
                self._stt_timeout_s)
        except (SpeechError, TimeoutError) as exc:  # only a head start lost
            log_event(log, "pipeline.partial_failed", logging.INFO,
                      call_sid=self._call_sid, error=repr(exc))
            return
        if self.turns.in_turn:
            self._partial.update(heard.text)
