"""The in-memory search index of one business: BM25 and (when an embedder is available) dense
vectors, fused by reciprocal rank, with a confidence for the top answer. Pure computation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import unquote

import numpy as np

from knowledge.lexical import Bm25Index, analyze, expand_query

__all__ = ["HybridIndex", "IndexedChunk", "Passage", "PassageKind", "SearchMode", "SearchResult",
           "is_document"]

RRF_K = 60
RRF_DEPTH = 100
CONFIDENT_AT = 0.4
PARAPHRASE_WEIGHT = 0.5
# Forms and PDFs rank below the pages when both answer (an intake form repeats every topic).
DOCUMENT_WEIGHT = 0.95
# the longest next sentence a passage is returned with (see HybridIndex._window)
WINDOW_CHARS = 300
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"'(])")


class SearchMode(StrEnum):
    BM25 = "bm25"
    DENSE = "dense"
    HYBRID = "hybrid"


class PassageKind(StrEnum):
    PAGE = "page"          # a passage of a page's main text
    PROFILE = "profile"    # the business profile, said the way callers ask
    SITE = "site"          # header/footer/sidebar text, or lines the main text dropped
    DOCUMENT = "document"  # a form, an application or a PDF: ranked below the content


@dataclass(frozen=True)
class IndexedChunk:
    url: str
    title: str
    heading: str
    text: str
    kind: PassageKind = PassageKind.PAGE

    @property
    def indexed_text(self) -> str:
        return f"{self.title}\n{self.heading}\n{self.text}"


@dataclass(frozen=True)
class Passage:
    url: str
    title: str
    text: str
    score: float
    heading: str = ""

    def to_json(self) -> dict[str, object]:
        return {"url": self.url, "title": self.title, "text": self.text,
                "score": round(self.score, 4)}


@dataclass(frozen=True)
class SearchResult:
    """Ranked passages, best first, and how sure the top one answers the question.

    ``confidence`` is in [0, 1]; below ``CONFIDENT_AT`` the agent should say it is not sure
    and take a message rather than guess (``confident`` is that test).
    """

    question: str
    passages: tuple[Passage, ...]
    confidence: float
    mode: str

    @property
    def confident(self) -> bool:
        return bool(self.passages) and self.confidence >= CONFIDENT_AT

    def to_json(self) -> dict[str, object]:
        return {"question": self.question, "confidence": round(self.confidence, 3),
                "confident": self.confident, "mode": self.mode,
                "passages": [p.to_json() for p in self.passages]}


class HybridIndex:
    def __init__(self, chunks: list[IndexedChunk], vectors: np.ndarray | None) -> None:
        self.chunks = chunks
        self.bm25 = Bm25Index([analyze(c.indexed_text) for c in chunks])
        self.vectors = vectors if vectors is not None and len(vectors) == len(chunks) else None
        self._documents = np.array([c.kind is PassageKind.DOCUMENT for c in chunks], dtype=bool)

    @property
    def has_vectors(self) -> bool:
        return self.vectors is not None and len(self.chunks) > 0

    def memory_bytes(self) -> int:
        text = sum(len(c.text) + len(c.title) + len(c.heading) + len(c.url) for c in self.chunks)
        return self.bm25.memory_bytes() + (self.vectors.nbytes if self.vectors is not None
                                           else 0) + text

    def search(self, question: str, query_vector: np.ndarray | None, k: int = 3,
               mode: SearchMode = SearchMode.HYBRID) -> SearchResult:
        if not self.chunks:
            return SearchResult(question, (), 0.0, mode.value)
        terms = analyze(question)
        lexical = self.bm25.scores(terms)
        extra = [t for t in analyze(expand_query(question)) if t not in terms]
        if extra:   # paraphrase words help a match; they never outweigh the caller's own words
            lexical = lexical + PARAPHRASE_WEIGHT * self.bm25.scores(extra)
        dense = None
        if query_vector is not None and self.vectors is not None:
            # einsum, not BLAS: a matrix-vector product this small is fastest single-threaded,
            # and BLAS threads make latency spiky on a busy machine.
            dense = np.einsum("ij,j->i", self.vectors, query_vector.astype(np.float32))
        if mode is SearchMode.DENSE and dense is None:
            mode = SearchMode.BM25
        if mode is SearchMode.HYBRID and dense is None:
            mode = SearchMode.BM25
        if mode is SearchMode.BM25:
            fused = lexical
        elif mode is SearchMode.DENSE:
            assert dense is not None
            fused = dense
        else:
            assert dense is not None
            fused = _rrf(lexical, dense)
        if self._documents.any():
            fused = np.where(self._documents, fused * DOCUMENT_WEIGHT, fused)
        order = _diverse(self.chunks, _top(fused, max(k, 1) * 4), max(k, 1))
        if mode is SearchMode.BM25:
            order = np.array([i for i in order if lexical[i] > 0], dtype=np.int64)
        top = int(order[0]) if len(order) else -1
        confidence = 0.0 if top < 0 else self._confidence(terms, top, dense)
        scale = float(fused[order[0]]) if len(order) and fused[order[0]] > 0 else 1.0
        passages = tuple(
            Passage(url=self.chunks[i].url, title=self.chunks[i].title, text=self._window(i),
                    heading=self.chunks[i].heading,
                    score=float(fused[i]) / scale if mode is not SearchMode.DENSE
                    else float(fused[i]))
            for i in order)
        return SearchResult(question, passages, confidence, mode.value)

    def _window(self, i: int) -> str:
        """A passage's text and the first sentence of the passage after it on the same page: a
        passage ends where the chunker cut, and the answer often sits in the next sentence
        ("…picked up at service completion." / "Any pet not picked up within 24 hours…")."""
        chunk = self.chunks[i]
        after = self.chunks[i + 1] if i + 1 < len(self.chunks) else None
        if after is None or after.url != chunk.url or after.kind is not chunk.kind \
                or chunk.kind in (PassageKind.PROFILE, PassageKind.SITE):
            return chunk.text
        first = _SENTENCE_END.split(after.text.strip(), maxsplit=1)[0].split("\n", 1)[0]
        return f"{chunk.text}\n{first}" if 0 < len(first) <= WINDOW_CHARS else chunk.text

    def _confidence(self, terms: list[str], top: int, dense: np.ndarray | None) -> float:
        """Lexical coverage of the question by the top passage (IDF-weighted), blended with the
        dense similarity when there is one."""
        coverage = self.bm25.coverage(terms, top)
        if dense is None:
            return float(np.clip(coverage, 0.0, 1.0))
        similarity = float(np.clip((dense[top] - 0.1) / 0.4, 0.0, 1.0))
        return float(np.clip(0.5 * coverage + 0.5 * similarity, 0.0, 1.0))


_DOCUMENT = re.compile(r"\b(?:form|application|agreement|intake|registration|waiver|"
                       r"consent|questionnaire)s?\b", re.IGNORECASE)


def is_document(url: str, title: str, kind: str) -> bool:
    """A form, an application or an agreement (a PDF or a page): useful, but below the site's
    own content. A PDF price list or menu is content."""
    name = unquote(url.rsplit("/", 1)[-1]).replace("-", " ").replace("_", " ")
    return _DOCUMENT.search(f"{title} {name}") is not None and (kind == "pdf" or bool(
        _DOCUMENT.search(name)))


def _diverse(chunks: list[IndexedChunk], ranked: np.ndarray, k: int) -> np.ndarray:
    """The best ``k`` passages, one per page first (a caller's question is better served by
    three pages than by three paragraphs of one), then the best of the rest."""
    first: list[int] = []
    rest: list[int] = []
    pages: set[tuple[str, str]] = set()
    for i in ranked.tolist():
        # The profile and the site-wide text are sources of their own, not more of a page; each
        # fact of the profile (the hours, one FAQ and its answer) is a source by itself.
        key = (chunks[i].url, chunks[i].kind.value if chunks[i].kind in (
            PassageKind.PROFILE, PassageKind.SITE) else "")
        if chunks[i].kind is PassageKind.PROFILE:
            key = (chunks[i].url, f"profile: {chunks[i].heading}")
        (rest if key in pages else first).append(i)
        pages.add(key)
    return np.array((first + rest)[:k], dtype=np.int64)


def _top(scores: np.ndarray, n: int) -> np.ndarray:
    """Indices of the ``n`` highest scores, best first (ties: lower index first)."""
    if n >= len(scores):
        return np.argsort(-scores, kind="stable")
    part = np.argpartition(-scores, n)[:n]
    return part[np.lexsort((part, -scores[part]))]


def _rrf(lexical: np.ndarray, dense: np.ndarray, depth: int = RRF_DEPTH) -> np.ndarray:
    """Reciprocal rank fusion of the two top-``depth`` lists (deeper ranks add ~nothing);
    passages no list ranks keep 0, passages with no lexical match only get their dense share."""
    fused = np.zeros(len(lexical), dtype=np.float32)
    by_dense = _top(dense, depth)
    fused[by_dense] += 1.0 / (RRF_K + np.arange(1, len(by_dense) + 1, dtype=np.float32))
    by_lexical = _top(lexical, depth)
    by_lexical = by_lexical[lexical[by_lexical] > 0]
    fused[by_lexical] += 1.0 / (RRF_K + np.arange(1, len(by_lexical) + 1, dtype=np.float32))
    return fused
