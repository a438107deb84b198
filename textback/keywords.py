"""What an inbound text means: opt-out, opt-in, help, or a reply for a person."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

__all__ = ["InboundIntent", "classify"]


class InboundIntent(StrEnum):
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HELP = "help"
    REPLY = "reply"


OPT_OUT_WORDS = frozenset(
    {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout", "opt-out",
     "opt out"}
)
OPT_IN_WORDS = frozenset({"start", "unstop", "yes"})
HELP_WORDS = frozenset({"help", "info"})

# Short natural-language opt-outs. Kept narrow on purpose: "stop by tomorrow?" is a reply.
_NATURAL_STOP = re.compile(
    r"^(please\s+)?(stop|quit|don'?t|do not)\s+(texting|messaging|sending|text|message|contact)"
    r"(ing)?(\s+me)?(\s+(any\s*more|again|please))*[.!]*$"
    r"|^(remove|unsubscribe|take)\s+me(\s+(off|from))?(\s+(your|the|this))?(\s+(list|texts))?"
    r"(\s+please)?[.!]*$"
    r"|^no\s+more\s+(texts|messages)(\s+please)?[.!]*$",
    re.IGNORECASE,
)


def classify(body: str) -> InboundIntent:
    # NFKC folds full-width letters (ＳＴＯＰ) to ASCII; format characters (zero-width space,
    # BOM, direction marks) that a keyboard slipped in do not change which word was sent.
    folded = unicodedata.normalize("NFKC", body)
    folded = "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")
    text = " ".join(folded.strip().split())
    word = text.lower().strip(".!? ")
    if word in OPT_OUT_WORDS:
        return InboundIntent.OPT_OUT
    if word in OPT_IN_WORDS:
        return InboundIntent.OPT_IN
    if word in HELP_WORDS:
        return InboundIntent.HELP
    if len(text) <= 60 and _NATURAL_STOP.match(text):
        return InboundIntent.OPT_OUT
    return InboundIntent.REPLY
