"""BM25 (Okapi, k1=1.2, b=0.75) over stemmed English words (the kernel's analyzer), as numpy
posting lists, and the spoken paraphrases a search adds to a caller's question.

Per-posting weights do not depend on the query, so they are computed once when the index is
built and a query only adds up a few arrays.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from receptionist.core import STOPWORDS, analyze, normalize_numbers

__all__ = ["STOPWORDS", "Bm25Index", "analyze", "expand_query", "normalize_numbers"]

# Spoken questions against written pages: the words a page or the profile uses for what a
# caller asks ("whereabouts are you?" → address, location; "how much" → price, cost).
_PARAPHRASES = [
    (re.compile(r"\bwhere(?:'s| is| are)\b|whereabouts|located|location|directions|"
                r"find you|get to you|address", re.IGNORECASE),
     "address located location directions"),
    (re.compile(r"how much|\bcost|\bprice|\bcharge|\bfee|\brates?\b|expensive|afford",
                re.IGNORECASE), "price cost fee charge free"),
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
