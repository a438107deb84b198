"""Weekly business hours with breaks, and closed dates.

The text form is what owners type and what the CLI prints::

    Mon-Thu 08:00-17:00; Fri 08:00-12:00,13:00-16:00; Sat 09:00-13:00

Days not named are closed. The JSON form (``to_json``) is what the database stores.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from receptionist.core.spoken import WEEKDAY_KEYS, WEEKDAY_SHORT_WORDS, WEEKDAY_WORDS

__all__ = ["DAYS", "HoursError", "WeeklyHours", "parse_closed_dates"]

DAYS = WEEKDAY_KEYS
_DAY_ALIASES = WEEKDAY_WORDS | WEEKDAY_SHORT_WORDS
_TIME = r"(\d{1,2})(?::(\d{2}))?"
_RANGE = re.compile(rf"^{_TIME}\s*[-–]\s*{_TIME}$")


class HoursError(ValueError):
    """Hours text that cannot be understood; the message shows the expected form."""


Interval = tuple[time, time]


@dataclass(frozen=True)
class WeeklyHours:
    """Open intervals per weekday (0 = Monday), in the business's local time."""

    days: tuple[tuple[Interval, ...], ...] = field(default_factory=lambda: ((),) * 7)

    @classmethod
    def parse(cls, text: str) -> WeeklyHours:
        days: list[list[Interval]] = [[] for _ in range(7)]
        for part in filter(None, (p.strip() for p in text.split(";"))):
            m = re.match(r"^([A-Za-z]+(?:\s*[-–]\s*[A-Za-z]+)?(?:\s*,\s*[A-Za-z]+)*)\s+(.+)$", part)
            if not m:
                raise HoursError(f"cannot read {part!r}; expected e.g. 'Mon-Fri 08:00-17:00'")
            weekdays = _parse_days(m.group(1))
            spec = m.group(2).strip().lower()
            if spec == "closed":
                for d in weekdays:
                    days[d] = []
                continue
            intervals = [_parse_interval(s.strip()) for s in spec.split(",")]
            for d in weekdays:
                days[d] = sorted(intervals)
        return cls(tuple(tuple(d) for d in days))

    @classmethod
    def from_json(cls, data: dict[str, list[list[str]]] | None) -> WeeklyHours:
        if not data:
            return cls()
        days = []
        for key in DAYS:
            days.append(tuple((time.fromisoformat(a), time.fromisoformat(b))
                              for a, b in data.get(key, [])))
        return cls(tuple(days))

    def to_json(self) -> dict[str, list[list[str]]]:
        return {
            DAYS[i]: [[a.strftime("%H:%M"), b.strftime("%H:%M")] for a, b in ivs]
            for i, ivs in enumerate(self.days) if ivs
        }

    def to_text(self) -> str:
        """Compact text form, grouping consecutive days with the same hours."""
        groups: list[tuple[int, int, tuple[Interval, ...]]] = []
        for i, ivs in enumerate(self.days):
            if groups and groups[-1][2] == ivs and groups[-1][1] == i - 1:
                groups[-1] = (groups[-1][0], i, ivs)
            else:
                groups.append((i, i, ivs))
        parts = []
        for start, end, ivs in groups:
            if not ivs:
                continue
            name = DAYS[start].title() + ("" if start == end else "-" + DAYS[end].title())
            spans = ",".join(f"{a.strftime('%H:%M')}-{b.strftime('%H:%M')}" for a, b in ivs)
            parts.append(f"{name} {spans}")
        return "; ".join(parts) if parts else "closed"

    @property
    def is_empty(self) -> bool:
        return not any(self.days)

    def is_open(self, local: datetime, closed: frozenset[date] = frozenset()) -> bool:
        """Whether ``local`` (already in the business's zone) falls in an open interval."""
        if local.date() in closed:
            return False
        t = local.time().replace(tzinfo=None)
        return any(a <= t < b for a, b in self.days[local.weekday()])

    def is_open_at(self, moment: datetime, tz: str, closed: frozenset[date] = frozenset()) -> bool:
        return self.is_open(moment.astimezone(ZoneInfo(tz)), closed)


def parse_closed_dates(text: str) -> list[date]:
    """``2026-12-25,2026-12-26`` → dates; an empty string clears them."""
    out = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        try:
            out.append(date.fromisoformat(part))
        except ValueError as exc:
            raise HoursError(f"{part!r} is not a date; use YYYY-MM-DD") from exc
    return sorted(set(out))


def _parse_days(text: str) -> list[int]:
    out: list[int] = []
    for chunk in text.split(","):
        ends = [e.strip().lower() for e in re.split(r"[-–]", chunk)]
        try:
            idx = [_DAY_ALIASES[e] for e in ends]
        except KeyError as exc:
            raise HoursError(f"unknown day {exc.args[0]!r}; use Mon, Tue, … Sun") from exc
        if len(idx) == 1:
            out.append(idx[0])
        else:
            a, b = idx
            out.extend(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    return out


def _parse_interval(text: str) -> Interval:
    m = _RANGE.match(text)
    if not m:
        raise HoursError(f"cannot read {text!r}; expected e.g. 08:00-17:00")
    h1, m1, h2, m2 = m.groups()
    try:
        start = time(int(h1), int(m1 or 0))
        midnight = (int(h2), int(m2 or 0)) == (24, 0)
        end = time(23, 59, 59) if midnight else time(int(h2), int(m2 or 0))
    except ValueError as exc:
        raise HoursError(f"{text!r} is not a valid time range") from exc
    if end <= start:
        raise HoursError(f"{text!r} ends before it starts")
    return (start, end)
