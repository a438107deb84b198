"""Wire formats for phone audio: G.711 μ-law and sample-rate conversion, in numpy.

``audioop`` is deprecated and gone in Python 3.13, so μ-law goes through two lookup tables (256
entries to decode, 65,536 to encode) built once on first use. They reproduce the classic Sun/CCITT
``g711.c`` and ``audioop`` results bit for bit: 16-bit input is reduced to G.711's 14-bit range by
an arithmetic shift, then segment-and-step coded, with all bits inverted on the wire.

``Resampler`` is a polyphase windowed-sinc FIR that keeps its input history between calls, so a
stream converted chunk by chunk (20 ms Twilio frames, arbitrary HTTP chunks that may even split a
16-bit sample) equals the same stream converted in one go.
"""

from __future__ import annotations

import functools
import io
import math
import wave

import numpy as np
import numpy.typing as npt

__all__ = ["Resampler", "pcm16_to_wav", "resample", "ulaw_decode", "ulaw_encode"]

_BIAS = 0x84  # 132: added before segment search so every segment's steps start on a power of two
# Largest 14-bit magnitude coded exactly; anything louder saturates to the top code (0x80/0x00),
# which is what g711.c's clip-then-overflow check amounts to.
_CLIP14 = 8158


@functools.cache
def _decode_table() -> npt.NDArray[np.int16]:
    codes = ~np.arange(256, dtype=np.int32) & 0xFF
    exponent = (codes >> 4) & 0x07
    mantissa = codes & 0x0F
    magnitude = (((mantissa << 3) + _BIAS) << exponent) - _BIAS
    return np.where(codes & 0x80, -magnitude, magnitude).astype(np.int16)


@functools.cache
def _encode_table() -> npt.NDArray[np.uint8]:
    # Index is the int16 sample reinterpreted as uint16, so lookups need no sign handling.
    pcm = np.arange(65536, dtype=np.int32)
    pcm = np.where(pcm >= 32768, pcm - 65536, pcm)
    pcm14 = pcm >> 2  # G.711 is defined on 14 bits; floor shift matches g711.c/audioop
    negative = pcm14 < 0
    magnitude = np.minimum(np.where(negative, -pcm14, pcm14), _CLIP14) + (_BIAS >> 2)
    # Segment = position of the highest set bit above bit 5 (magnitudes 33..8191 -> 0..7).
    exponent = np.clip(np.floor(np.log2(magnitude)).astype(np.int32) - 5, 0, 7)
    mantissa = (magnitude >> (exponent + 1)) & 0x0F
    code = (exponent << 4) | mantissa
    table: npt.NDArray[np.uint8] = np.where(negative, code ^ 0x7F, code ^ 0xFF).astype(np.uint8)
    return table


def ulaw_decode(ulaw: bytes) -> bytes:
    """μ-law bytes -> signed 16-bit little-endian PCM (two bytes per input byte)."""
    codes = np.frombuffer(ulaw, dtype=np.uint8)
    return _decode_table()[codes].astype("<i2").tobytes()


def ulaw_encode(pcm16: bytes) -> bytes:
    """Signed 16-bit little-endian PCM -> μ-law bytes. ``pcm16`` must hold whole samples."""
    if len(pcm16) % 2:
        raise ValueError("pcm16 must hold a whole number of 16-bit samples")
    samples = np.frombuffer(pcm16, dtype="<i2").view(np.uint16)
    return _encode_table()[samples].tobytes()


@functools.cache
def _polyphase_bank(up: int, down: int, taps: int) -> npt.NDArray[np.float64]:
    """Filter bank ``bank[phase, k]``: a Kaiser-windowed sinc low-pass at the lower Nyquist,
    designed at the upsampled rate and split into ``up`` phases of ``taps`` coefficients."""
    length = taps * up
    centre = length // 2
    cutoff = 0.5 / max(up, down) * 0.92  # leave a transition band below the new Nyquist
    m = np.arange(length, dtype=np.float64) - centre
    window = np.kaiser(length + 1, 8.6)[:length]  # β 8.6 ≈ 80 dB stop-band rejection
    prototype = 2 * cutoff * np.sinc(2 * cutoff * m) * window * up  # ×up undoes zero-stuffing
    return prototype.reshape(taps, up).T.copy()


