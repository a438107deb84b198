"""Picking the answer out of website passages: the sentences that answer a caller's question,
or None when none does, so the brain declines instead of inventing.

Words are compared as the knowledge search compares them (the kernel's analyzer: stop words,
numbers, Snowball stems), and what kind of fact a question wants (a person, an amount, a time or
a number) is in :mod:`receptionist.agent.local.answer_kinds`.
"""

from __future__ import annotations

import re
from typing import Any

from receptionist.agent.local.answer_kinds import (
    KIND_WORDS,
    MONEY_WORDS,
    Kind,
    fits_kind,
    has_money,
    question_kind,
    starts_with_money,
)
from receptionist.agent.local.wording import (
    GENERIC,
    PARTICLES,
    asked_part,
    content_words,
    has,
    telling_words,
    unprefixed,
)
from receptionist.agent.untrusted import looks_like_instruction
from receptionist.core import STOPWORDS, first_sentences, split_sentences
from receptionist.core import words as words_of

__all__ = ["affirms", "best_sentences"]

_NEGATION = re.compile(r"\b(no|not|never|don't|doesn't|cannot|can't|won't|unable|closed|"
                       r"unfortunately|only)\b", re.I)
# "do you do…", "can I get…": about what the business offers, which a sentence of its own site
# stating it confirms ("is there parking?" is not asked this way: "IT Park" would say yes)
_YES_NO = re.compile(r"^(do|does|can|could|are) (you|i|we)\b", re.I)
_TELLING = 5  # letters: "hourly", "instalments"; not "far", "kid", "age"


