"""What callers say about time ("next Tuesday after 3", "tomorrow morning", "the 14th") as a range
in the business's time zone, relative to an injectable ``now``. Pure, no I/O.

Rules (the agent reads the date back to the caller, so a plain, predictable rule beats guessing):

* "Tuesday" and "next Tuesday" are the first Tuesday after today; "this Tuesday" may be today.
* "the 14th" is the next 14th from today (this month, else next month); "March 3" without a year
  is the next March 3.
* Hours without am/pm: 1–6 are afternoon, 7–11 morning, 12 noon, unless "morning"/"evening" says.
* No day but a time already past today ("at 2" said at 4 pm) means tomorrow.
* "after 3" = starts from 3 pm to the end of the day; "before 11" = starts before 11 am;
  "morning" = before noon; "afternoon" = noon–5 pm; "evening" = from 5 pm.
* Nothing about days ("as soon as possible", "after 3") searches from now for ``default_days``.

``dateparser`` is the fallback for the date forms not handled here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from calendar_sync.availability import DailyWindow, zone
from calendar_sync.errors import WhenNotUnderstood
from receptionist.core import MONTH_WORDS, NUMBER_WORDS, ORDINAL_WORDS, WEEKDAY_WORDS

__all__ = ["TimeRange", "date_range", "parse_when"]

_WEEKDAYS = WEEKDAY_WORDS
_MONTHS = MONTH_WORDS
_ORDINALS = ORDINAL_WORDS
# Bare clock hours a caller says in words ("at three"); "a"/"an" as in "in an hour".
_NUMBERS = {word: n for word, n in NUMBER_WORDS.items() if 1 <= n <= 12} | {"a": 1, "an": 1}

# Part of day -> (window start, window end or None for end of day, am/pm for bare hours).
_DAYPARTS: dict[str, tuple[time, time | None, str | None]] = {
    "first thing": (time(0), time(10), "am"),
    "early morning": (time(0), time(10), "am"),
    "morning": (time(0), time(12), "am"),
    "lunchtime": (time(11, 30), time(13, 30), None),
    "lunch": (time(11, 30), time(13, 30), None),
    "midday": (time(11), time(14), None),
    "afternoon": (time(12), time(17), "pm"),
    "late afternoon": (time(15), time(17), "pm"),
    "end of the day": (time(15), None, "pm"),
    "evening": (time(17), None, "pm"),
    "tonight": (time(17), None, "pm"),
}
_ANYTIME = re.compile(r"\b(asap|as soon as possible|soonest|earliest|any ?time|whenever|"
                      r"first available|next available|soon)\b")

_T = r"(\d{1,2})(?::(\d{2}))?\s*(am|pm)?"


@dataclass(frozen=True, slots=True)
class TimeRange:
    """Where to look for slots: ``[start, end)``, optionally only starts inside ``daily`` each
    day, and the exact ``preferred`` time when the caller named one."""

    start: datetime
    end: datetime
    daily: DailyWindow | None = None
    preferred: datetime | None = None
    text: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "start": self.start.isoformat(), "end": self.end.isoformat(),
            "daily": None if self.daily is None else {
                "from": self.daily.start.isoformat("minutes"),
                "to": self.daily.end.isoformat("minutes") if self.daily.end else None},
            "preferred": self.preferred.isoformat() if self.preferred else None,
            "text": self.text,
        }


def date_range(first: date, last: date, tz: ZoneInfo | str) -> TimeRange:
    """Whole local days ``first``..``last`` (inclusive), as the CLI's ``--from/--to`` mean."""
    tzinfo = zone(tz) if isinstance(tz, str) else tz
    if last < first:
        raise ValueError("--to is before --from")
    return TimeRange(datetime.combine(first, time(0), tzinfo),
                     datetime.combine(last + timedelta(days=1), time(0), tzinfo),
                     text=f"{first.isoformat()}..{last.isoformat()}")


