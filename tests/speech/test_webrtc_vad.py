"""VAD on the recorded caller utterances, padded with line noise as on a real call."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest

from receptionist.speech.ports import SpeechEnded, SpeechStarted, VadEvent, VoiceActivityDetector
from receptionist.speech.utterance import UtteranceCollector
from receptionist.speech.webrtc_vad import WebRtcVad

if TYPE_CHECKING:
    from tests.support.speech import FixtureUtterance

LEAD_MS = 500
FRAME_BYTES = 320  # 20 ms of 8 kHz PCM16


def _line_noise(ms: int, seed: int, dbfs: float = -50.0) -> bytes:
    noise = np.random.default_rng(seed).standard_normal(8 * ms) * 32768 * 10 ** (dbfs / 20)
    return noise.astype("<i2").tobytes()


def _run(vad: WebRtcVad, stream: bytes, chunk: int = FRAME_BYTES) -> list[VadEvent]:
    events: list[VadEvent] = []
    for offset in range(0, len(stream), chunk):
        events += vad.feed(stream[offset : offset + chunk])
    return events


def _padded(utterance: FixtureUtterance, tail_ms: int = 1500) -> bytes:
    return _line_noise(LEAD_MS, 1) + utterance.pcm16 + _line_noise(tail_ms, 2)


def test_is_a_voice_activity_detector() -> None:
    assert isinstance(WebRtcVad(), VoiceActivityDetector)


def test_each_utterance_gives_one_start_and_one_end(utterances: list[FixtureUtterance]) -> None:
    for utterance in utterances:
        events = _run(WebRtcVad(), _padded(utterance))
        assert [type(e) for e in events] == [SpeechStarted, SpeechEnded], utterance.name
        started, ended = events
        assert isinstance(started, SpeechStarted) and isinstance(ended, SpeechEnded)
        # Start: at the onset, and known within 100 ms (barge-in must be quick).
        assert LEAD_MS <= started.at_ms <= LEAD_MS + 100, utterance.name
        assert started.detected_at_ms - started.at_ms <= 100
        # End: near the end of the recording (it carries ~100-200 ms of trailing silence),
        # reported after exactly the configured silence.
        speech_end_ms = LEAD_MS + utterance.duration_ms
        assert speech_end_ms - 400 <= ended.at_ms <= speech_end_ms + 100, utterance.name
        assert ended.detected_at_ms - ended.at_ms == 600
        assert ended.started_at_ms == started.at_ms


def test_end_silence_is_configurable(utterances: list[FixtureUtterance]) -> None:
    events = _run(WebRtcVad(end_silence_ms=300), _padded(utterances[0]))
    ended = events[-1]
    assert isinstance(ended, SpeechEnded)
    assert ended.detected_at_ms - ended.at_ms == 300


def test_a_pause_shorter_than_end_silence_does_not_split(
    utterances: list[FixtureUtterance],
) -> None:
    first, second = utterances[2].pcm16, utterances[3].pcm16
    short_pause = first + _line_noise(250, 3) + second
    long_pause = first + _line_noise(1000, 3) + second
    stream = _line_noise(LEAD_MS, 1)
    tail = _line_noise(1000, 2)
    assert len(_run(WebRtcVad(), stream + short_pause + tail)) == 2
    assert len(_run(WebRtcVad(), stream + long_pause + tail)) == 4


def test_line_noise_alone_is_not_speech() -> None:
    for dbfs in (-70.0, -50.0, -40.0):
        assert _run(WebRtcVad(), _line_noise(3000, 5, dbfs)) == []


def test_events_do_not_depend_on_how_audio_is_chunked(
    utterances: list[FixtureUtterance],
) -> None:
    stream = _padded(utterances[1])
    expected = _run(WebRtcVad(), stream)
    for chunk in (2, 7, 160, 999, len(stream)):
        assert _run(WebRtcVad(), stream, chunk) == expected


def test_reset_starts_the_clock_over(utterances: list[FixtureUtterance]) -> None:
    vad = WebRtcVad()
    stream = _padded(utterances[0])
    first = _run(vad, stream)
    assert vad.position_ms == len(stream) // FRAME_BYTES * 20  # whole frames only
    vad.reset()
    assert vad.position_ms == 0 and not vad.speaking
    assert _run(vad, stream) == first


def test_speaking_tracks_the_events(utterances: list[FixtureUtterance]) -> None:
    vad = WebRtcVad()
    vad.feed(_line_noise(LEAD_MS, 1) + utterances[0].pcm16[:8000])
    assert vad.speaking
    vad.feed(_line_noise(1000, 2))
    assert not vad.speaking


@pytest.mark.parametrize(
    "kwargs",
    [
        {"sample_rate_hz": 22050},
        {"frame_ms": 25},
        {"aggressiveness": 4},
        {"start_speech_ms": 200, "start_window_ms": 100},
    ],
)
def test_rejects_what_webrtc_cannot_do(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        WebRtcVad(**kwargs)


def test_collector_cuts_the_utterance_with_padding(utterances: list[FixtureUtterance]) -> None:
    collector = UtteranceCollector(WebRtcVad(), pre_roll_ms=300, post_roll_ms=200)
    stream = _padded(utterances[4])
    events, cut = [], []
    for offset in range(0, len(stream), FRAME_BYTES):
        new_events, done = collector.feed(stream[offset : offset + FRAME_BYTES])
        events += new_events
        cut += done
    assert len(cut) == 1
    started, ended = events
    utterance = cut[0]
    assert (utterance.start_ms, utterance.end_ms) == (started.at_ms - 300, ended.at_ms + 200)
    assert utterance.sample_rate_hz == 8000
    assert len(utterance.pcm16) == utterance.duration_ms * 16
    assert utterance.pcm16 == stream[utterance.start_ms * 16 : utterance.end_ms * 16]


def test_collector_memory_stays_bounded_during_silence() -> None:
    collector = UtteranceCollector(WebRtcVad(), pre_roll_ms=300)
    for _ in range(500):  # 10 s of silence
        collector.feed(bytes(FRAME_BYTES))
    assert len(collector._buffer) <= 16 * 1000
