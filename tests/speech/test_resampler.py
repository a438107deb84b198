"""The stateful resampler: chunked equals whole, lengths, and the filter does its job."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from receptionist.speech.codec import Resampler, resample

RATES = [(8000, 16000), (16000, 8000), (22050, 8000), (24000, 8000), (24000, 16000), (8000, 8000)]


def _noise(n: int, seed: int = 1) -> bytes:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(n) * 4000).clip(-32768, 32767).astype("<i2").tobytes()


def _tone(freq_hz: float, rate_hz: int, seconds: float = 1.0, amplitude: float = 10000) -> bytes:
    t = np.arange(int(rate_hz * seconds)) / rate_hz
    return (amplitude * np.sin(2 * np.pi * freq_hz * t)).astype("<i2").tobytes()


def _in_chunks(resampler: Resampler, data: bytes, sizes: list[int]) -> bytes:
    out, offset, i = [], 0, 0
    while offset < len(data):
        size = sizes[i % len(sizes)]
        out.append(resampler.process(data[offset : offset + size]))
        offset += size
        i += 1
    out.append(resampler.flush())
    return b"".join(out)


def _gain_db(pcm16: bytes, amplitude: float = 10000) -> float:
    samples = np.frombuffer(pcm16, dtype="<i2").astype(np.float64)
    middle = samples[len(samples) // 4 : 3 * len(samples) // 4]  # away from the edges
    rms = np.sqrt(np.mean(middle**2))
    return float(20 * np.log10(max(rms, 1e-9) / (amplitude / np.sqrt(2))))


@pytest.mark.parametrize(("from_hz", "to_hz"), RATES)
def test_chunked_equals_whole_even_with_samples_split_across_chunks(
    from_hz: int, to_hz: int
) -> None:
    data = _noise(from_hz)  # one second
    whole = resample(data, from_hz, to_hz)
    # Odd sizes split 16-bit samples; 320 bytes is a Twilio 20 ms frame; 4801 an HTTP chunk.
    chunked = _in_chunks(Resampler(from_hz, to_hz), data, [1, 3, 320, 4801, 7, 1000])
    assert chunked == whole


@given(cuts=st.lists(st.integers(min_value=0, max_value=3200), max_size=12))
@settings(max_examples=40, deadline=None)
def test_any_chunking_gives_the_same_stream(cuts: list[int]) -> None:
    data = _noise(1600, seed=3)
    whole = resample(data, 24000, 8000)
    resampler = Resampler(24000, 8000)
    bounds = sorted({0, len(data), *cuts})
    pieces = [resampler.process(data[a:b]) for a, b in itertools.pairwise(bounds)]
    assert b"".join(pieces) + resampler.flush() == whole


@pytest.mark.parametrize(("from_hz", "to_hz"), RATES)
def test_output_length_follows_the_rate_ratio(from_hz: int, to_hz: int) -> None:
    n_in = 12345
    out = resample(_noise(n_in), from_hz, to_hz)
    assert len(out) // 2 == -(-n_in * to_hz // from_hz)


@pytest.mark.parametrize(
    ("from_hz", "to_hz", "freq_hz"),
    [(24000, 8000, 1000), (22050, 8000, 1000), (8000, 16000, 1000), (16000, 8000, 3000)],
)
def test_passband_keeps_telephone_frequencies(from_hz: int, to_hz: int, freq_hz: int) -> None:
    assert abs(_gain_db(resample(_tone(freq_hz, from_hz), from_hz, to_hz))) < 0.5


@pytest.mark.parametrize(
    ("from_hz", "to_hz", "freq_hz"), [(24000, 8000, 6000), (22050, 8000, 5000), (16000, 8000, 5000)]
)
def test_stopband_removes_what_would_alias(from_hz: int, to_hz: int, freq_hz: int) -> None:
    assert _gain_db(resample(_tone(freq_hz, from_hz), from_hz, to_hz)) < -60


def test_output_is_aligned_with_input() -> None:
    # A click at 0.5 s comes out at 0.5 s: no filter delay for callers to compensate.
    click = np.zeros(24000, dtype="<i2")
    click[12000] = 30000
    out = np.frombuffer(resample(click.tobytes(), 24000, 8000), dtype="<i2")
    assert abs(int(np.argmax(np.abs(out))) - 4000) <= 1


def test_flush_restarts_a_fresh_stream() -> None:
    resampler = Resampler(8000, 16000)
    first = resampler.process(_noise(800)) + resampler.flush()
    second = resampler.process(_noise(800)) + resampler.flush()
    assert first == second


def test_rejects_non_positive_rates() -> None:
    with pytest.raises(ValueError):
        Resampler(0, 8000)
