"""The words of a text that carry meaning, as the product compares them: lower case, stop words
out, numbers as digits, Snowball-stemmed ("leaking pipes" → ["leak", "pipe"]).

One analyzer for everything that matches a caller's words against a website's: the knowledge
search indexes with it and the local brain picks the sentence that answers with it, so a word
the search matched is the same word when the answer is chosen.
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

from receptionist.core.spoken import TENS_WORDS, UNIT_WORDS

__all__ = ["STOPWORDS", "analyze", "normalize_numbers", "stem", "words"]

STOPWORDS = frozenset("""
a about again against all am an and any are as at be because been being between both but by can
could did do does doing down during each few for from further had has have having he her here
hers herself him himself his how i if in into is it its itself just me more most my myself no
nor not of on once only or other our ours ourselves she should so some such than that the their
theirs them themselves then there these they this those through to too under until up very was
we were what when where which while who whom why will with would you your yours yourself
yourselves s t don ll m re ve y get got also us let please hi hello thanks thank ok okay im i'm
you're we're it's there's what's can't won't
""".split())
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_stemmer = Stemmer.Stemmer("english")


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The Snowball (Porter 2) stem of one lower-case word: "parking" → "park"."""
    return str(_stemmer.stemWord(word))


_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_NUMBER_WORD = "|".join([*UNIT_WORDS, *TENS_WORDS, *_SCALES])
_SPOKEN_NUMBER = re.compile(
    rf"\b(?:{_NUMBER_WORD})(?:(?:\s+|-|\s+and\s+)(?:{_NUMBER_WORD}))*\b", re.IGNORECASE)


def _spoken_value(words: list[str]) -> int:
    total = current = 0
    for w in words:
        if w in UNIT_WORDS:
            current += UNIT_WORDS[w]
        elif w in TENS_WORDS:
            current += TENS_WORDS[w]
        elif w == "hundred":
            current = max(current, 1) * 100
        else:
            total += max(current, 1) * _SCALES[w]
            current = 0
    return total + current


def _digits_for_words(match: re.Match[str]) -> str:
    words = [w for w in re.split(r"[\s-]+", match.group(0).lower()) if w != "and"]
    if len(words) == 1 and words[0] in UNIT_WORDS:
        return match.group(0)   # "one of those" stays words; "fifty" or "two hundred" do not
    return str(_spoken_value(words))


def normalize_numbers(text: str) -> str:
    """"£250,000.00" and "two hundred and fifty thousand" both → "250000"."""
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    text = re.sub(r"(?<=\d)\.00\b", "", text)
    return _SPOKEN_NUMBER.sub(_digits_for_words, text)


def words(text: str) -> list[tuple[str, str]]:
    """``(stem, word)`` for each word of ``text`` that is not a stop word, in order: the word as
    written (apostrophes dropped) beside its stem, for rules that care how long it was."""
    text = normalize_numbers(text.lower().replace("\u2019", "'"))
    out: list[tuple[str, str]] = []
    for w in _WORD.findall(text):
        if w not in STOPWORDS:
            plain = w.replace("'", "")
            out.append((stem(plain), plain))
    return out


def analyze(text: str) -> list[str]:
    """Lower-case words without stop words, stemmed ("leaking pipes" → ["leak", "pipe"])."""
    return [s for s, _ in words(text)]
