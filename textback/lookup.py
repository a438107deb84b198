"""Which of the provider's messages is ours: the rule behind "did the provider already send it?".

The provider keeps no reference of ours on a message (its Message resource does not show the
StatusCallback URL), so a text whose send had an unknown outcome is matched on what it does
show: the same sender and recipient, created after our row, not already recorded as another of
our texts, and a body like ours. Like, not equal: the provider may rewrite a body (smart
encoding of look-alike characters, shortened links, a trial-account prefix).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable
from datetime import datetime, timedelta
from difflib import SequenceMatcher

from textback.ports import ProviderMessage

__all__ = ["MATCH_THRESHOLD", "body_similarity", "pick_sent"]

MATCH_THRESHOLD = 0.75
_SECOND = timedelta(seconds=1)  # the provider's dates have whole seconds
_URL = re.compile(r"https?://\S+|\b[\w.-]+\.[a-z]{2,}/\S*", re.IGNORECASE)
# Look-alikes a provider's smart encoding replaces with GSM-7 characters.
_LOOK_ALIKES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                              "\u2013": "-", "\u2014": "-", "\u2026": "...", "\u00a0": " "})


def _normal(body: str) -> str:
    text = unicodedata.normalize("NFKC", body).translate(_LOOK_ALIKES)
    text = _URL.sub("<link>", text)
    return " ".join(text.casefold().split())


def body_similarity(ours: str, theirs: str) -> float:
    """1.0 for the same text (or ours inside theirs, e.g. behind a prefix), down to 0.0."""
    a, b = _normal(ours), _normal(theirs)
    if a == b or (a and a in b):
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def pick_sent(candidates: Iterable[ProviderMessage], *, body: str,
              taken_sids: Collection[str],
              written_at: datetime | None = None) -> ProviderMessage | None:
    """Our text among the provider's ``candidates`` (same sender and recipient, created since
    a little before our row was ``written_at``), or ``None``. A message already recorded for
    another of our texts is never it; the exact body wins, else the most similar one above
    :data:`MATCH_THRESHOLD`; between equals, one created after our row beats one from before
    it (only clock skew lets those in), then the oldest (the first try got through)."""
    best: tuple[tuple[float, bool, int], ProviderMessage] | None = None
    for order, found in enumerate(candidates):
        if found.sid in taken_sids:
            continue
        score = 2.0 if found.body == body else body_similarity(body, found.body)
        if score < MATCH_THRESHOLD:
            continue
        after = (written_at is None or found.created_at is None
                 or found.created_at >= written_at - _SECOND)
        # candidates come newest first: a later index is older, preferred on a tie
        rank = (score, after, order)
        if best is None or rank > best[0]:
            best = (rank, found)
    return best[1] if best else None
