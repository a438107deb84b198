"""G.711 μ-law against ITU-T G.711 Table 2 (μ-law), and against audioop where it still exists."""

from __future__ import annotations

import io
import warnings
import wave

import numpy as np
import pytest

from receptionist.speech.codec import pcm16_to_wav, ulaw_decode, ulaw_encode


def _itu_decoder_output(code: int) -> int:
    """G.711 Table 2a: the character is sign/segment/step with all bits inverted on the line;
    the decoded 14-bit magnitude of segment s, step q is (2q + 33)·2^s − 33."""
    bits = ~code & 0xFF
    segment, step = (bits >> 4) & 0x07, bits & 0x0F
    magnitude = ((2 * step + 33) << segment) - 33
    return -magnitude if bits & 0x80 else magnitude


def _itu_encode14(value: int) -> int:
    """G.711 encoder on a 14-bit sample: the (segment, step) whose lower decision value
    (2q + 32)·2^s − 33 is the largest not above the magnitude; all bits inverted."""
    negative = value < 0
    magnitude = min(-value if negative else value, 8158)
    code = 0
    for segment in range(8):
        for step in range(16):
            if ((2 * step + 32) << segment) - 33 <= magnitude:
                code = (segment << 4) | step
    return (code | (0x80 if negative else 0)) ^ 0xFF


def _pcm(values: list[int] | np.ndarray) -> bytes:
    return np.asarray(values, dtype="<i2").tobytes()


def _samples(pcm16: bytes) -> list[int]:
    return [int(sample) for sample in np.frombuffer(pcm16, dtype="<i2")]


def test_decode_matches_itu_table_for_every_code() -> None:
    decoded = _samples(ulaw_decode(bytes(range(256))))
    assert decoded == [4 * _itu_decoder_output(code) for code in range(256)]


@pytest.mark.parametrize(
    ("code", "pcm"),
    [
        (0xFF, 0),  # positive zero
        (0x7F, 0),  # negative zero
        (0xFE, 8),  # smallest positive step (14-bit 2)
        (0xF0, 120),  # top of segment 0 (14-bit 30)
        (0xEF, 132),  # bottom of segment 1 (14-bit 33)
        (0x8F, 16764),  # bottom of segment 7 (14-bit 4191)
        (0x80, 32124),  # largest positive (14-bit 8031)
        (0x00, -32124),  # largest negative
    ],
)
def test_decode_reference_values(code: int, pcm: int) -> None:
    assert _samples(ulaw_decode(bytes([code]))) == [pcm]


def test_encode_matches_itu_decision_values_for_every_14_bit_level() -> None:
    # Every 16-bit sample maps to the 14-bit level sample >> 2 (floor), as in g711.c.
    levels = np.arange(-8192, 8192)
    expected = bytes(_itu_encode14(int(level)) for level in levels)
    assert ulaw_encode(_pcm(levels * 4)) == expected
    assert ulaw_encode(_pcm(levels * 4 + 3)) == expected


def test_encode_saturates_at_full_scale() -> None:
    assert ulaw_encode(_pcm([32767, -32768])) == bytes([0x80, 0x00])


def test_round_trip_is_exact_on_decoder_levels_and_bounded_elsewhere() -> None:
    codes = bytes(range(256))
    levels = ulaw_decode(codes)
    assert ulaw_decode(ulaw_encode(levels)) == levels
    assert ulaw_encode(levels) == codes.replace(b"\x7f", b"\xff")  # -0 encodes as +0

    rng = np.random.default_rng(7)
    pcm = rng.integers(-32000, 32000, 20_000)
    error = np.abs(np.asarray(_samples(ulaw_decode(ulaw_encode(_pcm(pcm))))) - pcm)
    # Within one quantisation step of the sample's segment (step = 8·2^segment in 16-bit).
    assert np.all(error <= np.maximum(16, np.abs(pcm) / 16 + 8))


def test_encode_agrees_with_audioop_bit_for_bit() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        audioop = pytest.importorskip("audioop")
    every_sample = _pcm(np.arange(-32768, 32768))
    assert ulaw_encode(every_sample) == audioop.lin2ulaw(every_sample, 2)
    assert ulaw_decode(bytes(range(256))) == audioop.ulaw2lin(bytes(range(256)), 2)


def test_encode_rejects_half_a_sample() -> None:
    with pytest.raises(ValueError):
        ulaw_encode(b"\x00\x01\x02")


def test_wav_container_round_trips() -> None:
    pcm = _pcm([0, 1000, -1000, 32767])
    with wave.open(io.BytesIO(pcm16_to_wav(pcm, 8000))) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 8000)
        assert wav.readframes(wav.getnframes()) == pcm
