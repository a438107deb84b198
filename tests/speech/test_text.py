"""Sentence splitting for TTS, vocabulary prompts, and the WER used to grade STT."""

from __future__ import annotations

import pytest

from receptionist.core.spoken import split_sentences
from receptionist.speech.vocabulary import vocabulary_prompt
from receptionist.speech.wer import (
    corpus_word_error_rate,
    normalize_words,
    word_edits,
    word_error_rate,
)


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("", []),
        ("   \n ", []),
        ("Hello there", ["Hello there"]),
        ("Thanks for calling! How can I help?", ["Thanks for calling!", "How can I help?"]),
        ("Dr. Okafor sees you at 9 a.m. tomorrow.", ["Dr. Okafor sees you at 9 a.m. tomorrow."]),
        ("It costs 3.50 dollars. Okay?", ["It costs 3.50 dollars.", "Okay?"]),
        ('She said "sure." Then left.', ['She said "sure."', "Then left."]),
        ("Line one\nline two", ["Line one", "line two"]),
        ("Wait...  really?!  Yes", ["Wait...", "really?!", "Yes"]),
    ],
)
def test_split_sentences(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


def test_vocabulary_prompt() -> None:
    assert vocabulary_prompt([]) is None
    assert vocabulary_prompt([" ", ""], "  ") is None
    assert vocabulary_prompt(["Acme Plumbing", " drain cleaning "]) == (
        "Acme Plumbing, drain cleaning."
    )
    assert vocabulary_prompt(["Acme"], "Caller is booking.") == "Acme. Caller is booking."
    assert len(vocabulary_prompt(["word"] * 1000) or "") <= 600


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("What time do you OPEN?", ["what", "time", "do", "you", "open"]),
        ("I'd like that", ["id", "like", "that"]),
        ("Yes, 2 p.m. works", ["yes", "2", "pm", "works"]),
        ("yes two PM works", ["yes", "2", "pm", "works"]),
        ("yes 2pm works", ["yes", "2", "pm", "works"]),
        ("555-0142", ["5", "5", "5", "0", "1", "4", "2"]),
        ("five five five, zero one four two", ["5", "5", "5", "0", "1", "4", "2"]),
        ("twenty five", ["2", "5"]),
        ("twenty", ["2", "0"]),
        ("okay & thanks", ["ok", "and", "thanks"]),
    ],
)
def test_normalize_words(text: str, words: list[str]) -> None:
    assert normalize_words(text) == words


def test_word_error_rate_counts_substitutions_insertions_and_deletions() -> None:
    assert word_error_rate("my name is jane doe", "My name is Jane Doe.") == 0.0
    assert word_edits("my name is jane doe", "my name is gainzo") == (2, 5)  # 1 sub + 1 del
    assert word_edits("can i talk to a person", "can i talk to the person please") == (2, 6)
    assert word_error_rate("", "") == 0.0
    assert word_error_rate("", "hello") == 1.0
    assert word_error_rate("hello", "") == 1.0
    assert corpus_word_error_rate([("a b c d", "a b c d"), ("a b", "x b")]) == pytest.approx(1 / 6)
