"""Words for the ear: times, hours, lists and prices as a receptionist says them.

Pure functions, no I/O. Everything the agent speaks from structured data goes through here so the
local brain and the tool results read the same ("Monday to Friday, 8 am to 5 pm").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time

from receptionist.core import WeeklyHours

__all__ = [
    "DAY_NAMES",
    "first_sentences",
    "split_sentences",
    "spoken_date",
    "spoken_datetime",
    "spoken_hours",
    "spoken_list",
    "spoken_price",
    "spoken_time",
]

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# a sentence ends at . ! ? before a capital — but not after an initial ("A. O. Smith")
# not after a title: "Dr. Perkins is the only chiropractor…" is one sentence
_SENTENCE_END = re.compile(r"(?<![\s.][A-Z]\.)(?<!\bDr\.)(?<!\bMr\.)(?<!\bMs\.)(?<!\bMrs\.)"
                           r"(?<!\bSt\.)(?<!\bNo\.)(?<=[.!?])\s+(?=[A-Z0-9\"'(“])")


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
        return DAY_NAMES[start]
    if end == start + 1:
        return f"{DAY_NAMES[start]} and {DAY_NAMES[end]}"
    return f"{DAY_NAMES[start]} to {DAY_NAMES[end]}"


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
    return f"{DAY_NAMES[day.weekday()]} {day.strftime('%B')} {day.day}"


def spoken_datetime(moment: datetime, today: date | None = None) -> str:
    """A local datetime as "Tuesday March 10 at 3 pm" (or "tomorrow at 9:30 am")."""
    return f"{spoken_date(moment.date(), today)} at {spoken_time(moment.time())}"


def spoken_price(value: object) -> str:
    """Prices as said aloud: 45 → "$45", 45.5 → "$45.50", "from £30" stays as written."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int):
        return f"${value}"
    if isinstance(value, float):
        return f"${value:.0f}" if value.is_integer() else f"${value:.2f}"
    return str(value).strip()


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``; a line break also ends one (web pages put facts on lines)."""
    out: list[str] = []
    for line in text.splitlines():
        line = " ".join(line.split())
        out += [s.strip() for s in _SENTENCE_END.split(line) if s.strip()]
    return out


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
