"""The availability engine: free slots for a service, a check of one start time, and the nearest
alternatives when a caller's time is taken. Pure and fast: no I/O, no SDKs.

Times go in and out timezone-aware; inside, everything is POSIX seconds, so DST never bends the
arithmetic. Opening hours are local wall-clock times turned into absolute intervals day by day
in the business's zone, so a 23- or 25-hour day is handled by ``zoneinfo``, not by us.

A slot ``[start, start + duration)`` is offered when

* it lies inside one opening interval of a day that is not a closed date,
* ``start >= now + notice`` and ``start < now + horizon``,
* ``start`` is on the grid (``granularity`` steps from the opening time),
* on at least one of the given calendars, ``[start - buffer_before, end + buffer_after)``
  overlaps no busy time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

from receptionist.core import WeeklyHours

__all__ = [
    "DEFAULT_HOURS",
    "BookingPolicy",
    "Busy",
    "DailyWindow",
    "Schedule",
    "ServiceRule",
    "Slot",
    "SlotCheck",
    "Unavailable",
    "check_slot",
    "free_slots",
    "merge_busy",
    "nearest_alternatives",
    "shift",
]

# Used for booking when the owner has not set hours yet (the kernel treats "no hours" as
# "always open" for call routing, which would offer 3 a.m. appointments).
DEFAULT_HOURS = WeeklyHours.parse("Mon-Fri 09:00-17:00")


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@dataclass(frozen=True, slots=True)
class ServiceRule:
    name: str
    duration: timedelta
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)
    # Names of the calendars (staff, rooms) that can do it; empty means any.
    calendars: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.duration <= timedelta(0):
            raise ValueError("a service lasts at least one minute")
        if self.buffer_before < timedelta(0) or self.buffer_after < timedelta(0):
            raise ValueError("buffers cannot be negative")


@dataclass(frozen=True, slots=True)
class BookingPolicy:
    notice: timedelta = timedelta(hours=1)
    horizon: timedelta = timedelta(days=60)
    granularity: timedelta = timedelta(minutes=15)

    def __post_init__(self) -> None:
        if self.granularity < timedelta(minutes=1):
            raise ValueError("slot granularity is at least one minute")
        if self.notice < timedelta(0) or self.horizon <= timedelta(0):
            raise ValueError("notice cannot be negative and the horizon must be positive")


@dataclass(frozen=True, slots=True)
class Schedule:
    """When the business takes appointments: weekly hours (with breaks) and closed dates."""

    timezone: str
    hours: WeeklyHours = DEFAULT_HOURS
    closed: frozenset[date] = frozenset()

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.timezone)

    def open_intervals(self, start: datetime, end: datetime) -> list[tuple[int, int]]:
        """Opening intervals (POSIX-second pairs, in order) of every local day that overlaps
        ``[start, end)``. Not clipped to the range: slot grids start at the opening time.
        Intervals of one day that overlap are merged; days are never joined across midnight."""
        tz = self.tz
        day = start.astimezone(tz).date()
        last = end.astimezone(tz).date()
        out: list[tuple[int, int]] = []
        while day <= last:
            if day not in self.closed:
                today: list[tuple[int, int]] = []
                for a, b in self.hours.days[day.weekday()]:
                    s = _local_ts(day, a, tz)
                    e = _local_ts(day + timedelta(days=1), time(0), tz) if b == _END_OF_DAY \
                        else _local_ts(day, b, tz)
                    if s >= e:
                        continue
                    if today and s <= today[-1][1]:
                        today[-1] = (today[-1][0], max(today[-1][1], e))
                    else:
                        today.append((s, e))
                out.extend(today)
            day += timedelta(days=1)
        return out


_END_OF_DAY = time(23, 59, 59)  # how WeeklyHours stores "24:00"


def _local_ts(day: date, at: time, tz: ZoneInfo) -> int:
    return int(datetime.combine(day, at, tzinfo=tz).timestamp())


@dataclass(frozen=True, slots=True)
class Busy:
    """Busy time on one calendar. ``booking`` marks events this product wrote."""

    start: datetime
    end: datetime
    uid: str | None = None
    booking: bool = False
    # POSIX seconds, computed once: the engine compares these thousands of times.
    start_s: int = field(init=False, repr=False, compare=False)
    end_s: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "start_s", int(self.start.timestamp()))
        object.__setattr__(self, "end_s", int(self.end.timestamp()))


@dataclass(frozen=True, slots=True)
class Slot:
    start: datetime  # in the business's time zone
    end: datetime
    calendars: tuple[str, ...] = field(default=(), compare=False)

    def to_json(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


@dataclass(frozen=True, slots=True)
class DailyWindow:
    """Only starts between these local times each day ("after 3", "mornings")."""

    start: time = time(0)
    end: time | None = None  # None = end of day

    def contains(self, local: datetime) -> bool:
        t = local.time()
        return t >= self.start and (self.end is None or t < self.end)


class Unavailable(StrEnum):
    CLOSED = "closed"            # outside opening hours, or a closed date
    TOO_SOON = "too_soon"        # inside the minimum notice (or in the past)
    TOO_FAR = "too_far"          # beyond the booking horizon
    BUSY = "busy"                # every calendar that can do it is busy


@dataclass(frozen=True, slots=True)
class SlotCheck:
    slot: Slot
    reason: Unavailable | None  # None = bookable

    @property
    def ok(self) -> bool:
        return self.reason is None


def merge_busy(intervals: Iterable[Busy]) -> list[tuple[int, int]]:
    """Sorted, merged POSIX-second pairs; empty and inverted intervals are dropped."""
    pairs = sorted((b.start_s, b.end_s) for b in intervals)
    out: list[tuple[int, int]] = []
    for s, e in pairs:
        if e <= s:
            continue
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def free_slots(
    schedule: Schedule,
    service: ServiceRule,
    policy: BookingPolicy,
    busy: Mapping[str, Sequence[Busy]],
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    daily: DailyWindow | None = None,
) -> list[Slot]:
    """Every bookable start in ``[start, end)``, in order, each with the calendars free for it.

    ``busy`` maps a calendar key to its busy times; pass only calendars that can do the service.
    An empty mapping means "no calendar constraints" (every in-hours slot is free).
    """
    _aware(start, end, now)
    tz = schedule.tz
    dur = int(service.duration.total_seconds())
    before = int(service.buffer_before.total_seconds())
    after = int(service.buffer_after.total_seconds())
    step = int(policy.granularity.total_seconds())
    now_s = int(now.timestamp())
    earliest = max(int(start.timestamp()), now_s + int(policy.notice.total_seconds()))
    latest = min(int(end.timestamp()), now_s + int(policy.horizon.total_seconds()))  # exclusive
    if earliest >= latest:
        return []
    keys = tuple(busy)
    merged = [merge_busy(busy[k]) for k in keys]
    ptr = [0] * len(keys)
    out: list[Slot] = []
    lo, hi = datetime.fromtimestamp(earliest, UTC), datetime.fromtimestamp(latest, UTC)
    for os_, oe in schedule.open_intervals(lo, hi):
        # First grid point at or after ``earliest``; the grid starts at the opening time.
        t = os_ if os_ >= earliest else os_ + -(-(earliest - os_) // step) * step
        while t + dur <= oe and t < latest:
            if daily is not None and not daily.contains(datetime.fromtimestamp(t, tz)):
                t += step
                continue
            ws, we = t - before, t + dur + after
            free: list[str] = []
            for ci, ivs in enumerate(merged):
                i = ptr[ci]
                n = len(ivs)
                while i < n and ivs[i][1] <= ws:
                    i += 1
                ptr[ci] = i
                if i == n or ivs[i][0] >= we:
                    free.append(keys[ci])
            if free or not keys:
                out.append(Slot(datetime.fromtimestamp(t, tz), datetime.fromtimestamp(t + dur, tz),
                                tuple(free)))
            t += step
    return out


def check_slot(
    schedule: Schedule,
    service: ServiceRule,
    policy: BookingPolicy,
    busy: Mapping[str, Sequence[Busy]],
    *,
    start: datetime,
    now: datetime,
    ignore_uids: frozenset[str] = frozenset(),
) -> SlotCheck:
    """Can ``service`` start exactly at ``start``? Off-grid starts are allowed (an owner may book
    10:05 by hand); the reason says why not. ``ignore_uids`` leaves out events being moved."""
    _aware(start, now)
    tz = schedule.tz
    end = shift(start, service.duration)
    slot = Slot(start.astimezone(tz), end.astimezone(tz))
    # Compare instants, not wall clocks: two datetimes sharing a zone compare by wall time.
    s, e, now_s = int(start.timestamp()), int(end.timestamp()), int(now.timestamp())
    if s < now_s + int(policy.notice.total_seconds()):
        return SlotCheck(slot, Unavailable.TOO_SOON)
    if s >= now_s + int(policy.horizon.total_seconds()):
        return SlotCheck(slot, Unavailable.TOO_FAR)
    opening = schedule.open_intervals(start, end)
    if not any(os_ <= s and e <= oe for os_, oe in opening):
        return SlotCheck(slot, Unavailable.CLOSED)
    ws = s - int(service.buffer_before.total_seconds())
    we = e + int(service.buffer_after.total_seconds())
    free = tuple(
        key for key, items in busy.items()
        if not any(b.uid not in ignore_uids and b.start_s < we and b.end_s > ws
                   and b.end_s > b.start_s for b in items)
    )
    if busy and not free:
        return SlotCheck(slot, Unavailable.BUSY)
    return SlotCheck(Slot(slot.start, slot.end, free), None)


def nearest_alternatives(
    slots: Sequence[Slot],
    preferred: datetime,
    *,
    count: int = 3,
    min_gap: timedelta = timedelta(minutes=30),
) -> list[Slot]:
    """Up to ``count`` slots nearest to ``preferred``, at least ``min_gap`` apart (so a caller
    hears "3:30 or 4:15", not three starts a quarter-hour apart), in time order."""
    target = preferred.timestamp()
    gap = min_gap.total_seconds()
    ranked = sorted((s for s in slots if s.start.timestamp() != target),
                    key=lambda s: (abs(s.start.timestamp() - target), s.start.timestamp()))
    chosen: list[Slot] = []
    for s in ranked:
        if all(abs(s.start.timestamp() - c.start.timestamp()) >= gap for c in chosen):
            chosen.append(s)
            if len(chosen) == count:
                break
    return sorted(chosen, key=lambda s: s.start.timestamp())


def shift(moment: datetime, delta: timedelta) -> datetime:
    """``moment + delta`` in real (elapsed) time, kept in ``moment``'s zone. Plain ``+`` on an
    aware datetime adds wall-clock time, which is an hour off across a DST change."""
    return (moment.astimezone(UTC) + delta).astimezone(moment.tzinfo)


def _aware(*moments: datetime) -> None:
    for m in moments:
        if m.tzinfo is None:
            raise ValueError("availability needs timezone-aware datetimes")