def best_sentences(question: str, passages: list[dict[str, Any]], max_chars: int = 220, *,
                   strict: bool = False, business: str = "") -> str | None:
    """The sentences of the passages that best answer ``question``, or None when none shares
    enough of its words (a search can rank an unrelated page first). ``strict``: the search
    itself was unsure, so every word of the question must be there (said some way).

    A sentence is judged with the one after it (an answer often spans two) and under its
    page's title; words every page uses ("business", "work") do not count."""
    asked = asked_part(question)
    # the business's own name ("Aesthetica Dental Clinic") is on every page: it tells nothing
    q = content_words(asked) - GENERIC - PARTICLES - content_words(business)
    kind = question_kind(asked) or question_kind(question)
    q -= KIND_WORDS.get(kind, set()) if kind else set()
    who = kind is Kind.PERSON
    if not q or (strict and len(q) < 2 and not who):
        return None
    pool: dict[tuple[int, int], str] = {}
    words: dict[tuple[int, int], set[str]] = {}
    leads: set[tuple[int, int]] = set()  # pieces that begin a line (a paragraph, a list item)
    people: dict[int, str] = {}  # a page about one person ("Ian Stirzaker"): who "Ian" is
    for p_index, passage in enumerate(passages):
        source = str(passage.get("source", "")).split("|")[0].strip()
        # a sentence is read under its page's title and the heading it sits under ("Recommended
        # from age 3–5." under "Paediatric Dentist" is about kids)
        title = content_words(source) | content_words(str(passage.get("section", "")))
        if _PERSON_TITLE.match(source):
            people[p_index] = source
        for s_index, (sentence, lead) in enumerate(_pieces(str(passage.get("quote", "")))):
            if not looks_like_instruction(sentence) and "http" not in sentence.lower():
                pool[(p_index, s_index)] = sentence
                words[(p_index, s_index)] = content_words(sentence) | title
                if lead:
                    leads.add((p_index, s_index))
    needed = len(q) if strict else max(1, (len(q) + 1) // 2)
    # A telling word of the question that no passage has, said no way ("hourly" rate): what was
    # found may be about something else, so the sentence must hold every other telling word,
    # and two words at least ("natural" "products" for "natural shampoos and products", not
    # "rate" alone; "pipes" "freezing" for "stop my pipes freezing in winter").
    # a yes/no question names the very thing it asks about ("legal aid", "wisdom teeth"): a
    # word of it that no passage holds means the site does not say, whatever else matches
    yes_no = bool(_YES_NO.match(unprefixed(question)))
    telling = telling_words(asked, 3 if yes_no else _TELLING) & q
    absent = {w for w in telling if not (yes_no and w in PARTICLES)
              and not any(has(ws, w) for ws in words.values())}
    if absent and yes_no:
        return None
    must = telling - absent
    if absent:
        needed = max(needed if strict else 0, 2)
    said_as = {stem: word for stem, word in words_of(asked)}
    # a word found in few sentences tells more than one found everywhere
    spread = {w: max(1, sum(1 for ws in words.values() if has(ws, w))) for w in q}
    scored: list[tuple[float, int, int]] = []
    for (p_index, s_index), sentence in pool.items():
        if not _speakable(sentence) or (who and not fits_kind(kind, sentence, "")
                                        and not _names(people.get(p_index), sentence)):
            continue
        if sentence.endswith("?") and pool.get((p_index, s_index + 1), "?").endswith("?"):
            continue  # a list of questions (a FAQ's index): no answer to read
        alone = {w for w in q if has(words[(p_index, s_index)], w)}
        if kind is Kind.MONEY and has_money(sentence):  # "£6,000 to £10,000" says the cost
            alone |= q & MONEY_WORDS
        pair = alone | {w for w in q if has(words.get((p_index, s_index + 1), set()), w)}
        hits, penalty = (alone, 0.0) if len(alone) >= len(pair) else (pair, 0.6)
        if len(hits) < needed or (absent and not must <= hits):
            continue
        weight = sum(1 / spread[w] for w in hits) + len(hits) - penalty
        # the very word asked, not only its stem: "parking" over the "Park" of "IT Park"
        weight += _SAME_FORM * sum(1 for w in alone if said_as.get(w) in _forms(sentence))
        prose = 0.5 if sentence.endswith((".", "!")) else 0.0
        fits = 0.0 if who else fits_kind(kind, sentence, pool.get((p_index, s_index + 1), ""))
        scored.append((weight + prose + fits - p_index * 0.1, p_index, s_index))
    if not scored:
        return None
    _, p_best, s_best = max(scored, key=lambda s: (s[0], -s[1], -s[2]))
    pages = [str(p.get("source", "")).split("|")[0].strip() for p in passages]
    text = _read_out(pool, leads, pages, p_best, s_best, kind, max_chars)
    person = people.get(p_best)
    if who and person and person not in text and _names(person, text):  # which "Ian"
        text = f"{person}: {text}"
    return text


_SAME_FORM = 0.25


def _forms(sentence: str) -> set[str]:
    """The words of a sentence as written (lower case): "parking", not its stem "park"."""
    return {word for _, word in words_of(sentence)}


_PERSON_TITLE = re.compile(r"^(Dr\.? )?[A-Z][a-z]+(?:-[A-Z][a-z]+)?( [A-Z]\.)?"
                           r"( [A-Z][a-z]+(?:-[A-Z][a-z]+)?){1,2}$")


def _names(person: str | None, sentence: str) -> bool:
    """Does ``sentence`` speak of the person its page is about ("Ian is…" on "Ian Stirzaker")?"""
    if not person:
        return False
    first = person.removeprefix("Dr ").removeprefix("Dr. ").split()[0]
    if first.lower() in STOPWORDS:  # "Our Team", "About Us": not a person
        return False
    return re.match(rf"{re.escape(first)}(?:['’]s)?\s", sentence) is not None


_MORE = 80  # what a fact found further on may add to the length of an answer


def _read_out(pool: dict[tuple[int, int], str], leads: set[tuple[int, int]], pages: list[str],
              p_best: int, s_best: int, kind: Kind | None, max_chars: int) -> str:
    """The chosen sentence as said: with the answer of a FAQ's question, the price on the line
    below a menu item, the sentences after it that finish it, and the one before it when that
    one leads into it on the same line ("Yes, we give fixed-rate quotes. The price we quote is
    the price you pay.")."""
    text = pool[(p_best, s_best)]
    if text.endswith("?") and (p_best, s_best + 1) in pool:  # a FAQ's question: read its answer
        s_best += 1
        text = pool[(p_best, s_best)]
    chosen = text
    before = pool.get((p_best, s_best - 1))
    if (p_best, s_best) not in leads and (p_best, s_best - 1) in leads and before \
            and not before.endswith("?") and len(before) + len(text) + 1 <= max_chars:
        text = f"{before} {text}"
    if len(text) > max_chars and kind is not None:
        text = _clause_with(text, kind, max_chars)
    below = pool.get((p_best, s_best + 1), "")
    if kind is Kind.MONEY and not has_money(text) and starts_with_money(below) \
            and len(below.split()) <= 4:  # a menu line and its price below it: "… rolls" / "$3.25"
        return first_sentences(_tidy(f"{text.rstrip('.')}: {below}"), max_chars)
    # "…Doctor (NMD).*": the footnote on the same page says more ("* not licensed as an NMD")
    marked = _unmarked(text).rstrip(". ").endswith("*")
    note = next((_unmarked(n) for (p, _), n in pool.items() if marked and n not in text
                 and pages[p] == pages[p_best] and _unmarked(n).startswith("*")), None)
    if note and len(text) + len(note) + 1 <= max_chars + _MORE:
        return _tidy(f"{_unmarked(text).rstrip('.* ')}. {note.lstrip('* ')}")
    if kind is not None and not fits_kind(kind, text, ""):
        # the fact asked for is a sentence or two further on ("…catering for your events." /
        # "For catering, call (402) 759-4144."): read it after the lead
        later = next((n for n in (pool.get((p_best, s_best + k)) for k in (1, 2, 3))
                      if n and fits_kind(kind, n, "") > 1), None)
        for lead in (text, before or "", chosen) if later else ():
            if lead and len(lead) + len(later or "") + 1 <= max_chars + _MORE:
                return _tidy(f"{lead} {later}")
        if later and len(later) <= max_chars:  # no room for the lead: the fact alone
            return _tidy(later)
    for follow in (1, 2):  # the next sentences often finish the answer (not a price list's)
        after = pool.get((p_best, s_best + follow))
        if _PRICE_LINE.search(text):
            break
        if not after or not _speakable(after) or after.endswith("?") \
                or len(text) + len(after) + 1 > max_chars:
            break
        text = f"{text} {after}"
    return first_sentences(_tidy(text), max_chars)


def affirms(question: str, answer: str) -> bool:
    """A yes/no question ("do you do emergency call-outs?") the answer confirms word for word
    ("We offer emergency call-out services."), with nothing that turns it around."""
    text = unprefixed(asked_part(question))
    if not _YES_NO.match(text) or _NEGATION.search(answer) or " or " in f" {text} ":
        return False
    q = content_words(text) - GENERIC
    said = content_words(split_sentences(answer)[0]) if answer.strip() else set()
    # the very words, not related ones: "do you charge for a quote?" is not confirmed by "the
    # price we quote is the price you pay" (the quotes are free)
    return bool(q) and all(w in said for w in q)


def _tidy(text: str) -> str:
    """Table leftovers and markup out: "call-out fee – –" → "call-out fee", "**Costs**" →
    "Costs" (a caller must not hear asterisks, hashes or backslashes read aloud)."""
    text = _MARKUP.sub("", text)
    text = re.sub(r"(\s*[–—-])+\s*$", "", text)
    text = re.sub(r"(\s[–—-])(\s[–—-])+\s", r"\1 ", text).strip().rstrip(":;,-")
    return text if text.endswith((".", "!", "?", "”", '"')) else f"{text}."


def _unmarked(text: str) -> str:
    """``text`` without HTML tags or escaping backslashes: "(NMD).<sup>\\*</sup>" → "(NMD).*"."""
    return re.sub(r"</?[a-z][^>]*>|\\(?=\S)", "", text)


_MARKUP = re.compile(r"</?[a-z][^>]*>|\*\*|__|`|\\(?=\S)|^#+\s*|(?<=\s)#+\s+", re.M)
_PRICE_LINE = re.compile(r":\s*[$£€]\s?\d")
_PRICE_ITEM = re.compile(r"(?<=[\d%])\s+(?=[A-Z][a-z])")


def _clause_with(sentence: str, kind: Kind, max_chars: int) -> str:
    """A sentence too long to read whole, from the clause that holds the fact asked for (the
    "£50 + VAT" at the end of a long fee sentence), or the sentence itself when none does."""
    clauses = re.split(r"(?<=[,;:])\s+", sentence)
    for end, clause in enumerate(clauses):
        if fits_kind(kind, clause, "") > 1:
            start = end
            while start > 0 and len(" ".join(clauses[start - 1:end + 1])) <= max_chars:
                start -= 1
            text = " ".join(clauses[start:end + 1]).rstrip(",;:")
            return text[:1].upper() + text[1:]
    return sentence


def _pieces(text: str) -> list[tuple[str, bool]]:
    """Sentences, with run-together price lists ("Faucet installation: $159 Sump pump…") cut
    into their items; each with whether it begins its line."""
    out: list[tuple[str, bool]] = []
    for line in text.splitlines():
        for number, sentence in enumerate(split_sentences(line)):
            items = [p.strip() for p in _PRICE_ITEM.split(sentence) if p.strip()]
            out += [(item, number == 0 and i == 0) for i, item in enumerate(items)]
    return out


def _speakable(sentence: str) -> bool:
    """Prose or a price item, not a table row or a heading: a few words, mostly letters."""
    letters = sum(ch.isalpha() for ch in sentence)
    # a fee line is mostly figures ("Less complex case: £6,000 to £10,000 (+ VAT at 20%)")
    share = 0.3 if has_money(sentence) else 0.6
    return len(sentence.split()) >= 3 and letters >= share * len(sentence.replace(" ", ""))
