"""How the local brain reads a caller's question against a website's sentences: the words that
carry meaning (the kernel's analyzer, less what callers say and sites do not), related words,
and the part of an utterance that is the question."""

from __future__ import annotations

import re

from receptionist.core import analyze, split_sentences, words

__all__ = ["GENERIC", "PARTICLES", "asked_part", "content_words", "has", "telling_words",
           "unprefixed"]

# Words of a spoken question that name nothing a website would hold: question words, fillers
# ("someone", "going to", "roughly", "actually") and vague nouns ("place", "thing").
_FILLERS = frozenset(analyze(
    "much many know tell like want need somewhere anywhere something anything place go going "
    "way thing things really still yes guys i'd who's should will did which why some all one "
    "someone somebody gonna roughly actually exactly fairly properly basically probably maybe "
    "kind sort say said end make made making done doing"))


# a compound of a verb and its particle is the verb too: "pickup" says "pick (it) up"
_COMPOUND = re.compile(r"^([a-z]{4,})(up|out|off|in)$")


def content_words(text: str) -> set[str]:
    """The stems of ``text`` that carry meaning: "Do you fix leaking pipes?" → {fix, leak, pipe}."""
    # "call-out" is "call out"; the analyzer keeps "dog's" as "dog"
    stems = {s for s in analyze(text.replace("-", " ")) if s not in _FILLERS}
    return stems | {analyze(m[1])[0] for s in stems if (m := _COMPOUND.match(s))
                    and analyze(m[1])}


def telling_words(text: str, letters: int) -> set[str]:
    """The content stems of ``text`` written with at least ``letters`` letters: the words that
    name what is asked ("hourly", "instalments"), not "far", "kid" or "age"."""
    return {s for s, word in words(text.replace("-", " "))
            if s not in _FILLERS and s not in _WEAK and max(len(s), len(word) - 1) >= letters}


# words that count when a sentence has them but name nothing a site must say: "what age should
# I first bring my kid in?" is answered by "from age 3–5" under "Paediatric dentistry"
_WEAK = frozenset(analyze("first bring"))


def _stems(text: str) -> set[str]:
    return set(analyze(text))


# What callers say next to what websites write ("credit card" / "Visa, Mastercard"): a small,
# general table, met as stems on both sides.
_RELATED_WORDS = {
    "credit": "visa mastercard amex card pay", "card": "visa mastercard pay",
    "pay": "payment accept visa cash", "cost": "price fee charge", "price": "cost fee charge",
    "fee": "charge cost price", "charge": "fee cost price", "own": "founded family found start",
    "weekend": "saturday sunday", "night": "evening 24/7", "discount": "off senior veteran",
    "warranty": "guarantee", "guarantee": "warranty", "area": "serve", "serve": "area",
    "bad": "fail broken", "long": "year since start", "email": "mail",
    "hire": "hiring job career", "kid": "child children paediatric pediatric",
    "child": "kid children paediatric pediatric", "instalment": "emi finance plan",
    "installment": "emi finance plan", "start": "found founder open establish begin",
    "found": "start establish open", "establish": "found start open",
    "head": "lead run manage", "run": "head lead manage", "lead": "head run manage",
    "manage": "head run lead", "complain": "complaint ombudsman", "current": "latest",
    "latest": "current", "wiring": "electrical", "electrical": "wiring",
}
RELATED = {stem: _stems(related) for word, related in _RELATED_WORDS.items()
           for stem in _stems(word)}


def has(words: set[str], word: str) -> bool:
    """Does a sentence with these stems hold ``word``, itself or a related word?"""
    return word in words or bool(RELATED.get(word, set()) & words)


_CLAUSE = re.compile(r",\s+(?=(?:do|does|did|is|are|can|could|will|would|who|what|where|when|"
                     r"how)\b)", re.I)


def unprefixed(question: str) -> str:
    return re.sub(r"^(hi|hello|hey|so|and|ok|okay|um|uh)[,!. ]+", "", question.strip().lower())


def asked_part(question: str) -> str:
    """The question itself, without the sentences that set the scene before it: "I'm a
    landlord. What's an EICR?" asks about an EICR; "landlord" is context the site need not
    hold."""
    parts = split_sentences(question.strip())
    asked = [p for p in parts if p.rstrip().endswith("?")]
    last = asked[-1] if asked else parts[-1] if parts else question
    # "If I'm not happy with my case, who can I complain to?": the last clause asks, unless it
    # points back ("a simple will, what's that going to cost?")
    clauses = _CLAUSE.split(last)
    if len(clauses) < 2 or len(clauses[-1].split()) < 3 or _BACK.search(clauses[-1]):
        return last
    return clauses[-1]


_BACK = re.compile(r"\b(that|it|this|these|those|them|one|ones)\b", re.I)


# words every business's pages use: they tell nothing about what a caller asked
GENERIC = content_words("business company service services work working job jobs team come "
                        "comes coming extra customer customers firm practice clinic office shop "
                        "store")
# "do you come out to…", "can I drop it off": a verb's particle names nothing
PARTICLES = content_words("out off up over away back down around ahead along into onto from "
                          "after before through outside inside within")
