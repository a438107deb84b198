"""BM25 (Okapi, k1=1.2, b=0.75) over stemmed English words, as numpy posting lists.

Per-posting weights do not depend on the query, so they are computed once when the index is
built and a query only adds up a few arrays.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

import numpy as np
import Stemmer

__all__ = ["STOPWORDS", "Bm25Index", "analyze", "expand_query", "normalize_numbers"]

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
def _stem(word: str) -> str:
    return str(_stemmer.stemWord(word))


_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * i for i, w in enumerate(
    "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if w != "_"}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_NUMBER_WORD = "|".join([*_UNITS, *_TENS, *_SCALES])
_SPOKEN_NUMBER = re.compile(
    rf"\b(?:{_NUMBER_WORD})(?:(?:\s+|-|\s+and\s+)(?:{_NUMBER_WORD}))*\b", re.IGNORECASE)


def _spoken_value(words: list[str]) -> int:
    total = current = 0
    for w in words:
        if w in _UNITS:
            current += _UNITS[w]
        elif w in _TENS:
            current += _TENS[w]
        elif w == "hundred":
            current = max(current, 1) * 100
        else:
            total += max(current, 1) * _SCALES[w]
            current = 0
    return total + current


def _digits_for_words(match: re.Match[str]) -> str:
    words = [w for w in re.split(r"[\s-]+", match.group(0).lower()) if w != "and"]
    if len(words) == 1 and words[0] in _UNITS:
        return match.group(0)   # "one of those" stays words; "fifty" or "two hundred" do not
    return str(_spoken_value(words))


def normalize_numbers(text: str) -> str:
    """"£250,000.00" and "two hundred and fifty thousand" both → "250000"."""
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    text = re.sub(r"(?<=\d)\.00\b", "", text)
    return _SPOKEN_NUMBER.sub(_digits_for_words, text)


# Spoken questions against written pages: the words a page or the profile uses for what a
# caller asks ("whereabouts are you?" → address, location; "how much" → price, cost).
_PARAPHRASES = [
    (re.compile(r"\bwhere(?:'s| is| are)\b|whereabouts|located|location|directions|"
                r"find you|get to you|address", re.IGNORECASE),
     "address located location directions"),
    (re.compile(r"how much|\bcost|\bprice|\bcharge|\bfee|\brates?\b|expensive|afford",
                re.IGNORECASE), "price cost fee charge"),
    (re.compile(r"\bopen\b|\bclos(?:e|es|ed|ing)\b|\bhours\b|what time|when are you",
                re.IGNORECASE), "opening hours open closed"),
    (re.compile(r"do you (?:take|accept)|can i pay|payment|insurance", re.IGNORECASE),
     "accept payment insurance"),
    (re.compile(r"phone|number|\bcall\b|ring you", re.IGNORECASE), "phone number call"),
    (re.compile(r"\bwho\b", re.IGNORECASE), "owner founder founded"),
    (re.compile(r"\bmorning|\bafternoon|\bevening|\blunchtime", re.IGNORECASE), "am pm noon"),
]


def expand_query(question: str) -> str:
    """Words to add to a caller's question for the lexical search."""
    return " ".join(words for pattern, words in _PARAPHRASES if pattern.search(question))


def analyze(text: str) -> list[str]:
    """Lower-case words without stop words, stemmed ("leaking pipes" → ["leak", "pipe"])."""
    text = normalize_numbers(text.lower())
    return [_stem(w.replace("'", "")) for w in _WORD.findall(text) if w not in STOPWORDS]


class Bm25Index:
    def __init__(self, docs: list[list[str]], *, k1: float = 1.2, b: float = 0.75) -> None:
        self.size = len(docs)
        lengths = np.array([len(d) for d in docs], dtype=np.float32)
        avg = float(lengths.mean()) if self.size else 1.0
        norm = k1 * (1 - b + b * lengths / max(avg, 1e-9))
        postings: dict[str, tuple[list[int], list[int]]] = {}
        for i, doc in enumerate(docs):
            for term, tf in Counter(doc).items():
                ids, tfs = postings.setdefault(term, ([], []))
                ids.append(i)
                tfs.append(tf)
        self.idf: dict[str, float] = {}
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, (ids, tfs) in postings.items():
            df = len(ids)
            idf = float(np.log(1 + (self.size - df + 0.5) / (df + 0.5)))
            id_arr = np.asarray(ids, dtype=np.int32)
            tf_arr = np.asarray(tfs, dtype=np.float32)
            weights = idf * tf_arr * (k1 + 1) / (tf_arr + norm[id_arr])
            self.idf[term] = idf
            self._postings[term] = (id_arr, weights.astype(np.float32))
        self._terms = [set(d) for d in docs]

    def scores(self, query_terms: list[str]) -> np.ndarray:
        out = np.zeros(self.size, dtype=np.float32)
        for term in set(query_terms):
            posting = self._postings.get(term)
            if posting is not None:
                out[posting[0]] += posting[1]
        return out

    def coverage(self, query_terms: list[str], doc: int) -> float:
        """Share of the query's IDF weight whose terms occur in ``doc`` (0 when none known)."""
        terms = set(query_terms)
        unseen = float(np.log(1 + (self.size + 0.5) / 0.5))   # a word the site never uses
        total = sum(self.idf.get(t, unseen) for t in terms)
        if total <= 0:
            return 0.0
        return sum(self.idf.get(t, unseen) for t in terms if t in self._terms[doc]) / total

    def memory_bytes(self) -> int:
        return sum(a.nbytes + w.nbytes for a, w in self._postings.values())
