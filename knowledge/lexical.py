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

__all__ = ["STOPWORDS", "Bm25Index", "analyze"]

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


def analyze(text: str) -> list[str]:
    """Lower-case words without stop words, stemmed ("leaking pipes" → ["leak", "pipe"])."""
    return [_stem(w.replace("'", "")) for w in _WORD.findall(text.lower()) if w not in STOPWORDS]


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
