"""Split reply text into sentences so speech can start before the whole reply is synthesized."""

from __future__ import annotations

import re

__all__ = ["split_sentences"]

# Words that end with a period without ending the sentence, common in a business's replies.
_ABBREVIATIONS = frozenset(
    "dr mr mrs ms st ave blvd rd no vs etc e.g i.e a.m p.m approx appt ext jr sr inc ltd co "
    "mt ft".split()
)
# End punctuation plus any closing quote or bracket, then whitespace: a candidate boundary.
_BOUNDARY = re.compile(r"([.!?…]+[\"')\]]*)\s+")
_LAST_WORD = re.compile(r"([A-Za-z.]+)\.[\"')\]]*$")


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` with whitespace collapsed; abbreviations like "Dr." or "p.m." and
    decimals like "3.5" do not end a sentence. Empty text gives an empty list."""
    pieces: list[str] = []
    carry = ""
    for piece in _BOUNDARY.sub("\\1\n", text).splitlines():
        piece = " ".join(piece.split())
        if not piece:
            continue
        carry = f"{carry} {piece}" if carry else piece
        match = _LAST_WORD.search(carry)
        if match and match.group(1).lower() in _ABBREVIATIONS:
            continue  # "Dr." is followed by a name, not a new sentence
        pieces.append(carry)
        carry = ""
    if carry:
        pieces.append(carry)
    return pieces
