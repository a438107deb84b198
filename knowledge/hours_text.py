"""Opening hours as websites write them, turned into :class:`receptionist.core.WeeklyHours`.

Understands schema.org ``openingHours`` ("Mo-Fr 08:00-17:00"), ``openingHoursSpecification``
and free text such as "Mon–Fri 8am–5pm", "Monday – Friday: 7:30 am – 6:00 pm" or a row
"Sunday | Closed". Pure functions, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from receptionist.core import (
    WEEKDAY_KEYS,
    WEEKDAY_SHORT_WORDS,
    WEEKDAY_WORDS,
    HoursError,
    WeeklyHours,
)

__all__ = ["hours_from_schema_spec", "hours_from_schema_text", "hours_from_text"]

_ORDER = [key.title() for key in WEEKDAY_KEYS]
# Any way a site writes a weekday, to the short name WeeklyHours.parse reads ("Mon").
_DAY_NAMES = {word: _ORDER[day] for word, day in (WEEKDAY_WORDS | WEEKDAY_SHORT_WORDS).items()}
_EVERY_DAY = r"(?:daily|every\s*day|7\s+days(?:\s+a\s+week)?|seven\s+days(?:\s+a\s+week)?)"
_DAY = (r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
        r"mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)\.?")
_DAYS = (rf"(?:{_EVERY_DAY}|{_DAY}(?:\s*(?:-|–|—|to|through|thru)\s*{_DAY}|"
         rf"(?:\s*(?:,|&|and)\s*{_DAY})+)?)")
_CELL_DASH = re.compile(r"\s*\|\s*(?:-|–|—|to)\s*\|\s*", re.IGNORECASE)
_OTHER_HOURS = re.compile(r"emergenc|after[- ]?hours|out[- ]of[- ]hours|by appointment|"
                          r"holiday|kitchen|happy hour|24/7|on[- ]call", re.IGNORECASE)
_SEGMENT = re.compile(r"(?<=[.;])\s+(?=[A-Z0-9])|\s+\|\s+")
_MAIN_LABEL = re.compile(r"\bhours\b|\bopen(?:ing)?\b|\btimings?\b", re.IGNORECASE)
_TIME = r"(?:\d{1,2}(?:[:.]\d{2})?\s*(?:a\.?m\.?|p\.?m\.?)?|noon|midnight)"
_RANGE = rf"({_TIME})\s*(?:-|–|—|to|until)\s*({_TIME})"
_RANGE_RE = re.compile(_RANGE, re.IGNORECASE)
_PLAIN_RANGE = rf"{_TIME}\s*(?:-|–|—|to|until)\s*{_TIME}"
_ENTRY = re.compile(
    rf"\b({_DAYS})\s*(?:[:|,]\s*|\s+)(?:from\s+)?"
    rf"({_PLAIN_RANGE}(?:\s*(?:,|&|and)\s*{_PLAIN_RANGE})*|(closed))", re.IGNORECASE)


def _time(text: str, *, is_end: bool, other_pm: bool | None = None) -> tuple[int, int] | None:
    t = re.sub(r"\s+", "", text.lower())
    for dotted, plain in (("a.m.", "am"), ("p.m.", "pm"), ("a.m", "am"), ("p.m", "pm")):
        t = t.replace(dotted, plain)
    t = t.rstrip(".").replace(".", ":")
    if t == "noon":
        return (12, 0)
    if t == "midnight":
        return (24, 0) if is_end else (0, 0)
    m = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?(am|pm)?", t)
    if not m:
        return None
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    suffix = m.group(3) or ""
    if suffix == "pm" and hour < 12:
        hour += 12
    elif suffix == "am" and hour == 12:
        hour = 0
    elif not suffix and other_pm and hour < 12:
        hour += 12
    if hour > 24 or minute > 59:
        return None
    return (hour, minute)


def _span(start: str, end: str) -> str | None:
    end_t = _time(end, is_end=True)
    start_t = _time(start, is_end=False)
    if start_t is None or end_t is None:
        return None
    has_suffix = re.search(r"[ap]\.?m", end, re.IGNORECASE) is not None
    if has_suffix and not re.search(r"[ap]\.?m", start, re.IGNORECASE) and start_t > end_t:
        start_t = (start_t[0] - 12, start_t[1]) if start_t[0] >= 12 else start_t
    if not has_suffix and end_t <= start_t and end_t[0] < 12:
        end_t = (end_t[0] + 12, end_t[1])  # "9-5" means 09:00-17:00
    if end_t <= start_t:
        return None
    return f"{start_t[0]:02d}:{start_t[1]:02d}-{end_t[0]:02d}:{end_t[1]:02d}"


def _days(text: str) -> list[str]:
    if re.fullmatch(_EVERY_DAY, text.strip().lower()):
        return list(_ORDER)
    parts = re.split(r"\s*(?:,|&|\band\b)\s*", text.strip().lower())
    out: list[str] = []
    for part in parts:
        ends = [e.strip(" .") for e in re.split(r"\s*(?:-|–|—|\bto\b|\bthrough\b|\bthru\b)\s*",
                                                part) if e.strip(" .")]
        names = [_DAY_NAMES.get(e) for e in ends]
        if not names or any(n is None for n in names):
            continue
        if len(names) == 1:
            out.append(str(names[0]))
        else:
            a, b = _ORDER.index(str(names[0])), _ORDER.index(str(names[-1]))
            idx = range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)]
            out.extend(_ORDER[i] for i in idx)
    return out


def _build(entries: Iterable[tuple[list[str], str | None]]) -> WeeklyHours | None:
    """``(days, "HH:MM-HH:MM" or None for closed)`` → WeeklyHours; the first mention of a day
    wins; ``None`` when nothing usable was found."""
    week: dict[str, list[str]] = {}
    closed: set[str] = set()
    for days, span in entries:
        for d in days:
            if d in closed:
                continue
            if span is None:
                if d not in week:
                    closed.add(d)
            elif span not in week.setdefault(d, []):
                week[d].append(span)
    if not week:
        return None
    text = "; ".join(f"{d} {','.join(sorted(week[d]))}" for d in _ORDER if d in week)
    try:
        return WeeklyHours.parse(text)
    except HoursError:
        return None


def _lines_for_main_hours(text: str) -> list[str]:
    """The lines of ``text`` that state the regular opening hours: a block under a label such
    as "Emergency hours", "After hours" or "By appointment" (up to the next hours label) and a
    line that names such a service itself are left out, so they never mix with office hours."""
    out: list[str] = []
    other = False
    for raw in text.splitlines():
        kept = []
        for part in _SEGMENT.split(_CELL_DASH.sub(" - ", raw)):
            label = len(part) <= 60 and _RANGE_RE.search(part) is None
            if _OTHER_HOURS.search(part):
                other = other or label
                continue
            if label and _MAIN_LABEL.search(part):
                other = False
            if not other:
                kept.append(part)
        out.append(" | ".join(kept))
    return out


def hours_from_text(text: str) -> WeeklyHours | None:
    """Hours written in prose or a table, e.g. "Mon–Fri 8am–5pm, Sat 9am–noon"; table cells
    ("Monday | 8:00am | - | 5:00pm"), "daily", "noon" and "closed" included."""
    entries: list[tuple[list[str], str | None]] = []
    for m in _ENTRY.finditer("\n".join(_lines_for_main_hours(text))):
        days = _days(m.group(1))
        if not days:
            continue
        if m.group(3):
            entries.append((days, None))
            continue
        for r in _RANGE_RE.finditer(m.group(2)):
            span = _span(r.group(1), r.group(2))
            if span:
                entries.append((days, span))
    return _build(entries)


def hours_from_schema_text(values: str | list[str]) -> WeeklyHours | None:
    """schema.org ``openingHours``: "Mo-Fr 08:00-17:00" or a list of such strings."""
    items = [values] if isinstance(values, str) else [v for v in values if isinstance(v, str)]
    entries: list[tuple[list[str], str | None]] = []
    for item in items:
        for part in re.split(r"[;\n]", item):
            m = re.match(r"\s*([A-Za-z,\s\-–]+?)\s+(\d.*)$", part)
            if not m:
                continue
            days = _days(m.group(1))
            for rng in m.group(2).split(","):
                ends = re.split(r"\s*[-–]\s*", rng.strip())
                if len(ends) == 2:
                    span = _span(ends[0], ends[1])
                    if span:
                        entries.append((days, span))
    return _build(entries)


def hours_from_schema_spec(specs: Any) -> WeeklyHours | None:
    """schema.org ``openingHoursSpecification`` (one object or a list)."""
    items = specs if isinstance(specs, list) else [specs]
    entries: list[tuple[list[str], str | None]] = []
    for spec in items:
        if not isinstance(spec, dict):
            continue
        raw_days = spec.get("dayOfWeek") or []
        raw_days = raw_days if isinstance(raw_days, list) else [raw_days]
        days = []
        for d in raw_days:
            name = str(d.get("@id", "") if isinstance(d, dict) else d).rstrip("/")
            mapped = _DAY_NAMES.get(name.rsplit("/", 1)[-1].lower())
            if mapped:
                days.append(mapped)
        opens, closes = str(spec.get("opens") or ""), str(spec.get("closes") or "")
        if not days or not opens or not closes:
            continue
        opens, closes = opens[:5], closes[:5]
        if closes in ("00:00", "23:59"):
            closes = "24:00"
        span = _span(opens, closes)
        entries.append((days, span))
    return _build(entries)
