"""Pulling the pieces of a request out of normalised caller text: service, day/time, name,
which offered slot. Pure functions over ``intents.normalize`` output; tolerant of STT noise
("hair cut" for "haircut", "tuesdays", "3 30 pm")."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from difflib import SequenceMatcher

from receptionist.core import WEEKDAY_WORDS, stem

__all__ = [
    "extract_name",
    "extract_when",
    "match_service",
    "message_reason",
    "pick_offered",
    "service_asked_for",
    "service_by_word",
]

# "sun" is left out: in a caller's words it is the sun far more often than Sunday.
_WEEKDAYS = {word: day for word, day in WEEKDAY_WORDS.items() if word != "sun"}
_MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "sept", "oct", "nov", "dec",
)
_STRONG_WHEN = {
    "today", "tonight", "tomorrow", "morning", "afternoon", "evening", "noon", "midday", "week",
    "weekend", "asap", "soonest", "earliest", "anytime", "lunchtime", "lunch",
    *_WEEKDAYS, *(d + "s" for d in _WEEKDAYS if len(d) > 4),
}
_CONNECT_WHEN = {
    "next", "this", "after", "before", "around", "about", "at", "on", "by", "in", "the", "from",
    "between", "and", "or", "early", "late", "later", "am", "pm", "o'clock", "oclock", "of",
    "until", "till", "first", "available", "any", "time", "day", "possible", "soon",
    "as", "ish", "half", "past", "quarter",
}
_TIME_LEAD = {"at", "after", "before", "around", "about", "by", "from", "until", "till", "between"}
_DIGIT_TIME = re.compile(r"^(\d{1,2})(:\d{2})?$")
_ORDINAL = re.compile(r"^\d{1,2}(st|nd|rd|th)$")
_SOONEST = re.compile(r"\b(asap|as soon as possible|soonest|earliest|first available|next available"
                      r"|anytime|any time|whenever)\b")

_NOT_NAMES = {
    "looking", "calling", "trying", "wondering", "not", "just", "interested", "after", "here",
    "fine", "good", "sorry", "the", "a", "an", "great", "okay", "ok", "well", "going", "hoping",
    "ringing", "phoning", "wanting", "needing", "about", "in", "on", "at", "sure", "yes", "no",
    "yeah", "new", "existing", "a customer", "your", "with", "from", "is", "it", "that", "this",
    "thanks", "thank", "please", "um", "uh", "hi", "hello", "hey", "booking", "book", "for",
    "to", "want", "would", "like", "need", "can", "could", "i", "me", "my", "name", "and",
    "available", "free", "busy", "open", "closed", "there", "still", "really", "actually",
    "back", "later", "tomorrow", "today", "now", "soon", "asap", "urgent", "important",
    "quick", "done", "broken", "leaking", "flooding", "bad", "terrible", "wrong", "right",
    "correct", "late", "early", "home", "out", "away", "gone", "very", "so", "too", "also", "all",
}
_NAME_LEAD = re.compile(
    r"\b(?:my name is|my name's|name is|name's|this is|it's|it is|i'm|i am|call me|you can call me"
    r"|the name is|under)\s+([a-z][a-z']+(?:\s+[a-z][a-z']+){0,2})"
)
_FILLER = re.compile(
    r"^(?:(?:uh|um|er|erm|yeah|yes|sure|ok|okay|oh|hi|hello|well|so|it's|it is|my name is|"
    r"my name's|name's|this is|i'm|i am|the name is|call me|you can call me|sorry)\s+)+"
)
_TRAIL = re.compile(r"(?:\s+(?:thanks|thank you|please|here|speaking|calling))+$")
_ORDINALS = {
    "first": 0, "1st": 0, "earliest": 0, "earlier": 0, "second": 1, "2nd": 1, "middle": 1,
    "third": 2, "3rd": 2, "last": -1, "latest": -1, "later": -1, "final": -1,
}
_GENERIC = {"repair", "repairs", "service", "servicing", "installation", "install", "installed",
            "replacement", "replace", "cleaning", "clean", "visit", "check", "inspection",
            "consultation", "session", "treatment", "fitting", "fix", "job", "call", "out"}
_STOP = {"a", "an", "the", "my", "for", "of", "and", "to", "with", "in", "on", "service",
         "services", "appointment", "session", "please", "i", "need", "want", "like", "book",
         "get", "do", "you", "your", "some", "is", "it", "me", "can", "could", "would"}


def extract_when(norm: str, *, expecting: bool = False) -> str | None:
    """The day/time phrase in ``norm`` ("next tuesday after 3 pm"), or None.

    ``expecting``: the agent just asked "what day and time?", so a bare number counts as a time.
    "as soon as possible" and friends come back as "soonest".
    """
    if _SOONEST.search(norm):
        rest = _SOONEST.sub(" ", norm)
        other = extract_when(rest, expecting=False)
        return other or "soonest"
    words = norm.split()
    strong = [False] * len(words)
    for i, w in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else ""
        prev = words[i - 1] if i else ""
        if w in _STRONG_WHEN or w in _MONTHS or _ORDINAL.match(w):
            strong[i] = True
        elif _DIGIT_TIME.match(w) and (
            nxt in ("am", "pm", "o'clock", "oclock", "ish")
            or prev in _TIME_LEAD
            or ":" in w
            or prev in _MONTHS
            or nxt in _MONTHS
            or expecting
        ):
            strong[i] = True
        elif w in ("am", "pm", "noon") and i and _DIGIT_TIME.match(prev):
            strong[i] = True
    if not any(strong):
        return None
    keep = list(strong)
    for i, w in enumerate(words):  # spread to connecting words next to a strong word
        if keep[i]:
            continue
        if w in _CONNECT_WHEN or _DIGIT_TIME.match(w):
            left = i > 0 and strong[i - 1]
            right = i + 1 < len(words) and strong[i + 1]
            right2 = (i + 2 < len(words) and strong[i + 2]
                      and words[i + 1] in _CONNECT_WHEN)
            if left or right or right2:
                keep[i] = True
    spans: list[list[str]] = []
    for i, w in enumerate(words):
        if not keep[i]:
            continue
        if i > 0 and keep[i - 1] and spans:
            spans[-1].append(w)
        else:
            spans.append([w])
    phrases = [" ".join(_trim_connectors(span)) for span in spans]
    phrase = " ".join(p for p in phrases if p)
    return phrase or None


def _trim_connectors(span: list[str]) -> list[str]:
    while span and (span[0] in {"and", "or", "the", "in", "of", "on"}
                    or (span[0] in {"about", "around"} and len(span) > 1 and span[1] == "the")):
        span = span[1:]
    while span and span[-1] in {"and", "or", "the", "at", "on", "in", "of", "by", "after",
                                 "before", "around", "about", "from", "between", "next"}:
        span = span[:-1]
    return span


def _tokens(text: str) -> list[str]:
    return [w.rstrip("s") if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
            for w in text.split()]


def match_service(norm: str, services: Sequence[str], *, threshold: float = 0.8) -> str | None:
    """The offered service the caller named, tolerating plurals, split words and small typos.
    A parenthetical in the name ("Emergency call-out (nights, weekends)") is not needed."""
    best: tuple[float, str] | None = None
    words = _tokens(norm)
    joined = "".join(words)
    for service in services:
        s_norm = re.sub(r"[^a-z0-9 ]", " ", re.sub(r"\(.*?\)", " ", service.lower()))
        s_words = [w for w in _tokens(s_norm) if w not in _STOP] or _tokens(s_norm)
        if not s_words:
            continue
        if "".join(s_words) in joined:
            score = 1.0 + len(s_words) * 0.01  # longer exact names win ("deep tissue massage")
        else:
            # generic words ("repair", "cleaning") count less than the ones that name the thing
            total = weight = 0.0
            for sw in s_words:
                w_weight = 0.3 if sw in _GENERIC else 1.0
                best_ratio = max((SequenceMatcher(None, sw, w).ratio() for w in words),
                                 default=0.0)
                total += w_weight * best_ratio
                weight += w_weight
            score = total / weight
            # also compare the service against windows of the same length ("hair cut")
            n = len(s_words)
            target = "".join(s_words)
            for size in (n, n + 1):
                for i in range(max(0, len(words) - size + 1)):
                    window = "".join(words[i : i + size])
                    score = max(score, SequenceMatcher(None, target, window).ratio())
        if score >= threshold and (best is None or score > best[0]):
            best = (score, service)
    return best[1] if best else None


def service_by_word(norm: str, services: Sequence[str]) -> str | None:
    """Asked to book, the one service whose name holds a word the caller said ("book a
    cleaning" -> "Teeth Cleaning & Scaling"): callers shorten a site's long names. A word in
    two names ("dental") names neither. Only where a booking is being asked for: elsewhere
    "do you repair phones?" is not a question about "Toilet repair".

    Speech recognition splits and bends words, so a word is also heard in two words run
    together ("clean in" → "cleanin"), under its stem ("clean" for "cleaning") and one letter
    off in a long word ("whitning")."""
    tokens = [w for w in _tokens(norm) if w not in _STOP or w in ("in", "on")]
    said = {w for w in tokens if len(w) >= 4}
    said |= {a + b for a, b in itertools.pairwise(tokens) if len(a) >= 3}
    holders = [s for s in services if any(_sounds_like(w, n) for w in said
                                          for n in _name_words(s))]
    return holders[0] if len(holders) == 1 else None


# words that end a noun phrase: "a cleaning next to…", "a cleaning please", "a cleaning for my
# son"; not "leak sealant" or "custom shoe inserts", where the word is part of another thing
_PHRASE_END = frozenset(
    "next on at for this please tomorrow today with and appointment asap soon sometime "
    "booked done to the when if as after before".split())


def service_asked_for(norm: str, services: Sequence[str]) -> str | None:
    """The one service a request names by a word of its name that ends what is asked for ("I'd
    like to walk a cleaning next to the exam": "cleaning", then "next"), however speech
    recognition bent the word; None when the word runs on into another thing ("I'd like some
    leak sealant" is no "Leak detection")."""
    words = norm.split()
    found: set[str] = set()
    for i, word in enumerate(words):
        for heard, after in ((word, i + 1), (word + (words[i + 1] if i + 1 < len(words)
                                                      else ""), i + 2)):
            heard = _tokens(heard)[0] if heard else heard
            if len(heard) < 4 or heard in _STOP:
                continue
            if after < len(words) and words[after] not in _PHRASE_END:
                continue
            found |= {s for s in services if any(_sounds_like(heard, n)
                                                 for n in _name_words(s))}
    return next(iter(found)) if len(found) == 1 else None


def _name_words(service: str) -> set[str]:
    """The words of a service's name that can name it: "Teeth Cleaning & Scaling" → teeth,
    cleaning, scaling (not "and", "service", a parenthetical)."""
    plain = re.sub(r"[^a-z0-9 ]", " ", re.sub(r"\(.*?\)", " ", service.lower()))
    return {w for w in _tokens(plain) if len(w) >= 4 and w not in _STOP}


def _sounds_like(heard: str, word: str) -> bool:
    """``heard`` is ``word`` as a caller says it or speech recognition writes it."""
    if heard == word:
        return True
    if min(len(heard), len(word)) >= 5 and stem(heard) == stem(word):
        return True  # "clean" / "cleaning", "whiten" / "whitening"
    return min(len(heard), len(word)) >= 6 and _one_edit(heard, word)


def _one_edit(a: str, b: str) -> bool:
    """At most one letter added, dropped or changed."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(a))
    return a[i + (len(a) == len(b)):] == b[i + 1:]


def extract_name(text: str, norm: str, *, expecting: bool = False) -> str | None:
    """The caller's name from "my name is Sam Jones" / "it's Sam", or the whole short answer
    when the agent just asked for it. Title-cased; None when it does not look like a name."""
    m = _NAME_LEAD.search(norm)
    candidate: str | None = None
    if m:
        candidate = m.group(1)
    elif expecting:
        candidate = _FILLER.sub("", norm)
    if not candidate:
        return None
    candidate = _TRAIL.sub("", candidate).strip()
    words: list[str] = []
    for w in candidate.split():
        if w in _NOT_NAMES:
            break
        words.append(w)
    if any(w in _STRONG_WHEN or w in _MONTHS for w in candidate.split()):
        return None
    if candidate.split()[0].endswith(("ing", "ed")) and len(candidate.split()[0]) > 4:
        return None  # "it's flooding", "I'm interested"
    if not words or len(words) > 3:
        return None
    if any(not re.fullmatch(r"[a-z][a-z']*", w) for w in words):
        return None
    return " ".join(w[:1].upper() + w[1:] for w in words)


def pick_offered(norm: str, labels: Sequence[str], starts_local: Sequence[tuple[int, int, int]]
                 ) -> int | None:
    """Which offered slot the caller chose: "the second one", "3 pm", "the 3:30", "tuesday".

    ``starts_local`` holds (weekday, hour, minute) per offered slot. Returns the index or None.
    """
    if not labels:
        return None
    words = norm.split()
    for w in words:
        if w in _ORDINALS:
            index = _ORDINALS[w]
            return index if index >= 0 else len(labels) - 1
    if re.search(r"\b(that one|that 1|the 1)\b", norm) and len(labels) == 1:
        return 0
    # a time: "3", "3 pm", "3:30"
    matches: list[int] = []
    for m in re.finditer(r"\b(\d{1,2})(?::(\d{2}))?(?:\s*(am|pm))?\b", norm):
        hour, minute, suffix = int(m.group(1)), int(m.group(2) or 0), m.group(3)
        if hour > 23 or minute > 59:
            continue
        for i, (_, h, mi) in enumerate(starts_local):
            h12 = h % 12 or 12
            if mi != minute:
                continue
            if suffix == "pm" and h >= 12 and h12 == hour % 12 + (12 if hour % 12 == 0 else 0):
                matches.append(i)
            elif suffix == "am" and h < 12 and h12 == (hour or 12):
                matches.append(i)
            elif suffix is None and (h == hour or h12 == hour):
                matches.append(i)
    days = {_WEEKDAYS[w.rstrip("s")] for w in words if w.rstrip("s") in _WEEKDAYS}
    if days:
        by_day = [i for i, (d, _, _) in enumerate(starts_local) if d in days]
        if matches:
            both = [i for i in matches if i in by_day]
            matches = both or matches
        else:
            matches = by_day
    unique = sorted(set(matches))
    if len(unique) == 1:
        return unique[0]
    return None


_MESSAGE_TRIGGERS = re.compile(
    r"\b(can|could|would|will) (i|you) |\b(please )?(leave|take|pass on|pass along|give|send)"
    r"( them| him| her| the team)? (a )?message( for (the team|them|him|her|[a-z]+))?\b|"
    r"\b(have|ask|get) (someone|somebody|them|him|her) (to )?call( me)?( back)?\b|"
    r"\bcall me back\b|\bi'?d like to\b|\bi want to\b|\bjust\b|\bplease\b"
)


def message_reason(norm: str) -> str | None:
    """What the caller wants passed on, when they said it along with "take a message"."""
    rest = _MESSAGE_TRIGGERS.sub(" ", norm)
    rest = re.sub(r"^\s*(that|about|to say|saying|regarding|re|and|to)\b", " ", rest.strip())
    words = [w for w in rest.split() if w]
    content = [w for w in words if w not in _STOP and w not in ("um", "uh", "hi", "hello")]
    if len(content) < 3:
        return None
    return " ".join(words)
