"""Transcribing a turn while the caller is still speaking: which words are settled. No I/O.

The growing turn is re-decoded every so often; Whisper may still change its mind about the last
word or two (it has not heard how the sentence goes on), so a word is *committed* only once two
decodes in a row agree on it and on everything before it, and the newest ``holdback`` agreed
words stay open (the "local agreement" policy of streaming Whisper). When the turn pauses, the
committed words are handed to the decoder as a prefix and only the tail is searched.
"""

from __future__ import annotations

import re

__all__ = ["IncrementalTranscript", "agreed_prefix"]

_KEY = re.compile(r"[^a-z0-9]+")


def _key(word: str) -> str:
    """Words compare without case or punctuation: "Saturday?" agrees with "saturday"."""
    return _KEY.sub("", word.lower())


def agreed_prefix(first: list[str], second: list[str]) -> int:
    """How many leading words two hypotheses share (compared case- and punctuation-free)."""
    count = 0
    for a, b in zip(first, second, strict=False):
        if _key(a) != _key(b) or not _key(a):
            break
        count += 1
    return count


class IncrementalTranscript:
    """One turn's partial hypotheses -> its committed words. One per call, reset per turn."""

    def __init__(self, *, holdback: int = 1) -> None:
        self._holdback = holdback
        self.reset()

    def reset(self) -> None:
        self._committed: list[str] = []
        self._previous: list[str] | None = None
        self.hypotheses = 0

    @property
    def committed(self) -> str:
        return " ".join(self._committed)

    @property
    def committed_words(self) -> int:
        return len(self._committed)

    def update(self, hypothesis: str) -> str:
        """Take a decode of the turn so far; return the committed text after it.

        Committed words never change: a hypothesis that disagrees with them (the decoder was
        given them as a prefix, so this is rare) commits nothing new."""
        words = hypothesis.split()
        self.hypotheses += 1
        previous, self._previous = self._previous, words
        if previous is None:
            return self.committed
        if agreed_prefix(self._committed, words) < len(self._committed):
            return self.committed
        # Strip trailing punctuation from words that are not the last of the agreed run:
        # Whisper ends a partial with "." where the caller had only paused.
        agreed = agreed_prefix(previous, words) - self._holdback
        if agreed > len(self._committed):
            self._committed.extend(w.rstrip(".?!,") for w in words[len(self._committed):agreed])
        return self.committed
