"""One written form for the times in a caller's transcript (pure)."""

from __future__ import annotations

import pytest

from receptionist.speech import normalize_transcript, word_error_rate


@pytest.mark.parametrize(
    ("heard", "normal"),
    [
        ("Yes, 2 p m works for me.", "Yes, 2 pm works for me."),
        ("Yes, 2 P.M. works for me.", "Yes, 2 pm works for me."),
        ("Can I come at ten a.m. tomorrow?", "Can I come at 10 am tomorrow?"),
        ("Around 10.30pm?", "Around 10:30 pm?"),
        ("Next Tuesday at ten o'clock.", "Next Tuesday at 10."),
        ("I'm free at 4pm.", "I'm free at 4 pm."),
        ("I am here. Pm me.", "I am here. Pm me."),  # not a time
        ("Do you take Delta Dental?", "Do you take Delta Dental?"),
    ],
)
def test_times_come_out_in_one_form(heard: str, normal: str) -> None:
    assert normalize_transcript(heard) == normal


def test_normalising_never_adds_errors_against_the_spoken_reference() -> None:
    reference = "Yes, two pm works for me."
    assert word_error_rate(reference, normalize_transcript("Yes, 2 p m works for me.")) == 0.0
    assert word_error_rate(reference, "Yes, 2 p m works for me.") > 0.0


def test_a_dotted_time_closing_a_sentence_keeps_its_full_stop() -> None:
    assert normalize_transcript("Come at ten a.m. Thanks.") == "Come at 10 am. Thanks."
    assert normalize_transcript("Come at ten a.m.") == "Come at 10 am."
