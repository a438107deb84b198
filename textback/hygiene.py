"""What a caller writes is shown to the team as plain text: no control or direction-override
characters (a NUL breaks logs and some phones; a right-to-left override makes "K7Q call 555"
read as something else)."""

from __future__ import annotations

import unicodedata

__all__ = ["clean_sms_text"]

# Explicit direction marks, embeddings, overrides and isolates (Unicode bidi controls).
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_KEEP = frozenset("\n")  # line breaks are how people write texts


def clean_sms_text(text: str) -> str:
    """``text`` without control characters (other than line breaks) and bidi controls; tabs and
    carriage returns become spaces or line breaks rather than vanish between two words."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return "".join(
        ch for ch in text
        if ch in _KEEP or (ch not in _BIDI and unicodedata.category(ch) != "Cc")
    )