class Resampler:
    """Stateful rational resampler for one mono 16-bit stream (e.g. 8k↔16k, 22.05k/24k→8k).

    Feed ``process()`` chunks in order; call ``flush()`` once at the end of the stream to get the
    last few milliseconds held back for the filter's look-ahead. Output is aligned with the input
    (no group delay) and ``flush()`` makes the total length ``ceil(n_in * to_hz / from_hz)``.
    """

    def __init__(self, from_hz: int, to_hz: int, *, zero_crossings: int = 16) -> None:
        if from_hz <= 0 or to_hz <= 0:
            raise ValueError("sample rates must be positive")
        self.from_hz = from_hz
        self.to_hz = to_hz
        gcd = math.gcd(from_hz, to_hz)
        self._up, self._down = to_hz // gcd, from_hz // gcd
        # Enough taps for `zero_crossings` sinc lobes each side at the *lower* of the two rates.
        self._taps = 2 * zero_crossings * max(1, math.ceil(self._down / self._up))
        self._bank = _polyphase_bank(self._up, self._down, self._taps)
        self._offset = (self._taps * self._up) // 2  # centre tap, in upsampled samples
        self.reset()

    def reset(self) -> None:
        self._pending_byte = b""
        # Input history; _buffer[0] is absolute input sample _base. Starts as the zeros
        # before the stream so the first outputs see a full window.
        self._buffer: npt.NDArray[np.float64] = np.zeros(self._taps, dtype=np.float64)
        self._base = -self._taps
        self._n_in = 0
        self._n_out = 0

    def process(self, pcm16: bytes) -> bytes:
        """Resample the next chunk; may return less (or more) than its share until flushed."""
        data = self._pending_byte + pcm16
        whole = len(data) - len(data) % 2
        self._pending_byte = data[whole:]  # a sample split across chunks waits for its other half
        samples = np.frombuffer(data[:whole], dtype="<i2")
        return _to_pcm16(self._push(samples.astype(np.float64)))

    def flush(self) -> bytes:
        """Emit what the look-ahead held back, then start over as a new stream."""
        if self.from_hz == self.to_hz:
            out = b""
        else:
            tail = np.zeros(self._taps, dtype=np.float64)
            total = -(-self._n_in * self._up // self._down)
            out = _to_pcm16(self._push(tail, real=False, limit=total))
        self.reset()
        return out

    def _push(
        self, samples: npt.NDArray[np.float64], *, real: bool = True, limit: int | None = None
    ) -> npt.NDArray[np.float64]:
        if self.from_hz == self.to_hz:
            return samples
        self._buffer = np.concatenate([self._buffer, samples])
        if real:
            self._n_in += len(samples)
        last_input = self._base + len(self._buffer) - 1
        # Output n needs input up to floor((n*down + offset) / up); find how many are ready.
        ready = (last_input * self._up - self._offset) // self._down + 1
        if limit is not None:
            ready = min(ready, limit)
        n = np.arange(self._n_out, max(ready, self._n_out), dtype=np.int64)
        out: npt.NDArray[np.float64]
        if len(n):
            position = n * self._down + self._offset
            newest = position // self._up - self._base
            phase = position % self._up
            window = newest[:, None] - np.arange(self._taps)[None, :]
            out = np.einsum("ij,ij->i", self._buffer[window], self._bank[phase])
            self._n_out += len(n)
        else:
            out = np.zeros(0, dtype=np.float64)
        # Drop history no future output can reach.
        next_newest = (self._n_out * self._down + self._offset) // self._up
        keep_from = max(next_newest - self._taps + 1 - self._base, 0)
        keep_from = min(keep_from, len(self._buffer))
        self._buffer = self._buffer[keep_from:]
        self._base += keep_from
        return out


def _to_pcm16(samples: npt.NDArray[np.float64]) -> bytes:
    return np.clip(np.rint(samples), -32768, 32767).astype("<i2").tobytes()


def resample(pcm16: bytes, from_hz: int, to_hz: int) -> bytes:
    """Resample a whole clip (one ``Resampler``, processed and flushed)."""
    resampler = Resampler(from_hz, to_hz)
    return resampler.process(pcm16) + resampler.flush()


def pcm16_to_wav(pcm16: bytes, sample_rate_hz: int) -> bytes:
    """Wrap mono PCM16 in a RIFF/WAVE container (what upload-style STT APIs accept)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate_hz)
        wav.writeframes(pcm16[: len(pcm16) // 2 * 2])
    return buffer.getvalue()
