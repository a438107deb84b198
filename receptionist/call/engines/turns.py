"""Caller turns for the pipeline engine: VAD frames -> began / paused / resumed / ended. No I/O.

A turn *pauses* after a short silence (``pause_ms``): the engine starts transcribing then, while
the caller may still go on. The turn *ends* once the silence reaches ``end_silence_ms``; if the
caller resumes first, the pause is forgotten and the turn continues. So speech-to-text overlaps
the end-of-turn wait and the reply starts about when the turn is over — the largest single saving
in a cascaded voice pipeline.

Positions are audio milliseconds since the first byte fed (Twilio's stream clock).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from receptionist.speech.ports import SpeechEnded, SpeechStarted, VoiceActivityDetector

__all__ = [
    "EndOfTurnRule", "TurnBegan", "TurnDetector", "TurnEnded", "TurnPaused", "TurnResumed",
    "TurnSignal",
]


@dataclass(frozen=True, slots=True)
class TurnBegan:
    at_ms: int  # first voiced audio


@dataclass(frozen=True, slots=True)
class TurnPaused:
    """The caller went quiet: ``pcm16`` is the turn so far, worth transcribing now."""

    pcm16: bytes
    start_ms: int
    speech_end_ms: int


@dataclass(frozen=True, slots=True)
class TurnResumed:
    """The caller spoke again before the turn ended: the paused audio is not the whole turn."""


@dataclass(frozen=True, slots=True)
class TurnEnded:
    """Silence long enough: the last ``TurnPaused`` holds the whole turn."""

    speech_end_ms: int


TurnSignal = TurnBegan | TurnPaused | TurnResumed | TurnEnded


class TurnDetector:
    """One per call. ``vad`` must end speech after ``pause_ms`` of silence (its hangover)."""

    def __init__(self, vad: VoiceActivityDetector, *, end_silence_ms: int = 500,
                 pre_roll_ms: int = 300, post_roll_ms: int = 150,
                 max_turn_ms: int = 30_000) -> None:
        self._vad = vad
        self._rate = vad.sample_rate_hz
        self._end_silence_ms = end_silence_ms
        self._pre_roll_ms = pre_roll_ms
        self._post_roll_ms = post_roll_ms
        self._max_bytes = self._bytes(max_turn_ms + pre_roll_ms)
        self._buffer = bytearray()
        self._buffer_start = 0  # absolute byte offset of _buffer[0]
        self._fed = 0
        self._turn_start_ms: int | None = None
        self._paused_at_ms: int | None = None  # end of speech of the pending pause
        self._pause_silence_ms = end_silence_ms  # what ends the pending pause (see end_after)

    def _bytes(self, ms: int) -> int:
        return self._rate * ms // 1000 * 2

    @property
    def position_ms(self) -> int:
        return self._fed // 2 * 1000 // self._rate

    @property
    def in_turn(self) -> bool:
        return self._turn_start_ms is not None

    def end_after(self, silence_ms: int) -> None:
        """The words of the pending pause are known: end the turn after ``silence_ms`` of
        silence instead of the default (sooner after a finished sentence, later after "um").
        Takes effect at the next ``feed``; forgotten when the caller resumes."""
        if self._paused_at_ms is not None:
            self._pause_silence_ms = silence_ms

    def turn_audio(self) -> bytes | None:
        """The current turn so far (with its pre-roll), to transcribe while it goes on."""
        if self._turn_start_ms is None:
            return None
        return self._cut(self._turn_start_ms, self.position_ms)

    def feed(self, pcm16: bytes) -> list[TurnSignal]:
        self._buffer += pcm16
        self._fed += len(pcm16)
        signals: list[TurnSignal] = []
        for event in self._vad.feed(pcm16):
            if isinstance(event, SpeechStarted):
                if self._turn_start_ms is None:
                    self._turn_start_ms = event.at_ms
                    signals.append(TurnBegan(event.at_ms))
                elif self._paused_at_ms is not None:
                    self._paused_at_ms = None
                    signals.append(TurnResumed())
            elif isinstance(event, SpeechEnded) and self._turn_start_ms is not None:
                self._paused_at_ms = event.at_ms
                self._pause_silence_ms = self._end_silence_ms
                signals.append(TurnPaused(self._cut(self._turn_start_ms, event.at_ms),
                                          self._turn_start_ms, event.at_ms))
        if (self._paused_at_ms is not None
                and self.position_ms >= self._paused_at_ms + self._pause_silence_ms):
            signals.append(TurnEnded(self._paused_at_ms))
            self._turn_start_ms = self._paused_at_ms = None
        self._trim()
        return signals

    def _cut(self, start_ms: int, end_ms: int) -> bytes:
        start = max(self._bytes(max(start_ms - self._pre_roll_ms, 0)), self._buffer_start)
        end = min(self._bytes(end_ms + self._post_roll_ms), self._fed)
        return bytes(self._buffer[start - self._buffer_start:end - self._buffer_start])

    def _trim(self) -> None:
        keep = self._max_bytes if self._turn_start_ms is not None \
            else self._bytes(self._pre_roll_ms + 500)
        excess = len(self._buffer) - keep
        if excess > 0:
            del self._buffer[:excess]
            self._buffer_start += excess


# --- when is the turn over ---------------------------------------------------------------------

# A turn that ends on one of these is not finished: the caller is thinking ("um") or in the
# middle of a phrase ("…next Tuesday at", "…and"). Kept to function words: a noun or verb at the
# end of a phrase is as often the end of the sentence as not.
_HESITATIONS = frozenset("um umm uh uhh er erm hmm mm ah like".split())
_CONTINUATIONS = frozenset(
    "and but or so because cause if then than that which who the a an to at on in of for with "
    "from by about my your our their his her its is are was were am i i'm it's we're you're "
    "can could would will should do does did have has want need like maybe".split()
)
_WORD = re.compile(r"[a-z0-9']+")


@dataclass(frozen=True, slots=True)
class EndOfTurnRule:
    """The silence that ends a turn, chosen from the words heard so far.

    ``complete_ms`` after a finished sentence ("Do you take Delta Dental?"), ``incomplete_ms``
    after a hesitation or a dangling function word ("I'd like to book a, um"), ``default_ms``
    otherwise (no transcript yet, no end punctuation, a number that may go on)."""

    complete_ms: int = 250
    default_ms: int = 500
    incomplete_ms: int = 1000

    def silence_ms(self, text: str | None) -> int:
        if text is None or not text.strip():
            return self.default_ms
        stripped = text.strip()
        words = _WORD.findall(stripped.lower())
        if not words:
            return self.default_ms
        last = words[-1]
        if last in _HESITATIONS or last in _CONTINUATIONS:
            return self.incomplete_ms
        if stripped.endswith((",", "...", "…", "-", "—")):
            return self.incomplete_ms
        if last.isdigit():
            return self.default_ms  # "my number is 555…" often goes on after a breath
        if stripped[-1] in ".?!":
            return self.complete_ms
        return self.default_ms
