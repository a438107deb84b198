"""What kind of fact a question asks for, and what a sentence holding it looks like: "who"
wants a person named, "how much" an amount of money, "how long / how far / what age / what
year / when" a number."""

from __future__ import annotations

import re
from enum import StrEnum

from receptionist.agent.local.wording import content_words

__all__ = ["MONEY", "MONEY_WORDS", "Kind", "fits_kind", "question_kind"]


class Kind(StrEnum):
    PERSON = "person"
    MONEY = "money"
    NUMBER = "number"


_WHO = re.compile(r"^(who|who's|whos|whom)\b", re.I)
_MONEY_Q = re.compile(r"\b(how much|cost|costs|price|prices|pricing|charge|charges|fee|fees|"
                      r"rate|rates)\b", re.I)
_NUMBER_Q = re.compile(r"\b(how (long|far|many|soon|old|early|late)|what (age|year|time)|"
                       r"when)\b", re.I)
MONEY = re.compile(r"[$£€₹¥]\s?\d|\b\d[\d,.]*\s?(dollars|pounds|euros|rupees|rs|usd|gbp|"
                   r"eur|inr)\b|\b(rs\.?|inr)\s?\d|\bfree\b", re.I)
_NUMBER = re.compile(r"\d")
_PERSON = re.compile(r"\b(Dr\.?|Mr\.?|Mrs\.?|Ms\.?|Miss)\s+([A-Z]\.?\s+)*[A-Z][a-z]+"
                     r"|\b[A-Z][a-z]+ [A-Z][a-z]+ (is|has|was|leads|heads|runs|founded|started)\b")
MONEY_WORDS = content_words("cost costs price prices pricing charge charges fee fees rate rates "
                            "pay paying")


def question_kind(question: str) -> Kind | None:
    """The kind of fact the question asks for, or None when any sentence may answer it."""
    if _WHO.match(question.strip()):
        return Kind.PERSON
    if _MONEY_Q.search(question):
        return Kind.MONEY
    if _NUMBER_Q.search(question):
        return Kind.NUMBER
    return None


_PATTERNS = {Kind.PERSON: _PERSON, Kind.MONEY: MONEY, Kind.NUMBER: _NUMBER}


def fits_kind(kind: Kind | None, sentence: str, after: str) -> float:
    """A bonus for a sentence that holds the kind of fact asked for (or whose next piece does,
    as in a price list: "Cinnamon rolls" / "$3.25"), so "costs between ₹3,500 and ₹8,000" beats
    "the cost depends on the tooth" for "how much does it cost?"."""
    if kind is None:
        return 0.0
    pattern = _PATTERNS[kind]
    if pattern.search(sentence):
        return 1.5
    return 0.75 if pattern.search(after) else 0.0
