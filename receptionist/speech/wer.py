"""Word error rate, for measuring STT engines on reference utterances.

Both texts are normalised first so that only recognition errors count, not formatting:
case, punctuation, apostrophes ("I'd" = "id"), and numbers ("two pm" = "2 p.m." = "2pm";
"five five five" = "555"), with every number compared digit by digit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from receptionist.core import TENS_WORDS, UNIT_WORDS

__all__ = ["corpus_word_error_rate", "normalize_words", "word_edits", "word_error_rate"]

_SPELLING = {"okay": "ok", "alright": "all right", "e-mail": "email"}


def normalize_words(text: str) -> list[str]:
    """Lower-case words of ``text`` with punctuation gone and numbers as single digits."""
    text = text.lower().replace("&", " and ")
    for variant, canonical in _SPELLING.items():
        text = re.sub(rf"\b{re.escape(variant)}\b", canonical, text)
    text = re.sub(r"['’`]", "", text)  # contractions: "i'd" and "id" are the same word here
    text = re.sub(r"(?<=[a-z])\.(?=[a-z])", "", text)  # "p.m" -> "pm" before dots become spaces
    text = re.sub(r"[^a-z0-9]+", " ", text)
    text = re.sub(r"(?<=\d)(?=[a-z])|(?<=[a-z])(?=\d)", " ", text)  # "2pm" -> "2 pm"
    words: list[str] = []
    tokens = text.split()
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in TENS_WORDS:
            value = TENS_WORDS[token]
            following = tokens[i + 1] if i + 1 < len(tokens) else ""
            if UNIT_WORDS.get(following, 10) < 10:
                value += UNIT_WORDS[following]
                i += 1
            token = str(value)
        elif token in UNIT_WORDS:
            token = str(UNIT_WORDS[token])
        if token.isdigit():
            words.extend(token)  # "555" and "five five five" both become 5 5 5
        else:
            words.append(token)
        i += 1
    return words


def word_edits(reference: str, hypothesis: str) -> tuple[int, int]:
    """(substitutions + deletions + insertions, reference word count) after normalising."""
    ref = normalize_words(reference)
    hyp = normalize_words(hypothesis)
    previous = list(range(len(hyp) + 1))
    for i, ref_word in enumerate(ref, start=1):
        current = [i] + [0] * len(hyp)
        for j, hyp_word in enumerate(hyp, start=1):
            current[j] = min(
                previous[j] + 1,  # deletion
                current[j - 1] + 1,  # insertion
                previous[j - 1] + (ref_word != hyp_word),  # substitution or match
            )
        previous = current
    return previous[-1], len(ref)


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Edits divided by reference words; 0.0 for two empty texts, 1.0 for words out of nothing."""
    edits, words = word_edits(reference, hypothesis)
    if words == 0:
        return 0.0 if edits == 0 else 1.0
    return edits / words


def corpus_word_error_rate(pairs: Iterable[tuple[str, str]]) -> float:
    """Total edits over total reference words, across (reference, hypothesis) pairs."""
    total_edits = total_words = 0
    for reference, hypothesis in pairs:
        edits, words = word_edits(reference, hypothesis)
        total_edits += edits
        total_words += words
    return total_edits / total_words if total_words else 0.0
