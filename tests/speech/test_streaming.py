"""Committing the settled words of a turn that is still being decoded (pure)."""

from __future__ import annotations

from receptionist.speech import IncrementalTranscript, agreed_prefix, collapse_repeats


def test_agreement_ignores_case_and_punctuation() -> None:
    assert agreed_prefix("Do you take".split(), "do you make".split()) == 2
    assert agreed_prefix("What time?".split(), "what time do".split()) == 2
    assert agreed_prefix([], "a b".split()) == 0


def test_words_are_committed_once_two_decodes_agree_minus_the_newest() -> None:
    partial = IncrementalTranscript(holdback=1)
    assert partial.update("Do you") == ""  # one decode is not an agreement
    assert partial.update("Do you make") == "Do"  # "you" agreed but held back
    assert partial.update("Do you take Delta") == "Do"  # "make" -> "take": not settled
    assert partial.update("Do you take Delta Dental?") == "Do you take"
    assert partial.committed_words == 3


def test_committed_words_never_change_and_lose_stray_end_punctuation() -> None:
    partial = IncrementalTranscript(holdback=0)
    partial.update("I'd like to book.")
    assert partial.update("I'd like to book. A cleaning") == "I'd like to book"
    assert partial.update("I'd like to walk a cleaning") == "I'd like to book"  # disagrees
    assert partial.update("I'd like to book a cleaning") == "I'd like to book"
    assert partial.update("I'd like to book a cleaning next") == "I'd like to book a cleaning"


def test_reset_starts_a_new_turn() -> None:
    partial = IncrementalTranscript(holdback=0)
    partial.update("hello there")
    partial.update("hello there")
    assert partial.committed == "hello there"
    partial.reset()
    assert partial.committed == "" and partial.hypotheses == 0


def test_a_sentence_repeated_word_for_word_is_dropped() -> None:
    assert collapse_repeats("Are you open on Sunday? Are you open on Sunday?") \
        == "Are you open on Sunday?"
    assert collapse_repeats("Yes, 2 pm works. yes 2 PM works. For me.") \
        == "Yes, 2 pm works. For me."
    assert collapse_repeats("Hello. Is that Greenfield?") == "Hello. Is that Greenfield?"
    assert collapse_repeats("") == ""
