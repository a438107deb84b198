"""Cutting a caller's utterances out of the call audio with a VAD, ready for STT.

A pipeline engine feeds every inbound frame here and gets back the VAD's events (for barge-in)
plus, when speech ends, the utterance's audio. Some audio before the detected start is kept:
the VAD needs a few voiced frames before it commits, and Whisper tends to drop a first word
that begins right at the first sample.
"""

from __future__ import annotations

from dataclasses import dataclass

from receptionist.speech.ports import SpeechEnded, VadEvent, VoiceActivityDetector

__all__ = ["Utterance", "UtteranceCollector"]


@dataclass(frozen=True, slots=True)
class Utterance:
    """One stretch of caller speech with its padding; times are stream audio ms."""

    pcm16: bytes
    sample_rate_hz: int
    start_ms: int
    end_ms: int

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms


class UtteranceCollector:
    """One per call. ``feed`` PCM16 in order; ``Utterance``s come out when the VAD ends speech.

    Memory is bounded: while nobody speaks only ``pre_roll_ms`` is kept; an utterance longer than
    ``max_utterance_ms`` keeps its most recent part (a caller reading out a long story still gets
    the end of it transcribed, which is what the reply is about).
    """

    def __init__(
        self,
        vad: VoiceActivityDetector,
        *,
        pre_roll_ms: int = 300,
        post_roll_ms: int = 200,
        max_utterance_ms: int = 30_000,
    ) -> None:
        self._vad = vad
        self._rate = vad.sample_rate_hz
        self._pre_roll_ms = pre_roll_ms
        self._post_roll_ms = post_roll_ms
        self._max_bytes = self._bytes(max_utterance_ms + pre_roll_ms)
        self._buffer = bytearray()
        self._buffer_start = 0  # absolute byte offset in the stream of _buffer[0]
        self._fed = 0  # absolute bytes fed so far

    def _bytes(self, ms: int) -> int:
        return self._rate * ms // 1000 * 2

    def _ms(self, offset_bytes: int) -> int:
        return offset_bytes // 2 * 1000 // self._rate

    def feed(self, pcm16: bytes) -> tuple[list[VadEvent], list[Utterance]]:
        self._buffer += pcm16
        self._fed += len(pcm16)
        events = self._vad.feed(pcm16)
        utterances = [self._cut(event) for event in events if isinstance(event, SpeechEnded)]
        self._trim()
        return events, utterances

    def _cut(self, ended: SpeechEnded) -> Utterance:
        start = max(self._bytes(ended.started_at_ms - self._pre_roll_ms), self._buffer_start, 0)
        end = min(self._bytes(ended.at_ms + self._post_roll_ms), self._fed)
        audio = bytes(self._buffer[start - self._buffer_start : end - self._buffer_start])
        return Utterance(audio, self._rate, self._ms(start), self._ms(end))

    def _trim(self) -> None:
        # Idle, keep more than the pre-roll: speech is dated from its first voiced frame, which
        # can be a start window (and a partial frame the VAD has not judged yet) before now.
        keep = self._max_bytes if self._vad.speaking else self._bytes(self._pre_roll_ms + 500)
        excess = len(self._buffer) - keep
        if excess > 0:
            del self._buffer[:excess]
            self._buffer_start += excess
