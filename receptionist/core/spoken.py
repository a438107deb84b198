"""Spoken English, once for the whole product: weekday, month and number words, clock times,
hours, lists, prices and sentences, as a receptionist says them and as callers and websites
write them.

Pure functions and tables, no I/O. The kernel holds them because every layer needs the same
words: the agent speaks them, the calendar phrases its offers with them, the knowledge base
reads and writes opening hours with them and the speech engines cut replies into sentences.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # hours.py imports this module for its day keys
    from receptionist.core.hours import WeeklyHours

__all__ = [
    "MONTH_WORDS",
    "NUMBER_WORDS",
    "ORDINAL_WORDS",
    "TENS_WORDS",
    "UNIT_WORDS",
    "WEEKDAY_KEYS",
    "WEEKDAY_NAMES",
    "WEEKDAY_SHORT_WORDS",
    "WEEKDAY_WORDS",
    "complete_sentences",
    "default_greeting",
    "first_sentences",
    "ordinal",
    "split_sentences",
    "spoken_date",
    "spoken_datetime",
    "spoken_hours",
    "spoken_list",
    "spoken_moment",
    "spoken_price",
    "spoken_time",
    "spoken_when",
]

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# The stored form of weekly hours ({"mon": [["08:00", "17:00"]], …}), 0 = Monday.
WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Weekdays as people say or type them, to their number (0 = Monday).
WEEKDAY_WORDS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "friday": 4, "fri": 4,
    "saturday": 5, "sat": 5, "sunday": 6, "sun": 6,
}
# Two-letter days as written schedules use them ("Mo-Fr"); never read from speech, where
# "we" and "th" are other words.
WEEKDAY_SHORT_WORDS = {"mo": 0, "tu": 1, "we": 2, "th": 3, "fr": 4, "sa": 5, "su": 6}
MONTH_WORDS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}
# Numbers as words: the units (0-19) and the tens (20-90) that spoken numbers are built from.
UNIT_WORDS = {word: n for n, word in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
TENS_WORDS = {word: 10 * n for n, word in enumerate(
    "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if word != "_"}
NUMBER_WORDS = UNIT_WORDS | TENS_WORDS
_ORDINAL_UNITS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
                  "ninth")
# Days of the month as said aloud: "the fourteenth", "the twenty first".
ORDINAL_WORDS = {
    **{w: i + 1 for i, w in enumerate(_ORDINAL_UNITS)},
    "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, **{f"twenty {w}": 21 + i for i, w in enumerate(_ORDINAL_UNITS)},
    "thirtieth": 30, "thirty first": 31,
}

# Words that end with a period without ending the sentence, common in a business's text.
_ABBREVIATIONS = frozenset(
    "dr mr mrs ms st ave blvd rd no vs etc e.g i.e a.m p.m approx appt ext jr sr inc ltd co "
    "mt ft".split()
)
# End punctuation plus any closing quote or bracket, then whitespace: a candidate boundary.
_BOUNDARY = re.compile(r"([.!?…]+[\"')\]”’]*)\s+")
_LAST_WORD = re.compile(r"([A-Za-z.]+)\.[\"')\]”’]*$")


def default_greeting(name: str) -> str:
    """What the receptionist says on answering when the owner wrote no greeting; it says it is
    a virtual receptionist, so nobody takes it for a person."""
    return f"Thanks for calling {name}, this is the virtual receptionist. How can I help you today?"


def spoken_time(t: time) -> str:
    if t.hour == 12 and t.minute == 0:
        return "noon"
    if t.hour == 0 and t.minute == 0:
        return "midnight"
    hour = t.hour % 12 or 12
    suffix = "am" if t.hour < 12 else "pm"
    return f"{hour} {suffix}" if t.minute == 0 else f"{hour}:{t.minute:02d} {suffix}"


def spoken_list(items: Sequence[str], conjunction: str = "and") -> str:
    items = [i for i in items if i]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def _day_span(start: int, end: int) -> str:
    if start == end:
        return WEEKDAY_NAMES[start]
    if end == start + 1:
        return f"{WEEKDAY_NAMES[start]} and {WEEKDAY_NAMES[end]}"
    return f"{WEEKDAY_NAMES[start]} to {WEEKDAY_NAMES[end]}"


def spoken_hours(hours: WeeklyHours) -> str:
    """"Monday to Friday, 8 am to 5 pm; Saturday, 9 am to noon. Closed Sunday." """
    if hours.is_empty:
        return ""
    groups: list[tuple[int, int, tuple[tuple[time, time], ...]]] = []
    for day, intervals in enumerate(hours.days):
        if groups and groups[-1][2] == intervals and groups[-1][1] == day - 1:
            groups[-1] = (groups[-1][0], day, intervals)
        else:
            groups.append((day, day, intervals))
    open_parts: list[str] = []
    closed_days: list[str] = []
    for start, end, intervals in groups:
        if not intervals:
            closed_days.append(_day_span(start, end))
            continue
        spans = spoken_list([f"{spoken_time(a)} to {spoken_time(b)}" for a, b in intervals])
        open_parts.append(f"{_day_span(start, end)}, {spans}")
    text = "; ".join(open_parts) + "."
    if closed_days:
        text += f" Closed {spoken_list(closed_days)}."
    return text


def spoken_date(day: date, today: date | None = None) -> str:
    if today is not None:
        delta = (day - today).days
        if delta == 0:
            return "today"
        if delta == 1:
            return "tomorrow"
    return f"{WEEKDAY_NAMES[day.weekday()]} {day.strftime('%B')} {day.day}"


def spoken_datetime(moment: datetime, today: date | None = None) -> str:
    """A local datetime as "Tuesday March 10 at 3 pm" (or "tomorrow at 9:30 am")."""
    return f"{spoken_date(moment.date(), today)} at {spoken_time(moment.time())}"


def spoken_moment(at: datetime, *, now: datetime | None = None) -> str:
    """``Tuesday the 14th at 3:30 pm``; ``today``/``tomorrow`` when ``now`` says so."""
    clock = spoken_time(at.time())
    if now is not None:
        days = (at.date() - now.astimezone(at.tzinfo).date()).days
        if days == 0:
            return f"today at {clock}"
        if days == 1:
            return f"tomorrow at {clock}"
    return f"{WEEKDAY_NAMES[at.weekday()]} the {ordinal(at.day)} at {clock}"


def spoken_when(at: datetime, *, now: datetime | None = None) -> str:
    """``spoken_moment`` read after a noun: ``on Tuesday the 14th at 3 pm``, ``today at …``."""
    text = spoken_moment(at, now=now)
    return text if text.startswith(("today", "tomorrow")) else "on " + text


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 11th, 22nd."""
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def spoken_price(value: object) -> str:
    """Prices as said aloud: 45 → "$45", 45.5 → "$45.50", "from £30" stays as written."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int):
        return f"${value}"
    if isinstance(value, float):
        return f"${value:.0f}" if value.is_integer() else f"${value:.2f}"
    return str(value).strip()


def complete_sentences(text: str) -> tuple[list[str], str]:
    """The sentences ``text`` surely finishes, and the rest as it came: streamed text is fed in
    pieces, and a sentence is whole only once punctuation and a space follow it."""
    done: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        candidate = text[start:match.end(1)]
        last = _LAST_WORD.search(candidate)
        word = last.group(1) if last else ""
        if word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isupper()):
            continue  # "Dr." is followed by a name, not a new sentence
        if sentence := " ".join(candidate.split()):
            done.append(sentence)
        start = match.end()
    return done, text[start:]


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` with whitespace collapsed. A line break also ends one (web pages
    put facts on lines); abbreviations ("Dr.", "p.m."), initials ("A. O. Smith") and decimals
    ("3.5") do not. Empty text gives an empty list."""
    pieces: list[str] = []
    for line in text.splitlines():
        done, rest = complete_sentences(line)
        pieces += done
        if rest := " ".join(rest.split()):
            pieces.append(rest)
    return pieces


def first_sentences(text: str, max_chars: int = 240) -> str:
    """As many whole sentences as fit in ``max_chars`` (at least one, cut at a word if long)."""
    out: list[str] = []
    used = 0
    for sentence in split_sentences(text):
        if out and used + len(sentence) + 1 > max_chars:
            break
        if not out and len(sentence) > max_chars:
            cut = sentence[:max_chars].rsplit(" ", 1)[0]
            return cut.rstrip(",;:") + "…"
        out.append(sentence)
        used += len(sentence) + 1
    return " ".join(out)
