"""Audio for the OpenAI doubles: G.711 codecs, fake speech, energy measurement.

The doubles cannot recognise or synthesise real speech, so they work with stand-ins whose *sizes*
are honest: fake speech lasts in proportion to the text it stands for, and caller audio is judged
speech or silence by its energy alone. Tests use the same helpers to make caller audio.

Everything here is numpy on whole buffers; nothing keeps state between calls.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

__all__ = [
    "MS_PER_CHAR",
    "AudioFormat",
    "bytes_per_ms",
    "decode",
    "encode",
    "rms",
    "sample_rate_hz",
    "silence",
    "speech_like",
    "spoken_duration_ms",
]

#: Roughly conversational English (about 16 characters a second), so text length maps to airtime.
MS_PER_CHAR = 60

#: The Realtime API's audio format names (``audio.input.format.type``).
AudioFormat = Literal["audio/pcmu", "audio/pcma", "audio/pcm"]

Pcm16 = npt.NDArray[np.int16]

_SAMPLE_RATE_HZ: dict[str, int] = {"audio/pcmu": 8000, "audio/pcma": 8000, "audio/pcm": 24000}
_BYTES_PER_SAMPLE: dict[str, int] = {"audio/pcmu": 1, "audio/pcma": 1, "audio/pcm": 2}


def sample_rate_hz(audio_format: AudioFormat) -> int:
    return _SAMPLE_RATE_HZ[audio_format]


def bytes_per_ms(audio_format: AudioFormat) -> int:
    """μ-law and A-law at 8 kHz are 8 bytes per ms; PCM16 at 24 kHz is 48."""
    return _SAMPLE_RATE_HZ[audio_format] * _BYTES_PER_SAMPLE[audio_format] // 1000


def _ulaw_decode_table() -> Pcm16:
    code = ~np.arange(256, dtype=np.int32) & 0xFF
    exponent = (code >> 4) & 0x07
    magnitude = ((((code & 0x0F) << 3) + 0x84) << exponent) - 0x84
    return np.where(code & 0x80, -magnitude, magnitude).astype(np.int16)


def _alaw_decode_table() -> Pcm16:
    code = np.arange(256, dtype=np.int32) ^ 0x55
    exponent = (code >> 4) & 0x07
    mantissa = code & 0x0F
    magnitude = np.where(
        exponent == 0,
        (mantissa << 4) + 8,
        ((mantissa << 4) + 0x108) << np.maximum(exponent - 1, 0),
    )
    # In A-law a set sign bit means a positive sample, the opposite of μ-law.
    return np.where(code & 0x80, magnitude, -magnitude).astype(np.int16)


_ULAW_TO_PCM = _ulaw_decode_table()
_ALAW_TO_PCM = _alaw_decode_table()
# floor(log2(i)) for i in 0..255: picks the G.711 segment from the top bits of the magnitude.
_SEGMENT = np.concatenate([[0], np.floor(np.log2(np.arange(1, 256))).astype(np.int32)])


def _segment(value: npt.NDArray[np.int32], first_segment_top: int) -> npt.NDArray[np.int32]:
    """G.711 segment number: 0 up to ``first_segment_top``, then one more per doubling."""
    shifted = np.minimum(value >> first_segment_top.bit_length(), 255)
    return np.where(value <= first_segment_top, 0, _SEGMENT[shifted] + 1)


def _ulaw_encode(pcm: Pcm16) -> bytes:
    # Same rounding as the ITU reference (and CPython's audioop): work on 14 bits.
    value = pcm.astype(np.int32) >> 2
    mask = np.where(value < 0, 0x7F, 0xFF)
    value = np.minimum(np.abs(value), 8159) + 33
    segment = _segment(value, 0x3F)
    code = np.where(segment >= 8, 0x7F, (segment << 4) | ((value >> (segment + 1)) & 0x0F))
    return (code ^ mask).astype(np.uint8).tobytes()


def _alaw_encode(pcm: Pcm16) -> bytes:
    # A-law works on 13 bits; negative values are one's-complemented before segmenting.
    value = pcm.astype(np.int32) >> 3
    mask = np.where(value >= 0, 0xD5, 0x55)
    value = np.where(value >= 0, value, -value - 1)
    segment = _segment(value, 0x1F)
    mantissa = np.where(segment < 2, value >> 1, value >> np.maximum(segment, 1)) & 0x0F
    code = np.where(segment >= 8, 0x7F, (segment << 4) | mantissa)
    return (code ^ mask).astype(np.uint8).tobytes()


def decode(audio: bytes, audio_format: AudioFormat) -> Pcm16:
    """Wire bytes to 16-bit samples at the format's own rate (no resampling)."""
    if audio_format == "audio/pcm":
        usable = len(audio) - len(audio) % 2
        return np.frombuffer(audio[:usable], dtype="<i2").astype(np.int16)
    codes = np.frombuffer(audio, dtype=np.uint8)
    table = _ULAW_TO_PCM if audio_format == "audio/pcmu" else _ALAW_TO_PCM
    return table[codes]


def encode(pcm: Pcm16, audio_format: AudioFormat) -> bytes:
    if audio_format == "audio/pcm":
        return pcm.astype("<i2").tobytes()
    if audio_format == "audio/pcmu":
        return _ulaw_encode(pcm)
    return _alaw_encode(pcm)


def rms(audio: bytes, audio_format: AudioFormat) -> float:
    """Root-mean-square level on the 16-bit scale (0 … 32767)."""
    samples = decode(audio, audio_format)
    if samples.size == 0:
        return 0.0
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))


def spoken_duration_ms(text: str, *, speed: float = 1.0, ms_per_char: float = MS_PER_CHAR) -> int:
    """Airtime of the fake speech for ``text``; never zero, so every reply has some audio."""
    return max(200, round(len(text) * ms_per_char / speed))


def speech_like(
    duration_ms: int,
    audio_format: AudioFormat = "audio/pcmu",
    *,
    level: float = 6000.0,
    seed: int = 0,
) -> bytes:
    """Voiced-sounding audio: a 180 Hz buzz with harmonics and noise, pulsing at syllable rate.

    Deterministic for a given seed. ``level`` is the rough RMS on the 16-bit scale; the default
    is far above the doubles' VAD threshold, as a caller's voice is.
    """
    rate = _SAMPLE_RATE_HZ[audio_format]
    t = np.arange(rate * duration_ms // 1000) / rate
    rng = np.random.default_rng(seed)
    voiced = sum(np.sin(2 * np.pi * 180 * k * t) / k for k in (1, 2, 3, 4))
    noisy = voiced + 0.3 * rng.standard_normal(t.size)
    # 4 Hz envelope that never fully closes, so no 20 ms frame inside speech reads as silence.
    envelope = 0.65 + 0.35 * np.sin(2 * np.pi * 4 * t)
    signal = noisy * envelope
    scale = level / max(float(np.sqrt(np.mean(signal**2))), 1e-9) if t.size else 0.0
    pcm = np.clip(signal * scale, -32768, 32767).astype(np.int16)
    return encode(pcm, audio_format)


def silence(duration_ms: int, audio_format: AudioFormat = "audio/pcmu") -> bytes:
    samples = _SAMPLE_RATE_HZ[audio_format] * duration_ms // 1000
    return encode(np.zeros(samples, dtype=np.int16), audio_format)