def parse_when(text: str, *, now: datetime, tz: ZoneInfo | str,
               default_days: int = 7) -> TimeRange:
    """Read ``text`` as a time range in ``tz``; raises :class:`WhenNotUnderstood`."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    tzinfo = zone(tz) if isinstance(tz, str) else tz
    local_now = now.astimezone(tzinfo)
    today = local_now.date()
    s = _normalise(text)
    days, s = _extract_days(s, today)
    window, preferred_time, s = _extract_times(s)
    anytime = bool(_ANYTIME.search(s))
    if days is None and window is None and preferred_time is None and not anytime:
        fallback = _dateparser_day(text, local_now)
        if fallback is None:
            raise WhenNotUnderstood(f"I couldn't tell which day or time {text!r} means")
        days = (fallback, fallback)

    if days is None:
        first = today
        last = today + timedelta(days=default_days - 1)
        if preferred_time is not None:
            at = datetime.combine(today, preferred_time, tzinfo)
            if at <= local_now:
                first = today + timedelta(days=1)
            last = first
        elif window is not None and window.end is not None \
                and datetime.combine(today, window.end, tzinfo) <= local_now:
            first = today + timedelta(days=1)
            last = first + timedelta(days=default_days - 1)
    else:
        first, last = days
    start = max(datetime.combine(first, time(0), tzinfo), local_now)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo)
    preferred = None
    if preferred_time is not None:
        preferred = datetime.combine(first, preferred_time, tzinfo)
    if end <= start:
        raise WhenNotUnderstood(f"{text!r} is in the past")
    return TimeRange(start, end, window, preferred, text.strip())


def _normalise(text: str) -> str:
    s = " " + text.lower().strip() + " "
    s = re.sub(r"\ba\.?\s?m\.?(?=\W)", "am", s)
    s = re.sub(r"\bp\.?\s?m\.?(?=\W)", "pm", s)
    s = s.replace("o'clock", "").replace("o clock", "").replace("’", "'")
    s = re.sub(r"[,!?;]", " ", s)
    s = re.sub(r"(?<=\w)-(?=[a-z])", " ", s)  # twenty-first -> twenty first
    s = re.sub(r"\bnoon\b", "12pm", s)
    s = re.sub(r"\bmidnight\b", "11:59pm", s)
    s = re.sub(r"\bhalf past (\w+)", lambda m: f"{_num(m.group(1))}:30", s)
    s = re.sub(r"\bquarter past (\w+)", lambda m: f"{_num(m.group(1))}:15", s)
    s = re.sub(r"\bquarter (?:to|til|till) (\w+)",
               lambda m: f"{(int(_num(m.group(1))) - 2) % 12 + 1}:45"
               if _num(m.group(1)).isascii() and _num(m.group(1)).isdigit() else m.group(0), s)
    words = "|".join(k for k in _NUMBERS if len(k) > 2)
    s = re.sub(rf"\b({words})( thirty| fifteen| forty five| o five)?\b(?! (?:days?|weeks?))",
               lambda m: _clock_digits(m.group(1), m.group(2)), s)
    return re.sub(r"\s+", " ", s)


def _num(word: str) -> str:
    return str(_NUMBERS.get(word, word))


def _clock_digits(hour: str, minutes: str | None) -> str:
    mm = {None: "", " thirty": ":30", " fifteen": ":15", " forty five": ":45", " o five": ":05"}
    return f"{_NUMBERS[hour]}{mm[minutes]}"


def _extract_days(s: str, today: date) -> tuple[tuple[date, date] | None, str]:
    found: list[date] = []

    def take(pattern: str, fn: object) -> None:
        nonlocal s
        rx = re.compile(pattern)
        while (m := rx.search(s)) is not None:
            got = fn(m)  # type: ignore[operator]
            if got is None:
                break
            found.extend(got)
            s = s[:m.start()] + " " + s[m.end():]

    take(r"\b(\d{4})-(\d{2})-(\d{2})\b",
         lambda m: [date(int(m.group(1)), int(m.group(2)), int(m.group(3)))])
    take(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?\b", lambda m: _md(today, m))
    month_names = "|".join(sorted(_MONTHS, key=len, reverse=True))
    ordinal_words = "|".join(sorted(_ORDINALS, key=len, reverse=True))
    day_num = rf"\d{{1,2}}(?:st|nd|rd|th)?|{ordinal_words}"
    strict_day = rf"\d{{1,2}}(?:st|nd|rd|th)|{ordinal_words}"
    take(rf"\b({month_names})\.? (?:the )?({day_num})\b",
         lambda m: _month_day(today, _MONTHS[m.group(1)], m.group(2)))
    take(rf"\b(?:the )?({day_num}) (?:of )?({month_names})\b",
         lambda m: _month_day(today, _MONTHS[m.group(2)], m.group(1)))
    take(rf"\b(?:on )?the ({strict_day})\b(?! thing| available| one| time)",
         lambda m: _day_of_month(today, m.group(1)))
    take(r"\b(\d{1,2})(?:st|nd|rd|th)\b", lambda m: _day_of_month(today, m.group(1)))
    take(r"\b(?:the )?day after tomorrow\b", lambda m: [today + timedelta(days=2)])
    take(r"\btomorrow\b", lambda m: [today + timedelta(days=1)])
    take(r"\btoday\b|\bthis (?=morning|afternoon|evening)", lambda m: [today])
    if re.search(r"\btonight\b", s):
        found.append(today)
    take(r"\bnext month\b", lambda m: _month_span(today, 1))
    take(r"\b(?:this|later this) month\b", lambda m: _month_span(today, 0))
    take(r"\b(?:in|within) (\d+|\w+) (day|week)s?\b", lambda m: _in_n(today, m))
    take(r"\bnext week\b", lambda m: [today + timedelta(days=7 - today.weekday()),
                                      today + timedelta(days=13 - today.weekday())])
    take(r"\bthis week\b", lambda m: [today, today + timedelta(days=6 - today.weekday())])
    take(r"\b(?:this |next |the )?weekend\b", lambda m: _weekend(today, m.group(0)))
    weekday_names = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
    specific = bool(found)  # "Saturday the 17th": the date wins over the weekday
    take(rf"\b(this |next |coming |on )?({weekday_names})s?\b",
         lambda m: [] if specific else
         [_weekday(today, _WEEKDAYS[m.group(2)], (m.group(1) or "").strip())])
    if not found:
        return None, s
    return (min(found), max(found)), s


def _month_span(today: date, months_ahead: int) -> list[date]:
    year, month = today.year, today.month + months_ahead
    if month == 13:
        year, month = year + 1, 1
    first = max(date(year, month, 1), today)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return [first, following - timedelta(days=1)]


def _md(today: date, m: re.Match[str]) -> list[date] | None:
    month, day = int(m.group(1)), int(m.group(2))
    year = m.group(3)
    try:
        if year:
            y = int(year)
            return [date(y + 2000 if y < 100 else y, month, day)]
        return [_next_month_day(today, month, day)]
    except ValueError:
        return None


def _ordinal(text: str) -> int:
    digits = re.match(r"\d+", text)
    return int(digits.group(0)) if digits else _ORDINALS[text]


def _month_day(today: date, month: int, day_text: str) -> list[date] | None:
    try:
        return [_next_month_day(today, month, _ordinal(day_text))]
    except ValueError:
        return None


def _next_month_day(today: date, month: int, day: int) -> date:
    candidate = date(today.year, month, day)
    return candidate if candidate >= today else date(today.year + 1, month, day)


def _day_of_month(today: date, day_text: str) -> list[date] | None:
    day = _ordinal(day_text)
    if not 1 <= day <= 31:
        return None
    year, month = today.year, today.month
    for _ in range(13):
        try:
            candidate = date(year, month, day)
        except ValueError:
            candidate = None
        if candidate is not None and candidate >= today:
            return [candidate]
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return None


def _in_n(today: date, m: re.Match[str]) -> list[date] | None:
    n_text = m.group(1)
    n = int(n_text) if n_text.isascii() and n_text.isdigit() else _NUMBERS.get(n_text)
    if n is None or n > 999:  # "in 99999999999 days" is past any calendar (and datetime's range)
        return None
    target = today + (timedelta(weeks=n) if m.group(2) == "week" else timedelta(days=n))
    return [target]


def _weekend(today: date, phrase: str) -> list[date]:
    saturday = today + timedelta(days=(5 - today.weekday()) % 7)
    if today.weekday() == 6:  # Sunday: "this weekend" is today
        saturday = today if "next" not in phrase else today + timedelta(days=6)
    elif "next" in phrase and today.weekday() >= 5:
        saturday += timedelta(days=7)
    return [saturday, saturday + timedelta(days=1) if saturday.weekday() == 5 else saturday]


def _weekday(today: date, weekday: int, qualifier: str) -> date:
    ahead = (weekday - today.weekday()) % 7
    if ahead == 0 and qualifier != "this":
        ahead = 7
    return today + timedelta(days=ahead)


def _extract_times(s: str) -> tuple[DailyWindow | None, time | None, str]:
    part: tuple[time, time | None] | None = None
    hint: str | None = None
    for name in sorted(_DAYPARTS, key=len, reverse=True):
        if re.search(rf"\b{name}s?\b", s):
            a, b, hint = _DAYPARTS[name]
            part = (a, b)
            s = re.sub(rf"\b{name}s?\b", " ", s)
            break
    if (m := re.search(rf"\b(?:between|from) {_T} (?:and|to|until|till|-) {_T}", s)) or \
            (m := re.search(rf"\b{_T}\s*(?:-|to|until|till)\s*{_T}\b", s)):
        until = _clock(m.group(4), m.group(5), m.group(6) or hint)
        since = _clock(m.group(1), m.group(2),
                       m.group(3) or (m.group(6) if _fits(m) else hint))
        if since is not None and until is not None and since < until:
            return DailyWindow(since, until), None, s[:m.start()] + " " + s[m.end():]
    if m := re.search(rf"\b(?:after|from|later than|past|any ?time after) {_T}\b", s):
        since = _clock(m.group(1), m.group(2), m.group(3) or hint)
        if since is not None:
            end = part[1] if part and part[1] and part[1] > since else None
            return DailyWindow(since, end), None, s[:m.start()] + " " + s[m.end():]
    if m := re.search(rf"\b(?:before|by|earlier than|no later than|until) {_T}\b", s):
        b = _clock(m.group(1), m.group(2), m.group(3) or hint)
        if b is not None:
            start = part[0] if part and part[0] < b else time(0)
            return DailyWindow(start, b), None, s[:m.start()] + " " + s[m.end():]
    if (m := re.search(rf"\b(?:at|around|about|for) {_T}\b(?! (?:days?|weeks?|people|hours?))",
                       s)) or \
            (m := re.search(r"\b(\d{1,2})(?::(\d{2}))?\s*(am|pm)\b", s)) or \
            (m := re.search(r"\b(\d{1,2}):(\d{2})()\b", s)):
        at = _clock(m.group(1), m.group(2), m.group(3) or hint)
        if at is not None:
            return None, at, s[:m.start()] + " " + s[m.end():]
    if part is not None:
        return DailyWindow(*part), None, s
    return None, None, s


def _fits(m: re.Match[str]) -> bool:
    """In "2 to 4pm" the first hour shares the second's am/pm when that keeps it earlier."""
    return m.group(6) is not None and int(m.group(1)) <= int(m.group(4)) and int(m.group(1)) != 12


def _clock(hour_text: str, minute_text: str | None, meridiem: str | None) -> time | None:
    hour, minute = int(hour_text), int(minute_text or 0)
    if minute > 59 or hour > 23:
        return None
    if meridiem == "am":
        hour = 0 if hour == 12 else hour
    elif meridiem == "pm":
        hour = hour if hour == 12 or hour > 12 else hour + 12
    elif 1 <= hour <= 6:
        hour += 12
    if hour > 23:
        return None
    return time(hour, minute)


def _dateparser_day(text: str, local_now: datetime) -> date | None:
    import dateparser  # slow to import; only this rare path needs it

    parsed = dateparser.parse(text, languages=["en"], settings={
        "RELATIVE_BASE": local_now.replace(tzinfo=None), "PREFER_DATES_FROM": "future",
        "RETURN_AS_TIMEZONE_AWARE": False})
    return parsed.date() if parsed is not None else None
