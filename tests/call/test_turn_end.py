"""The end-of-turn rule and the turn detector's per-pause silence, without audio engines."""

from __future__ import annotations

import pytest

from receptionist.call.engines.turns import (
    EndOfTurnRule,
    TurnBegan,
    TurnDetector,
    TurnEnded,
    TurnPaused,
    TurnResumed,
)
from receptionist.speech import SpeechEnded, SpeechStarted, VadEvent

RULE = EndOfTurnRule(complete_ms=250, default_ms=500, incomplete_ms=1000)


@pytest.mark.parametrize(
    ("text", "silence_ms"),
    [
        ("Do you take Delta Dental?", 250),
        ("I'd like to book a cleaning next Tuesday at 10.", 500),  # a number may go on
        ("Thanks, that's all I needed. Goodbye.", 250),
        ("Yes.", 250),
        ("I'd like to book a cleaning next Tuesday at", 1000),
        ("I'd like to book a cleaning next Tuesday at.", 1000),  # Whisper's stray period
        ("My name is, um", 1000),
        ("Can I, uh...", 1000),
        ("I need a plumber and", 1000),
        ("I was wondering,", 1000),
        ("Do you open on Saturday", 500),  # no end punctuation: not sure either way
        ("", 500),
        (None, 500),
        ("...", 500),
    ],
)
def test_the_silence_that_ends_a_turn_follows_its_words(text: str | None,
                                                       silence_ms: int) -> None:
    assert RULE.silence_ms(text) == silence_ms


class ScriptedVad:
    """A VAD whose events are given per frame (20 ms of 8 kHz PCM16 = 320 bytes)."""

    sample_rate_hz = 8000

    def __init__(self, script: dict[int, VadEvent]) -> None:
        self.script = script
        self.frame = 0
        self.speaking = False

    def feed(self, pcm16: bytes) -> list[VadEvent]:
        events: list[VadEvent] = []
        for _ in range(len(pcm16) // 320):
            event = self.script.get(self.frame)
            self.frame += 1
            if event is not None:
                self.speaking = isinstance(event, SpeechStarted)
                events.append(event)
        return events

    def reset(self) -> None:
        self.frame = 0


def run(turns: TurnDetector, frames: int, *,
        after: dict[int, int] | None = None) -> list[tuple[int, object]]:
    """Feed ``frames`` frames; ``after[n]`` calls ``end_after`` before frame n."""
    out = []
    for n in range(frames):
        if after and n in after:
            turns.end_after(after[n])
        out += [(n, s) for s in turns.feed(bytes(320))]
    return out


def speech(start_frame: int, end_frame: int) -> dict[int, VadEvent]:
    # speech from start_frame to end_frame; the VAD reports the end 160 ms (8 frames) later
    return {start_frame: SpeechStarted(start_frame * 20, start_frame * 20 + 20),
            end_frame + 8: SpeechEnded(end_frame * 20, start_frame * 20, end_frame * 20 + 160)}


def test_without_words_the_default_silence_ends_the_turn() -> None:
    turns = TurnDetector(ScriptedVad(speech(10, 60)), end_silence_ms=500)
    signals = run(turns, 120)
    ended = [n for n, s in signals if isinstance(s, TurnEnded)]
    assert ended == [60 + 25 - 1]  # 500 ms of silence after the last voiced frame


def test_a_finished_sentence_ends_the_turn_sooner() -> None:
    turns = TurnDetector(ScriptedVad(speech(10, 60)), end_silence_ms=500)
    signals = run(turns, 120, after={75: 250})  # its transcript came 300 ms after speech
    ended = [n for n, s in signals if isinstance(s, TurnEnded)]
    assert ended == [75]  # already 250 ms quiet: over at once
    (ended_signal,) = [s for _, s in signals if isinstance(s, TurnEnded)]
    assert ended_signal.speech_end_ms == 60 * 20


def test_a_hesitation_waits_longer_and_resuming_keeps_the_turn() -> None:
    script = speech(10, 60)
    script.update({95: SpeechStarted(95 * 20, 96 * 20)})  # speaks again 700 ms later
    script.update({150 + 8: SpeechEnded(150 * 20, 95 * 20, 158 * 20)})
    turns = TurnDetector(ScriptedVad(script), end_silence_ms=500)
    signals = run(turns, 260, after={70: 1000})
    kinds = [type(s) for _, s in signals]
    assert kinds == [TurnBegan, TurnPaused, TurnResumed, TurnPaused, TurnEnded]
    # the second pause got no words yet: the default silence applies again
    assert [n for n, s in signals if isinstance(s, TurnEnded)] == [150 + 25 - 1]


def test_end_after_means_nothing_outside_a_pause() -> None:
    turns = TurnDetector(ScriptedVad(speech(10, 60)), end_silence_ms=500)
    signals = run(turns, 120, after={30: 100})  # mid-speech: ignored
    assert [n for n, s in signals if isinstance(s, TurnEnded)] == [84]


def test_turn_audio_is_the_turn_so_far() -> None:
    turns = TurnDetector(ScriptedVad(speech(10, 60)), end_silence_ms=500, pre_roll_ms=100)
    assert turns.turn_audio() is None
    run(turns, 40)
    audio = turns.turn_audio()
    assert audio is not None
    assert len(audio) == (40 - 10) * 320 + 100 * 16  # from the start (and its pre-roll) to now
