"""Page text → passages for search: sections follow the headings, passages end at paragraph or
sentence boundaries, and each carries its heading path for context. Pure functions."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Chunk", "chunk_text"]

MAX_CHARS = 700
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"'(])")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")


@dataclass(frozen=True)
class Chunk:
    heading: str   # "Water heaters > Maintenance" ("" before the first heading)
    text: str


def _table_row(line: str) -> str | None:
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if all(re.fullmatch(r":?-{2,}:?", c) or not c for c in cells):
        return None
    return " – ".join(c for c in cells if c)


def _sections(text: str) -> list[tuple[str, list[str]]]:
    stack: list[tuple[int, str]] = []
    sections: list[tuple[str, list[str]]] = [("", [])]
    para: list[str] = []

    def flush() -> None:
        if para:
            sections[-1][1].append(" ".join(para))
            para.clear()

    for raw in text.splitlines():
        line = raw.strip()
        m = _HEADING.match(line)
        if m:
            flush()
            level, title = len(m.group(1)), m.group(2).strip(" #*")
            stack = [(lv, t) for lv, t in stack if lv < level] + [(level, title)]
            sections.append((" > ".join(t for _, t in stack), []))
        elif not line:
            flush()
        elif line.startswith("|"):
            flush()
            row = _table_row(line)
            if row:
                sections[-1][1].append(row)
        else:
            para.append(line.lstrip("-*• ").strip() if line[:2] in ("- ", "* ", "• ") else line)
    flush()
    return [(h, ps) for h, ps in sections if ps]


def _pieces(paragraph: str, limit: int) -> list[str]:
    if len(paragraph) <= limit:
        return [paragraph]
    out: list[str] = []
    for sentence in _SENTENCE.split(paragraph):
        if len(sentence) <= limit:
            out.append(sentence)
            continue
        words, cur = sentence.split(), ""
        for w in words:
            if cur and len(cur) + len(w) + 1 > limit:
                out.append(cur)
                cur = w
            else:
                cur = f"{cur} {w}".strip()
        if cur:
            out.append(cur)
    return out


def chunk_text(text: str, *, max_chars: int = MAX_CHARS) -> list[Chunk]:
    """Split Markdown-ish text (``#`` headings, ``|`` table rows, blank-line paragraphs)."""
    chunks: list[Chunk] = []
    for heading, paragraphs in _sections(text):
        cur: list[str] = []
        size = 0
        for para in paragraphs:
            for piece in _pieces(para, max_chars):
                if cur and size + len(piece) + 1 > max_chars:
                    chunks.append(Chunk(heading, "\n".join(cur)))
                    cur, size = [], 0
                cur.append(piece)
                size += len(piece) + 1
        if cur:
            chunks.append(Chunk(heading, "\n".join(cur)))
    return chunks
