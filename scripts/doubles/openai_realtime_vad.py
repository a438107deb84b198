"""Server VAD for the Realtime double: energy gating on 20 ms frames, sans I/O.

A frame is speech when its RMS exceeds ``threshold × 1000`` on the 16-bit scale (500 at the
default 0.5, about -36 dBFS); a turn ends after ``silence_duration_ms`` of non-speech frames.
Positions are counted in audio written, never wall-clock time, so results do not depend on how
fast a test sends audio.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import openai_audio

__all__ = ["EnergyVad", "SpeechStarted", "SpeechStopped"]

FRAME_MS = 20
_RMS_PER_THRESHOLD = 1000.0
# semantic_vad waits for the caller to finish a thought; here eagerness only sets the pause.
_EAGERNESS_SILENCE_MS = {"low": 1200, "medium": 700, "auto": 700, "high": 350}


@dataclass(frozen=True)
class SpeechStarted:
    audio_start_ms: int  # includes prefix padding, as the real server reports it


@dataclass(frozen=True)
class SpeechStopped:
    audio_end_ms: int  # includes the trailing silence


class EnergyVad:
    def __init__(self) -> None:
        self.position_ms = 0  # all audio framed so far in the session
        self.speaking = False
        self._unframed = bytearray()
        self._silence_ms = 0
        self._turn_start_ms = 0

    def reset_turn(self) -> None:
        """The buffer was committed or cleared: speech so far no longer counts."""
        self.speaking = False
        self._silence_ms = 0
        self._turn_start_ms = self.position_ms

    def feed(
        self,
        audio: bytes,
        audio_format: openai_audio.AudioFormat,
        detection: Mapping[str, Any] | None,
    ) -> list[SpeechStarted | SpeechStopped]:
        """Frame the audio; with ``detection`` None (manual turns) only the position advances."""
        self._unframed += audio
        frame_bytes = FRAME_MS * openai_audio.bytes_per_ms(audio_format)
        events: list[SpeechStarted | SpeechStopped] = []
        while len(self._unframed) >= frame_bytes:
            frame = bytes(self._unframed[:frame_bytes])
            del self._unframed[:frame_bytes]
            frame_start_ms = self.position_ms
            self.position_ms += FRAME_MS
            if detection is None:
                continue
            threshold = float(detection.get("threshold", 0.5)) * _RMS_PER_THRESHOLD
            is_speech = openai_audio.rms(frame, audio_format) >= threshold
            if not self.speaking:
                if is_speech:
                    self.speaking = True
                    self._silence_ms = 0
                    padding_ms = int(detection.get("prefix_padding_ms", 300))
                    start_ms = max(self._turn_start_ms, frame_start_ms - padding_ms)
                    events.append(SpeechStarted(start_ms))
                continue
            self._silence_ms = 0 if is_speech else self._silence_ms + FRAME_MS
            if self._silence_ms >= _silence_needed_ms(detection):
                events.append(SpeechStopped(self.position_ms))
                self.reset_turn()
        return events


def _silence_needed_ms(detection: Mapping[str, Any]) -> int:
    if detection.get("type") == "semantic_vad":
        return _EAGERNESS_SILENCE_MS.get(str(detection.get("eagerness", "auto")), 700)
    return int(detection.get("silence_duration_ms", 500))
