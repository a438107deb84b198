"""What kind of fact a question asks for, and what a sentence holding it looks like: "who" (or
"what's the dentist's name") wants someone named, "how much" an amount of money, "how long /
how far / what age / what year / when" a number, "how do I…" a way to do it (a number to call,
an address to write to, a form or a link)."""

from __future__ import annotations

import re
from enum import StrEnum

from receptionist.agent.local.wording import content_words

__all__ = ["KIND_WORDS", "MONEY_WORDS", "Kind", "fits_kind", "has_money", "question_kind",
           "starts_with_money"]


class Kind(StrEnum):
    PERSON = "person"
    MONEY = "money"
    NUMBER = "number"
    YEAR = "year"
    HOW_TO = "how_to"


_WHO = re.compile(r"^(who|who's|whos|whom)\b|^what(?:'s| is) (the|your) [\w' -]*\bname\b"
                  r"|^(?:do|does|is) (?:you|there) (?:have )?(?:someone|anyone|somebody) "
                  r"(who|that)\b",
                  re.I)
_YEAR_Q = re.compile(r"\b(what|which) year\b|\bsince when\b|\bhow long ago\b", re.I)
_HOW_TO = re.compile(r"^how (do|can|would|should) (i|we)\b", re.I)
_MONEY_Q = re.compile(r"\b(how much|cost|costs|price|prices|pricing|charge|charges|fee|fees|"
                      r"rate|rates)\b", re.I)
_IS = re.compile(r"(is|are|was|were)\b", re.I)
_COSTS = re.compile(r"\b(how much|cost|costs|charge|charges|fee|fees)\b", re.I)
_NUMBER_Q = re.compile(r"\b(how (long|far|many|soon|old|early|late)|what (age|year|time)|"
                       r"when)\b", re.I)
# "free" is a price ("free quotes", "it's free"), but "tax free", "hassle-free" or
# "gluten-free" say something is absent, not what it costs
_NOT_A_PRICE = ("tax|hassle|stress|gluten|sugar|dairy|nut|fat|smoke|cruelty|risk|pain|trouble|"
                "worry|duty|fuss|scent|fragrance|alcohol|caffeine|chemical|paraben|latex|mess|"
                "toll|hands|interest|debt|rent|germ|allergen|lactose|grain|soy|wheat|egg")
_MONEY = re.compile(r"[$£€₹¥]\s?\d|\b\d[\d,.]*\s?(dollars|pounds|euros|rupees|rs|usd|gbp|"
                    r"eur|inr)\b|\b(rs\.?|inr)\s?\d|\bfree\b", re.I)
# ("is free to bring a claim", "feel free to call": a choice, not a price)
_ABSENT = re.compile(rf"\b(?:{_NOT_A_PRICE})[ -]free\b|\bfree (?:from|to|of (?!charge))", re.I)


def has_money(text: str) -> bool:
    """Does ``text`` say what something costs ("£50 + VAT", "Rs 3500", "free quotes")?"""
    return _MONEY.search(_ABSENT.sub(" ", text)) is not None


def starts_with_money(text: str) -> bool:
    """A price on a line of its own, under the item it is for: "$3.25"."""
    return _MONEY.match(text) is not None


_NUMBER = re.compile(r"\d")
_NAME = r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
_ACTS = r"(?:is|has|was|leads|heads|runs|founded|started|opened|owns|established|manages)"
_PERSON = re.compile(
    rf"\b(Dr\.?|Mr\.?|Mrs\.?|Ms\.?|Miss)\s+([A-Z]\.?\s+)*{_NAME}"
    rf"|\b{_NAME} {_NAME} {_ACTS}\b"
    rf"|\b{_NAME} (?:opened|founded|started|established|owns|runs|manages|leads|heads)\b"
    # "founded by Adina Eide", "speak to Ian Stirzaker"
    rf"|\b(?:by|with|from|to|contact|ask|see) (?:the )?{_NAME}(?: {_NAME})+"
    # a staff list: "Darline: Office Manager" (not "Phone: 0300 555 0333")
    rf"|^\**{_NAME}(?: {_NAME})?\**\s*[:–—]\s*[A-Z][a-z]")
# a way to do something: a number to call, an address to mail, a form, a link
_HOW = re.compile(r"\(?\d{3,5}\)?[ -.]?\d{3}[ -.]?\d{3,4}\b|@|\b(call|email|phone|ring|"
                  r"contact|visit|fill in|fill out|book online|online|form|text)\b", re.I)
MONEY_WORDS = content_words("cost costs price prices pricing charge charges fee fees rate rates "
                            "pay paying")


def question_kind(question: str) -> Kind | None:
    """The kind of fact the question asks for, or None when any sentence may answer it."""
    if _WHO.search(question.strip()):
        return Kind.PERSON
    if _YEAR_Q.search(question):
        return Kind.YEAR
    if _HOW_TO.match(question.strip()):
        return Kind.HOW_TO
    if _MONEY_Q.search(question) and not (_IS.match(question.strip())
                                          and not _COSTS.search(question)):
        # (not "is the price you quote the price I pay?": about the price, not an amount)
        return Kind.MONEY
    if _NUMBER_Q.search(question):
        return Kind.NUMBER
    return None


_PATTERNS = {Kind.PERSON: _PERSON, Kind.NUMBER: _NUMBER, Kind.HOW_TO: _HOW,
             Kind.YEAR: re.compile(r"\b(1[89]|20)\d\d\b")}
# the words that say which kind of fact is wanted, not what it is about: "what year"
KIND_WORDS = {Kind.YEAR: content_words("year years")}


def _holds(kind: Kind, text: str) -> bool:
    return has_money(text) if kind is Kind.MONEY else _PATTERNS[kind].search(text) is not None


def fits_kind(kind: Kind | None, sentence: str, after: str) -> float:
    """A bonus for a sentence that holds the kind of fact asked for (or whose next piece does,
    as in a price list: "Cinnamon rolls" / "$3.25"), so "costs between ₹3,500 and ₹8,000" beats
    "the cost depends on the tooth" for "how much does it cost?"."""
    if kind is None:
        return 0.0
    if _holds(kind, sentence):
        return 1.5
    return 0.75 if _holds(kind, after) else 0.0
