"""Turning a business's own words into a recognition bias, shared by the STT adapters.

``business_vocabulary`` picks the words a caller of this business is likely to say and a
general model is likely to mishear: its name, services, staff, the insurers and brands it
names, its street and town. ``vocabulary_prompt`` turns them into Whisper's prompt;
``bias_lexicon`` and ``pick_hypothesis`` choose among the decoder's best hypotheses the one
that says more of them (and of the words every caller uses: days, times, booking).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher

__all__ = ["CALLER_QUESTION", "CALLER_WORDS", "bias_lexicon", "business_vocabulary",
           "naming_sentences", "pick_hypothesis", "proper_phrases", "snap_to_vocabulary",
           "vocabulary_prompt"]

# Whisper reads at most 224 prompt tokens and keeps the *last* ones; staying well under that
# means a long list is never cut in the middle of a name. OpenAI's models accept the same text.
_PROMPT_MAX_CHARS = 600
# What the caller is answering, after the list of words: a prompt that ends in a list makes
# Whisper go on listing ("Aetna, Root Canal, it really hurts"); one that ends in the
# receptionist's question makes it write the caller's sentence. On the caller lines of
# scripts/bench_speech.py: corpus WER 0.396 -> 0.351 in one run, with no time or name in it
# that a caller's words could be pulled towards.
CALLER_QUESTION = "How can I help you today?"
# Words that any business's callers say and that matter most when misheard: days, times and
# the words of booking and asking. With the business's own words they make ``bias_lexicon``.
CALLER_WORDS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday today tomorrow morning afternoon "
    "evening noon am pm next week weekend appointment book booking cancel reschedule move "
    "available open opening hours price cost much insurance accept take name number call "
    "back".split()
)
# How much one word of the lexicon is worth against the decoder's score (a hypothesis's mean
# log-probability per token): 0.06-0.1 gave the lowest WER on the bench's caller lines, 0.2
# began to favour the business's words over what was said ("Maria Gonzalez" -> "Maria Patel").
_WORD_BONUS = 0.08

# Capitalised words that start sentences or name days and months: not vocabulary worth a
# prompt slot (Whisper knows them).
_COMMON = frozenset(
    "a an and are as at be but by can do does for from have how i if in is it its just let may "
    "most no not of on or our please so some that the their then there these they this to us we "
    "what when where which who why will with yes you your yes monday tuesday wednesday thursday "
    "friday saturday sunday january february march april may june july august september october "
    "november december call book contact us home about services free new all more same get".split()
)
_CALENDAR = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april "
    "may june july august september october november december".split()
)
_TOKEN = re.compile(r"[A-Za-z0-9']+")
_PHRASE = re.compile(r"\b[A-Z][A-Za-z&'-]*(?:\s+(?:&\s+)?[A-Z][A-Za-z&'-]*)*")
_CLAUSE = re.compile(r"[;:,()\[\]]")  # a name does not run across punctuation
_SENTENCE_END = re.compile(r"(?<!\bDr)(?<!\bSt)(?<!\bMr)(?<!\bMs)(?<!\bMrs)[.!?]+(?:\s|$)|\n+")
_STREET = re.compile(
    r"\b((?:[A-Z][a-z]+\s){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|Ln|"
    r"Way|Court|Ct|Place|Pl|Parkway|Pkwy|Terrace|Highway|Hwy|Square|Crescent|Close|Parade))\b"
)


def proper_phrases(text: str) -> list[str]:
    """Runs of capitalised words in running text ("We accept Delta Dental and MetLife." ->
    ["Delta Dental", "MetLife"]), without a common word, nor a lone word that is capitalised
    only where it starts a sentence ("Early appointments…", "Any questions?")."""
    runs: list[tuple[str, bool]] = []  # (phrase, starts its sentence)
    for sentence in _SENTENCE_END.split(text):
        lead = len(sentence) - len(sentence.lstrip(" \t-*•|>\"'"))
        offset = 0
        for clause in _CLAUSE.split(sentence):
            for match in _PHRASE.finditer(clause):
                words = [w.strip("'") for w in match.group(0).split()]
                first = offset + match.start() == lead
                while words and words[0].lower() in _COMMON:
                    words.pop(0)  # "We Accept" -> drop; "The Smile Studio" -> "Smile Studio"
                    first = False
                # more than four capitalised words in a row is a title, not a name; one
                # with a day or a month in it is a date ("Updated May")
                dated = any(w.lower() in _CALENDAR for w in words)
                if words and len(words) <= 4 and not dated \
                        and not (len(words) == 1 and len(words[0]) < 3):
                    runs.append((" ".join(words), first))
            offset += len(clause) + 1
    inside = {phrase for phrase, first in runs if not first}
    found: list[str] = []
    for phrase, first in runs:
        lone_start = first and " " not in phrase and phrase not in inside
        if not lone_start and phrase.lower() not in _COMMON and phrase not in found:
            found.append(phrase)
    return found


_NAMING = re.compile(  # words near which a page names insurers, payment, staff and places
    r"\b(?:accept\w*|insur\w*|plans?|in[- ]network|providers?|pay\w*|cards?|financ\w*|"
    r"dr|doctor|dentists?|hygienists?|owners?|founder|team|staff|stylists?|groomers?|"
    r"technicians?|therapists?|located|locations?|near|serv(?:e|es|ing)|areas?|suburbs?)\b",
    re.IGNORECASE)


def naming_sentences(texts: Iterable[str], *, max_chars: int = 60_000) -> list[str]:
    """The sentences of ``texts`` that name who pays, who works there or where it serves
    ("We accept Delta Dental and Cigna", "Dr. Prachi Shah leads the team", "serving Wakad and
    Hinjewadi"): a page's other capitalised words (headings, menus) are no caller's words.
    Reads at most ``max_chars`` (a call's set-up must stay quick on a big site)."""
    out: list[str] = []
    read = 0
    for text in texts:
        if read >= max_chars:
            break
        read += len(text)
        out += [s for s in _SENTENCE_END.split(text) if _NAMING.search(s)]
    return out


def business_vocabulary(
    name: str,
    *,
    services: Iterable[str] = (),
    staff: Iterable[str] = (),
    address: str | None = None,
    texts: Iterable[str] = (),
    limit: int = 40,
) -> list[str]:
    """The words to bias recognition with, most useful first, each once (case-insensitive).

    ``texts``: the business's own prose (FAQ answers, description), where insurers, brands
    and places are named."""
    terms: list[str] = [name, *services, *staff]
    if address:
        terms += [street.strip() for street in _STREET.findall(address)]
        parts = [p.strip() for p in address.split(",")]
        for part in parts[1:]:  # the town, the district: not the numbered lines
            if not any(ch.isdigit() for ch in part):
                terms += [m for m in _PHRASE.findall(part)
                          if len(m) >= 3 and m.lower() not in _COMMON]
    for text in texts:
        terms += proper_phrases(text)
    seen: set[str] = set()
    known_words: set[str] = set()  # a lone word of a term already listed adds nothing
    out: list[str] = []
    for term in terms:
        clean = " ".join(term.split())
        key = clean.lower()
        if not clean or key in seen or (" " not in key and key in known_words):
            continue
        seen.add(key)
        known_words.update(_words(clean))
        out.append(clean)
    return out[:limit]


def vocabulary_prompt(vocabulary: Sequence[str], extra: str | None = None, *,
                      question: str | None = None) -> str | None:
    """A prompt from a business's words (its name, services, staff) plus any per-turn ``extra``,
    else ``question`` (what the caller answers, e.g. :data:`CALLER_QUESTION`).

    Whisper-style models continue the spelling and style of their prompt, so a plain comma list
    of proper nouns makes them far more likely to come out spelled the business's way. The
    list is cut, never the sentence after it."""
    words = ", ".join(word.strip() for word in vocabulary if word.strip())
    tail = (extra or "").strip() or (question or "").strip()
    room = _PROMPT_MAX_CHARS - (len(tail) + 1 if tail else 0)
    listed = f"{words}."[:room] if words else ""
    return " ".join(p for p in (listed, tail) if p) or None


def _words(text: str) -> list[str]:
    return [w.lower() for w in _TOKEN.findall(text)]


def bias_lexicon(vocabulary: Sequence[str]) -> frozenset[str]:
    """The words a hypothesis is rewarded for: :data:`CALLER_WORDS` and every word of three
    letters or more of the business's terms, lower-case."""
    own = {w for term in vocabulary for w in _words(term) if len(w) >= 3}
    return CALLER_WORDS | own


def pick_hypothesis(candidates: Sequence[tuple[float, str]], lexicon: frozenset[str], *,
                    bonus: float = _WORD_BONUS) -> int:
    """The index of the best of ``candidates`` (the decoder's n best as (score, text), score =
    mean log-probability per token) once each word of ``lexicon`` or number it says earns
    ``bonus``: the acoustics still decide between unlike hypotheses, the business's words and
    a caller's days and times between near ties ("next to the event" vs "next Tuesday at 10")."""
    def biased(i: int) -> float:
        score, text = candidates[i]
        return score + bonus * sum(1 for w in _words(text) if w in lexicon or w.isdigit())

    return max(range(len(candidates)), key=biased)



def snap_to_vocabulary(text: str, vocabulary: Sequence[str], *, min_ratio: float = 0.75) -> str:
    """Respell a near miss of one of the business's multi-word terms as the term: "Do you take
    Delta mental?" -> "Do you take Delta Dental?", "welcome rain-cleaning" -> "welcome drain
    cleaning". A run of as many words as the term is replaced when it shares one word with it
    and their letters are ``min_ratio`` alike; one-word terms are left alone (too many common
    words sound like a name)."""
    terms = [t for t in vocabulary if len(_TOKEN.findall(t)) >= 2]
    if not terms or not text:
        return text
    spans = [(m.start(), m.end(), m.group(0).lower()) for m in _TOKEN.finditer(text)]
    keyed = [[w.lower() for w in _TOKEN.findall(t)] for t in terms]
    # Words that already spell a term are never respelled as another ("water heater repair"
    # is not a near miss of "leak repair").
    exact: set[int] = set()
    for words in keyed:
        for i in range(len(spans) - len(words) + 1):
            if [w for _, _, w in spans[i:i + len(words)]] == words:
                exact.update(range(i, i + len(words)))
    replacements: list[tuple[int, int, str]] = []
    for term, words in zip(terms, keyed, strict=True):
        n = len(words)
        target = " ".join(words)
        i = 0
        while i + n <= len(spans):
            window = spans[i:i + n]
            heard = " ".join(w for _, _, w in window)
            if heard != target and not exact & set(range(i, i + n)) \
                    and set(words) & {w for _, _, w in window} \
                    and SequenceMatcher(None, heard, target).ratio() >= min_ratio:
                replacements.append((window[0][0], window[-1][1], term))
                i += n
            else:
                i += 1
    out, last = [], 0
    for start, end, term in sorted(replacements):
        if start < last:
            continue  # overlapping near misses: the first one wins
        out += [text[last:start], term]
        last = end
    return "".join(out) + text[last:]
