"""Busy time from iCalendar objects (what a CalDAV calendar-query returns). Pure, no I/O.

Most objects are one plain event; those are read by a small line reader (``_read_simple``),
about twenty times faster than building the full ``icalendar`` tree. Anything else - recurrence,
overrides, several events, a VTIMEZONE that is not an IANA zone, a value it does not expect -
goes through ``icalendar`` and ``recurring-ical-events``. A property test checks that both paths
agree on plain events.

What counts as busy: every VEVENT occurrence overlapping the window, except
``TRANSP:TRANSPARENT`` (shown as free) and ``STATUS:CANCELLED``. Recurring events are expanded
with ``recurring-ical-events`` (RRULE, RDATE, EXDATE, and RECURRENCE-ID overrides, including
overrides that move an instance or cancel it). All-day events and floating times are read in
the business's time zone; events in other time zones keep their own.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from calendar_sync.availability import Busy
from receptionist.core import time_zone

__all__ = ["BOOKING_MARKER", "busy_from_ical", "busy_from_vevent"]

# Set on every event this product writes; the conflict tie-break after a write reads it.
BOOKING_MARKER = "X-RECEPTIONIST-BOOKING"
_RECURRING = ("RRULE", "RDATE")
log = logging.getLogger("calendar_sync.busy")


def busy_from_ical(texts: Iterable[str], start: datetime, end: datetime,
                   tz: ZoneInfo) -> list[Busy]:
    """Busy intervals overlapping ``[start, end)`` from VCALENDAR texts; unparseable objects are
    skipped (one bad event must not hide a whole calendar's availability)."""
    out: list[Busy] = []
    for text in texts:
        try:
            out.extend(_busy_of(text, start, end, tz))
        except Exception as exc:  # third-party parsing of a server's data
            # A date no calendar has (month 13), a duration past year 9999, an event with no
            # start, a property given twice where one is expected: icalendar and the
            # recurrence expander fail on such objects with ValueError, KeyError, TypeError,
            # AttributeError… The object is skipped, not the calendar.
            log.debug("skipping an unreadable calendar object: %r", exc)
    return out


def _busy_of(text: str, start: datetime, end: datetime, tz: ZoneInfo) -> list[Busy]:
    out: list[Busy] = []
    simple = _read_simple(text, tz)
    if isinstance(simple, Busy):
        if simple.start < end and simple.end > start:
            out.append(simple)
        return out
    if simple is None:  # a plain event that blocks no time
        return out
    try:
        cal = icalendar.Calendar.from_ical(text)
    except ValueError:
        return out
    events = list(cal.walk("VEVENT"))
    if not events:
        return out
    if len(events) == 1 and not any(p in events[0] for p in _RECURRING):
        busy = busy_from_vevent(events[0], tz)
        if busy is not None and busy.start < end and busy.end > start:
            out.append(busy)
        return out
    for occurrence in recurring_ical_events.of(cal, components=["VEVENT"]).between(start, end):
        busy = busy_from_vevent(occurrence, tz)
        if busy is not None and busy.start < end and busy.end > start:
            out.append(busy)
    return out


def busy_from_vevent(event: Any, tz: ZoneInfo) -> Busy | None:
    """One event (or expanded occurrence) as busy time, or None when it does not block time."""
    if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
        return None
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return None
    if "DTSTART" not in event:
        return None
    raw_start = event["DTSTART"].dt
    start = _as_aware(raw_start, tz)
    if "DTEND" in event:
        end = _as_aware(event["DTEND"].dt, tz)
    elif "DURATION" in event:
        end = start + event["DURATION"].dt
    elif isinstance(raw_start, datetime):
        return None  # RFC 5545: a date-time DTSTART alone is an instant, which blocks nothing
    else:
        end = start + timedelta(days=1)
    if end <= start:
        return None
    uid = str(event["UID"]) if "UID" in event else None
    return Busy(start.astimezone(UTC), end.astimezone(UTC), uid, BOOKING_MARKER in event)


def _as_aware(value: date | datetime, tz: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=tz)
    return datetime(value.year, value.month, value.day, tzinfo=tz)


# -- the fast path for plain events ----------------------------------------------------------

_COMPLEX = object()  # "not a plain event: use icalendar"
_UNFOLD = re.compile(r"\r?\n[ \t]")
_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DATETIME = re.compile(r"^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z?)$")
_DURATION = re.compile(r"^([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
_RECURRENCE = {"RRULE", "RDATE", "EXDATE", "RECURRENCE-ID", "EXRULE"}


def _read_simple(text: str, tz: ZoneInfo) -> Busy | object | None:
    """The busy time of an object holding one plain VEVENT (None: it blocks nothing), or
    ``_COMPLEX`` when the full parser is needed."""
    lines = _UNFOLD.sub("", text).splitlines()
    props: dict[str, tuple[dict[str, str], str]] = {}
    depth: list[str] = []
    events = 0
    zones: list[str] = []
    for line in lines:
        if not line:
            continue
        name, params, value = _content_line(line)
        if name is None:
            return _COMPLEX
        if name == "BEGIN":
            depth.append(value.upper())
            events += value.upper() == "VEVENT"
            continue
        if name == "END":
            if not depth:
                return _COMPLEX
            depth.pop()
            continue
        if depth and depth[-1] == "VTIMEZONE" and name == "TZID":
            zones.append(value)
        if depth[-1:] != ["VEVENT"]:
            continue
        if name in _RECURRENCE:
            return _COMPLEX
        props[name] = (params, value)
    if events != 1 or depth:
        return _COMPLEX
    # a VTIMEZONE icalendar would also map to the IANA zone
    if any(time_zone(zone_name) is None for zone_name in zones):
        return _COMPLEX
    if props.get("TRANSP", ({}, ""))[1].upper() == "TRANSPARENT":
        return None
    if props.get("STATUS", ({}, ""))[1].upper() == "CANCELLED":
        return None
    if "DTSTART" not in props:
        return None
    start = _moment(*props["DTSTART"], tz)
    if start is _COMPLEX:
        return _COMPLEX
    assert isinstance(start, tuple)
    begin, is_date = start
    if "DTEND" in props:
        end_value = _moment(*props["DTEND"], tz)
        if end_value is _COMPLEX:
            return _COMPLEX
        assert isinstance(end_value, tuple)
        finish = end_value[0]
    elif "DURATION" in props:
        delta = _duration(props["DURATION"][1])
        if delta is None:
            return _COMPLEX
        finish = begin + delta
    elif not is_date:
        return None
    else:
        finish = begin + timedelta(days=1)
    if finish <= begin:
        return None
    uid = _unescape(props["UID"][1]) if "UID" in props else None
    return Busy(begin.astimezone(UTC), finish.astimezone(UTC), uid, BOOKING_MARKER in props)


def _content_line(line: str) -> tuple[str | None, dict[str, str], str]:
    """``NAME;P=V;Q="W":value`` -> (NAME, params, value); (None, …) when it is not simple."""
    head, sep, value = line.partition(":")
    if not sep:
        return None, {}, ""
    if '"' in head:  # a quoted parameter may hold ':' or ';': re-split with quotes in mind
        match = re.match(r'^([^;:]+)((?:;[^=;:]+=(?:"[^"]*"|[^;:"]*))*):(.*)$', line)
        if match is None:
            return None, {}, ""
        head, value = match.group(1) + match.group(2), match.group(3)
    parts = re.findall(r'(?:^|;)([^;=]+)(?:=("[^"]*"|[^;]*))?', head)
    if not parts:
        return None, {}, ""
    name = parts[0][0].upper()
    params = {k.upper(): v.strip('"') for k, v in parts[1:]}
    return name, params, value


def _moment(params: dict[str, str], value: str, tz: ZoneInfo
            ) -> tuple[datetime, bool] | object:
    value = value.strip()
    if params.get("VALUE", "").upper() == "DATE" or _DATE.match(value):
        m = _DATE.match(value)
        if m is None:
            return _COMPLEX
        return datetime(int(m[1]), int(m[2]), int(m[3]), tzinfo=tz), True
    m = _DATETIME.match(value)
    if m is None:
        return _COMPLEX
    naive = datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6]))
    if m[7]:
        return naive.replace(tzinfo=UTC), False
    if "TZID" in params:
        zone = time_zone(params["TZID"])
        return (_COMPLEX if zone is None else (naive.replace(tzinfo=zone), False))
    return naive.replace(tzinfo=tz), False


def _duration(value: str) -> timedelta | None:
    m = _DURATION.match(value.strip())
    if m is None or not any(m.groups()[1:]):
        return None
    weeks, days, hours, minutes, seconds = (int(g or 0) for g in m.groups()[1:])
    delta = timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
    return -delta if m[1] == "-" else delta


def _unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])",
                  lambda m: "\n" if m[1] in "nN" else m[1], value)
