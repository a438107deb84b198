"""Voice activity detection over WebRTC's VAD (``webrtcvad-wheels``), with hysteresis.

WebRTC classifies each 10/20/30 ms frame on its own and flickers inside words and on clicks.
On top of it this adapter reports:

- speech start after ``start_speech_ms`` of voiced frames within a short window — fast, because
  barge-in has to stop our playback as soon as the caller talks over it;
- speech end after ``end_silence_ms`` without a voiced frame — slow enough not to cut a caller who
  pauses mid-sentence, fast enough that the reply does not feel late;
- nothing during the first ``warmup_ms``: WebRTC's noise model starts empty and calls the first
  ~100 ms of any line noise speech, which would otherwise "barge in" on every greeting.

Timestamps are audio milliseconds since the first byte fed (see ``ports``).
"""

from __future__ import annotations

from collections import deque
from typing import Any

from receptionist.speech.errors import SpeechEngineUnavailable
from receptionist.speech.ports import SpeechEnded, SpeechStarted, VadEvent

__all__ = ["WebRtcVad"]

_SUPPORTED_RATES_HZ = (8000, 16000, 32000, 48000)
_SUPPORTED_FRAMES_MS = (10, 20, 30)


def _load_vad(aggressiveness: int) -> Any:
    try:
        import webrtcvad  # imported here so the package works without this optional engine
    except ImportError as exc:
        raise SpeechEngineUnavailable("webrtcvad-wheels is not installed") from exc
    return webrtcvad.Vad(aggressiveness)


class WebRtcVad:
    """One per call. Feed the caller's PCM16 in order; collect ``SpeechStarted``/``SpeechEnded``.

    ``aggressiveness`` 0-3 (WebRTC's mode): higher rejects more noise and more quiet speech;
    3 suits phone lines, where the far end is often noisy and the caller close to the mic.
    """

    def __init__(
        self,
        sample_rate_hz: int = 8000,
        *,
        aggressiveness: int = 3,
        frame_ms: int = 20,
        start_speech_ms: int = 60,
        start_window_ms: int = 100,
        end_silence_ms: int = 600,
        warmup_ms: int = 200,
    ) -> None:
        if sample_rate_hz not in _SUPPORTED_RATES_HZ:
            raise ValueError(f"WebRTC VAD supports {_SUPPORTED_RATES_HZ} Hz, not {sample_rate_hz}")
        if frame_ms not in _SUPPORTED_FRAMES_MS:
            raise ValueError(f"WebRTC VAD supports {_SUPPORTED_FRAMES_MS} ms frames")
        if not 0 <= aggressiveness <= 3:
            raise ValueError("aggressiveness is 0..3")
        if start_speech_ms > start_window_ms:
            raise ValueError("start_speech_ms cannot exceed start_window_ms")
        self._rate = sample_rate_hz
        self._frame_ms = frame_ms
        self._frame_bytes = sample_rate_hz * frame_ms // 1000 * 2
        self._start_frames = max(1, -(-start_speech_ms // frame_ms))
        self._window_frames = max(self._start_frames, -(-start_window_ms // frame_ms))
        self._end_frames = max(1, -(-end_silence_ms // frame_ms))
        self._warmup_frames = -(-warmup_ms // frame_ms)
        self._vad = _load_vad(aggressiveness)
        self.reset()

    @property
    def sample_rate_hz(self) -> int:
        return self._rate

    @property
    def speaking(self) -> bool:
        return self._speech_start_ms is not None

    @property
    def position_ms(self) -> int:
        """Audio consumed so far, in whole frames."""
        return self._frames_seen * self._frame_ms

    def reset(self) -> None:
        self._pending = b""
        self._frames_seen = 0
        # (start ms, voiced) of the last frames inside the start window; used while idle only.
        self._recent: deque[tuple[int, bool]] = deque(maxlen=self._window_frames)
        self._speech_start_ms: int | None = None
        self._last_voiced_end_ms = 0
        self._silent_frames = 0

    def feed(self, pcm16: bytes) -> list[VadEvent]:
        data = self._pending + pcm16
        usable = len(data) - len(data) % self._frame_bytes
        self._pending = data[usable:]
        events: list[VadEvent] = []
        for offset in range(0, usable, self._frame_bytes):
            event = self._on_frame(data[offset : offset + self._frame_bytes])
            if event is not None:
                events.append(event)
        return events

    def _on_frame(self, frame: bytes) -> VadEvent | None:
        frame_start_ms = self._frames_seen * self._frame_ms
        self._frames_seen += 1
        frame_end_ms = frame_start_ms + self._frame_ms
        # Warm-up frames still go through WebRTC so its noise estimate adapts.
        voiced = bool(self._vad.is_speech(frame, self._rate))
        if self._frames_seen <= self._warmup_frames:
            return None

        if self._speech_start_ms is None:
            self._recent.append((frame_start_ms, voiced))
            voiced_starts = [start for start, is_voiced in self._recent if is_voiced]
            if voiced and len(voiced_starts) >= self._start_frames:
                self._speech_start_ms = voiced_starts[0]
                self._last_voiced_end_ms = frame_end_ms
                self._silent_frames = 0
                self._recent.clear()
                return SpeechStarted(at_ms=voiced_starts[0], detected_at_ms=frame_end_ms)
            return None

        if voiced:
            self._last_voiced_end_ms = frame_end_ms
            self._silent_frames = 0
            return None
        self._silent_frames += 1
        if self._silent_frames < self._end_frames:
            return None
        started_at_ms = self._speech_start_ms
        self._speech_start_ms = None
        self._silent_frames = 0
        return SpeechEnded(
            at_ms=self._last_voiced_end_ms,
            started_at_ms=started_at_ms,
            detected_at_ms=frame_end_ms,
        )
