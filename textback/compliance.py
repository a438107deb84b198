"""What the texts themselves must do (US messaging rules): the STOP notice on a first text,
quiet hours in the caller's own time, and the one confirmation after an opt-out.

Pure rules; the decision and the outbox apply them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import phonenumbers
from phonenumbers import timezone as number_timezones

from receptionist.core import time_zone

__all__ = [
    "STOP_NOTICE",
    "QuietHours",
    "QuietHoursError",
    "caller_timezone",
    "first_text",
    "opt_out_confirmation",
    "quiet_hours_hold",
    "with_stop_notice",
]

STOP_NOTICE = "Reply STOP to opt out."
_MENTIONS_STOP = re.compile(r"\bstop\b", re.IGNORECASE)
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def with_stop_notice(body: str) -> str:
    """``body`` with "Reply STOP to opt out." added, unless it already says how to stop."""
    if _MENTIONS_STOP.search(body):
        return body
    body = body.rstrip()
    joiner = " " if body.endswith((".", "!", "?")) else ". " if body else ""
    return f"{body}{joiner}{STOP_NOTICE}"


def first_text(body: str, *, notice_on: bool, noticed: bool) -> tuple[str, bool]:
    """The body to send and whether it tells the caller how to stop: the first text to a
    caller (``noticed`` False) gets the STOP notice when the business has it on."""
    if notice_on and not noticed:
        body = with_stop_notice(body)
    return body, bool(_MENTIONS_STOP.search(body))


def opt_out_confirmation(business_name: str) -> str:
    """The one text a caller gets after opting out (and nothing after it)."""
    return (f"{business_name}: you are unsubscribed and will get no more texts from this "
            "number. Reply START to resubscribe.")


class QuietHoursError(ValueError):
    """A quiet-hours range that cannot be read."""


@dataclass(frozen=True)
class QuietHours:
    """A daily range in local time when text-backs wait, e.g. 21:00-08:00 (may wrap midnight)."""

    start: time
    end: time

    @classmethod
    @lru_cache(maxsize=256)  # read on every missed call of a business that has them
    def parse(cls, text: str) -> QuietHours:
        m = _RANGE.match(text)
        if m is None:
            raise QuietHoursError(f"quiet hours {text!r}: use HH:MM-HH:MM, e.g. 21:00-08:00")
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        try:
            start, end = time(h1, m1), time(h2, m2)
        except ValueError as exc:
            raise QuietHoursError(f"quiet hours {text!r}: {exc}") from exc
        if start == end:
            raise QuietHoursError(f"quiet hours {text!r}: start and end are the same")
        return cls(start, end)

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    def _quiet(self, local: time) -> bool:
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def held_until(self, now: datetime, tz: str) -> datetime | None:
        """When a text due at ``now`` may go out in zone ``tz``: ``None`` outside quiet hours,
        else the end of this quiet period (in ``now``'s zone, DST-aware)."""
        zone = ZoneInfo(tz)
        local = now.astimezone(zone)
        if not self._quiet(local.timetz().replace(tzinfo=None)):
            return None
        day = local.date()
        if self.start > self.end and local.time() >= self.start:
            day += timedelta(days=1)  # the quiet period wrapped past midnight: ends tomorrow
        end = datetime.combine(day, self.end, tzinfo=zone)
        # A wall-clock end that does not exist (a DST gap) resolves forward by zoneinfo's rule.
        return end.astimezone(now.tzinfo)


def caller_timezone(number: str, fallback: str) -> str:
    """The caller's time zone from the number's country and region (phonenumbers' data): the
    one zone it names, else ``fallback`` (the business's) when it names several or none."""
    try:
        zones = number_timezones.time_zones_for_number(phonenumbers.parse(number))
    except phonenumbers.NumberParseException:
        return fallback
    if fallback in zones:
        return fallback
    if len(zones) == 1:
        return str(zones[0]) if time_zone(zones[0]) is not None else fallback
    return fallback


def quiet_hours_hold(quiet_hours: str | None, *, caller: str, business_tz: str,
                     now: datetime) -> datetime | None:
    """Until when a text-back to ``caller`` waits for the business's quiet hours (in the
    caller's local time), or ``None``: no quiet hours set, or outside them."""
    if not quiet_hours:
        return None
    return QuietHours.parse(quiet_hours).held_until(now, caller_timezone(caller, business_tz))
