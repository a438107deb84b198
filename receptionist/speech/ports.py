"""What the rest of the app needs from speech engines, in our own types.

Audio conventions at these ports:
- ``pcm16`` is signed 16-bit little-endian mono PCM at the stated ``sample_rate_hz``;
- TTS output is G.711 μ-law at 8 kHz with no header, i.e. a Twilio ``media`` payload before base64;
- times are integer milliseconds of *audio* (samples fed so far), never wall clock, so they line up
  with Twilio's ``media.timestamp`` when fed from the start of the stream.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Protocol, TypeAlias, runtime_checkable

__all__ = [
    "TWILIO_SAMPLE_RATE_HZ",
    "IncrementalSpeechToText",
    "SpeechEnded",
    "SpeechStarted",
    "SpeechToText",
    "TextToSpeech",
    "Transcript",
    "VadEvent",
    "VoiceActivityDetector",
]

TWILIO_SAMPLE_RATE_HZ = 8000


@dataclass(frozen=True, slots=True)
class Transcript:
    """What the caller said. ``confidence`` is in [0, 1] when the engine offers one."""

    text: str
    confidence: float | None = None

    @property
    def is_empty(self) -> bool:
        return not self.text.strip()


@dataclass(frozen=True, slots=True)
class SpeechStarted:
    """The caller started speaking at ``at_ms``; we knew by ``detected_at_ms``."""

    at_ms: int
    detected_at_ms: int


@dataclass(frozen=True, slots=True)
class SpeechEnded:
    """The caller's speech that began at ``started_at_ms`` stopped at ``at_ms`` (end of the last
    voiced frame); we knew by ``detected_at_ms``, after the configured trailing silence."""

    at_ms: int
    started_at_ms: int
    detected_at_ms: int


VadEvent: TypeAlias = SpeechStarted | SpeechEnded


@runtime_checkable
class SpeechToText(Protocol):
    async def transcribe(
        self, pcm16: bytes, sample_rate_hz: int, *, prompt: str | None = None
    ) -> Transcript:
        """Transcribe one utterance. ``prompt`` biases recognition (names, services).

        Raises ``SpeechError`` subclasses only."""
        ...


@runtime_checkable
class IncrementalSpeechToText(SpeechToText, Protocol):
    """An engine that can continue a transcript whose first words are already settled (for
    transcribing a turn while the caller is still speaking)."""

    async def transcribe_after(
        self, pcm16: bytes, sample_rate_hz: int, *, prefix: str, prompt: str | None = None,
        draft: bool = False,
    ) -> Transcript:
        """Transcribe ``pcm16`` given that it starts with the words ``prefix``; the result
        holds the whole text, prefix included. ``draft``: a decode of a turn still going on,
        where speed matters more than the last word. Raises ``SpeechError`` subclasses only."""
        ...


@runtime_checkable
class TextToSpeech(Protocol):
    def synthesize(self, text: str) -> AsyncGenerator[bytes, None]:
        """Speak ``text`` as 8 kHz μ-law chunks, the first as soon as the first sentence is ready.

        Implementations are async generators, so a barge-in can ``aclose()`` the stream (or use
        ``contextlib.aclosing``): that stops work on the sentences not yet synthesized.
        Raises ``SpeechError`` subclasses only."""
        ...


@runtime_checkable
class VoiceActivityDetector(Protocol):
    """Per-call, stateful: one instance per call, fed the caller's audio in order."""

    @property
    def sample_rate_hz(self) -> int: ...

    @property
    def speaking(self) -> bool:
        """True between a ``SpeechStarted`` and its ``SpeechEnded``."""
        ...

    def feed(self, pcm16: bytes) -> list[VadEvent]:
        """Consume audio of any length (20 ms frames typically) and return the events it caused."""
        ...

    def reset(self) -> None:
        """Forget all state, as for a new stream starting at 0 ms."""
        ...
