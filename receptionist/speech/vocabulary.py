"""Turning a business's own words into a recognition prompt, shared by the STT adapters.

``business_vocabulary`` picks the words a caller of this business is likely to say and a
general model is likely to mishear: its name, services, staff, the insurers and brands it
names, its street and town. ``vocabulary_prompt`` turns them into Whisper's prompt.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher

__all__ = ["business_vocabulary", "proper_phrases", "snap_to_vocabulary", "vocabulary_prompt"]

# Whisper reads at most 224 prompt tokens and keeps the *last* ones; staying well under that
# means a long list is never cut in the middle of a name. OpenAI's models accept the same text.
_PROMPT_MAX_CHARS = 600

# Capitalised words that start sentences or name days and months: not vocabulary worth a
# prompt slot (Whisper knows them).
_COMMON = frozenset(
    "a an and are as at be but by can do does for from have how i if in is it its just let may "
    "most no not of on or our please so some that the their then there these they this to us we "
    "what when where which who why will with yes you your yes monday tuesday wednesday thursday "
    "friday saturday sunday january february march april may june july august september october "
    "november december call book contact us home about services free new all more same get".split()
)
_PHRASE = re.compile(r"\b[A-Z][A-Za-z&'-]*(?:\s+(?:&\s+)?[A-Z][A-Za-z&'-]*)*")
_CLAUSE = re.compile(r"[.!?;:,()\[\]\n]+")  # a name does not run across punctuation
_STREET = re.compile(
    r"\b((?:[A-Z][a-z]+\s){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|Ln|"
    r"Way|Court|Ct|Place|Pl|Parkway|Pkwy|Terrace|Highway|Hwy|Square|Crescent|Close|Parade))\b"
)


def proper_phrases(text: str) -> list[str]:
    """Runs of capitalised words in running text ("We accept Delta Dental and MetLife." ->
    ["Delta Dental", "MetLife"]), without a lone sentence-initial or common word."""
    found: list[str] = []
    matches = [m for clause in _CLAUSE.split(text) for m in _PHRASE.finditer(clause)]
    for match in matches:
        words = [w.strip("'") for w in match.group(0).split()]
        while words and words[0].lower() in _COMMON:
            words.pop(0)  # "We Accept" -> drop; "The Smile Studio" -> "Smile Studio"
        if not words or (len(words) == 1 and len(words[0]) < 3):
            continue
        phrase = " ".join(words)
        if phrase.lower() not in _COMMON and phrase not in found:
            found.append(phrase)
    return found


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
        terms += [p for p in parts[1:2] if p and not any(ch.isdigit() for ch in p)]  # the town
    for text in texts:
        terms += proper_phrases(text)
    seen: set[str] = set()
    out: list[str] = []
    for term in terms:
        clean = " ".join(term.split())
        if clean and clean.lower() not in seen:
            seen.add(clean.lower())
            out.append(clean)
    return out[:limit]


def vocabulary_prompt(vocabulary: Sequence[str], extra: str | None = None) -> str | None:
    """A prompt from a business's words (its name, services, staff) plus any per-turn ``extra``.

    Whisper-style models continue the spelling and style of their prompt, so a plain comma list
    of proper nouns makes them far more likely to come out spelled the business's way."""
    parts: list[str] = []
    words = ", ".join(word.strip() for word in vocabulary if word.strip())
    if words:
        parts.append(f"{words}.")
    if extra and extra.strip():
        parts.append(extra.strip())
    return " ".join(parts)[:_PROMPT_MAX_CHARS] or None


_TOKEN = re.compile(r"[A-Za-z0-9']+")


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
