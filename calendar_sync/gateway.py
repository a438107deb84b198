"""Reaching calendars: one backend per account (connections are reused), the embedded server
started on first use, a short busy-time cache, and a lock per calendar.

Busy time is fetched with a day's margin on each side and cut to the window here: a server's
time-range filter is not trusted to the hour (Xandikos 0.4's index, for one, files TZID times
as if they were UTC and drops events from narrow queries - a double booking waiting to happen).

The cache only saves round trips while a caller asks several questions; a booking always
re-reads the server. The locks serialise bookings of one calendar inside this process; across
processes the booking flow's check-after-write decides (see ``booking.py``). Nothing here is
needed for correctness across instances.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from calendar_sync.availability import Busy
from calendar_sync.busy import busy_from_ical
from calendar_sync.caldav_backend import CaldavBackend
from calendar_sync.context import CalendarTarget
from calendar_sync.embedded_radicale import CALENDAR_NAME, EmbeddedRadicale
from calendar_sync.errors import CalendarAuthError
from calendar_sync.ports import CalendarBackend
from receptionist.core import OutboundPolicy

__all__ = ["BackendFactory", "CalendarGateway"]

# How far a server's time-range filter may be off (the largest UTC offsets are +14/-12 h).
QUERY_MARGIN = timedelta(days=1)
# What one cached read covers at least: a caller's questions are usually about the coming week.
PREFETCH = timedelta(days=7)
BackendFactory = Callable[[str, str, str, float], CalendarBackend]


def _caldav_factory(policy: OutboundPolicy | None) -> BackendFactory:
    def build(url: str, username: str, password: str, timeout_s: float) -> CalendarBackend:
        return CaldavBackend(url, username, password, timeout_s=timeout_s, policy=policy)
    return build


@dataclass
class _Cached:
    at: float
    start: datetime
    end: datetime
    busy: list[Busy]


class CalendarGateway:
    def __init__(self, *, timeout_s: float, cache_s: float,
                 embedded: EmbeddedRadicale | None = None,
                 backend_factory: BackendFactory | None = None,
                 policy: OutboundPolicy | None = None) -> None:
        self.timeout_s = timeout_s
        self.cache_s = cache_s
        self.embedded = embedded
        # Accounts an owner connected go through the outbound guard; the embedded server is
        # our own, on loopback by design.
        self.policy = policy or OutboundPolicy()
        self._factory = backend_factory or _caldav_factory(self.policy)
        self._embedded_factory = backend_factory or _caldav_factory(None)
        self._backends: dict[tuple[str, str, str], CalendarBackend] = {}
        self._cache: dict[str, _Cached] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._ready_embedded: set[int] = set()

    # -- addresses ---------------------------------------------------------------------------

    async def url(self, target: CalendarTarget) -> str:
        if target.kind != "embedded":
            return target.href
        embedded = self._embedded()
        await embedded.astart()
        return urljoin(embedded.base_url, target.href)

    async def backend(self, target: CalendarTarget) -> CalendarBackend:
        if target.kind == "embedded":
            embedded = self._embedded()
            await embedded.astart()
            account = embedded.base_url
        else:
            account = target.account_url or target.href
        key = (account, target.username, hashlib.sha256(target.password.encode()).hexdigest())
        backend = self._backends.get(key)
        if backend is None:
            factory = self._embedded_factory if target.kind == "embedded" else self._factory
            backend = factory(account, target.username, target.password, self.timeout_s)
            self._backends[key] = backend
        if target.kind == "embedded" and target.id not in self._ready_embedded:
            await self._prepare_embedded(target, backend)
        return backend

    def direct(self, url: str, username: str, password: str) -> CalendarBackend:
        """A backend outside the pool, for one-off set-up calls; the caller closes it."""
        return self._factory(url, username, password, self.timeout_s)

    async def _prepare_embedded(self, target: CalendarTarget, backend: CalendarBackend) -> None:
        embedded = self._embedded()
        business_id = target.business_id
        await asyncio.to_thread(embedded.ensure_user, business_id)
        url = urljoin(embedded.base_url, target.href)
        try:
            await backend.ensure_calendar(url, CALENDAR_NAME)
        except CalendarAuthError:
            # Another process rewrote the htpasswd file under us (or the secret changed): the
            # user entry is checked again and the request repeated once.
            embedded.forget_users()
            await asyncio.to_thread(embedded.ensure_user, business_id)
            await backend.ensure_calendar(url, CALENDAR_NAME)
        self._ready_embedded.add(target.id)

    def _embedded(self) -> EmbeddedRadicale:
        if self.embedded is None:
            raise RuntimeError("the embedded calendar is disabled")
        return self.embedded

    # -- busy time ---------------------------------------------------------------------------

    async def busy(self, target: CalendarTarget, start: datetime, end: datetime, tz: ZoneInfo,
                   *, fresh: bool = False) -> list[Busy]:
        """Busy intervals overlapping ``[start, end)``; from the cache unless ``fresh``.

        A cached read covers at least ``PREFETCH`` from ``start``, so the next questions of a
        call ("tomorrow?" "and Thursday?") are answered without another round trip. A fresh
        read (a booking's re-check) is narrow, and drops the cached copy instead of replacing it.
        """
        url = await self.url(target)
        cached = self._cache.get(url)
        if (not fresh and cached is not None and cached.start <= start and end <= cached.end
                and time.monotonic() - cached.at < self.cache_s):
            return [b for b in cached.busy if b.start < end and b.end > start]
        until = end if fresh or self.cache_s <= 0 else max(end, start + PREFETCH)
        backend = await self.backend(target)
        stored = await backend.events(url, start - QUERY_MARGIN, until + QUERY_MARGIN)
        busy = await asyncio.to_thread(busy_from_ical, [s.ical for s in stored], start, until,
                                       tz)
        if fresh:
            self._cache.pop(url, None)
        elif self.cache_s > 0:
            self._cache[url] = _Cached(time.monotonic(), start, until, busy)
        return [b for b in busy if b.start < end and b.end > start]

    def invalidate(self, url: str) -> None:
        self._cache.pop(url, None)

    def lock(self, url: str) -> asyncio.Lock:
        lock = self._locks.get(url)
        if lock is None:
            lock = self._locks[url] = asyncio.Lock()
        return lock

    async def aclose(self) -> None:
        backends, self._backends = list(self._backends.values()), {}
        for backend in backends:
            await backend.aclose()
        self._cache.clear()
