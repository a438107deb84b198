"""``CalendarService``: the calendar API the application, the CLI and the voice agent call.

Caller-facing (each call is a few short transactions; CalDAV never runs inside one):

* ``find_slots(business, service, "next Tuesday after 3")`` -> :class:`SlotSearch`
* ``book(business, service, start, caller_name, caller_phone, ...)`` -> :class:`BookingResult`
* ``cancel(business, caller_phone, ...)`` -> :class:`CancelResult`
* ``reschedule(business, caller_phone, new_start, ...)`` -> :class:`BookingResult`
* ``bookings(business, caller_phone)`` -> upcoming :class:`BookingInfo`

``business`` is an id or one of its phone numbers. Times are read in the business's time zone;
"now" comes from the injected clock. Calendar failures surface as ``CalendarError`` from
``find_slots`` and as ``status="requested"`` from the changing calls (recorded, team told).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from calendar_sync.availability import (
    Busy,
    ServiceRule,
    Slot,
    check_slot,
    free_slots,
    nearest_alternatives,
    shift,
)
from calendar_sync.booking import Booker
from calendar_sync.changes import Changes
from calendar_sync.context import (
    BusinessContext,
    CalendarTarget,
    eligible,
    find_service,
    load_business,
    rule_of,
)
from calendar_sync.embedded_radicale import EmbeddedRadicale
from calendar_sync.errors import CalendarError, SetupError
from calendar_sync.gateway import BackendFactory, CalendarGateway
from calendar_sync.messages import spoken_slots
from calendar_sync.ports import BookingNotifier, NullNotifier
from calendar_sync.results import (
    BookingInfo,
    BookingResult,
    CalendarInfo,
    CancelResult,
    ConnectionCheck,
    ServiceInfo,
    SlotSearch,
)
from calendar_sync.settings import CalendarConfig, calendar_config
from calendar_sync.setup import CalendarSetup
from calendar_sync.website_services import (
    AdoptedServices,
    WebsiteService,
    adopt_website_services,
)
from calendar_sync.when import TimeRange, date_range, parse_when
from receptionist.core import (
    Business,
    Clock,
    Database,
    OutboundPolicy,
    SecretBox,
    Settings,
    SystemClock,
    get_business,
    spoken_moment,
)

__all__ = ["CalendarService"]

WIDEN_DAYS = 7


class CalendarService:
    def __init__(self, db: Database, config: CalendarConfig, *, secret_key: bytes,
                 clock: Clock | None = None, notifier: BookingNotifier | None = None,
                 embedded: EmbeddedRadicale | None = None,
                 backend_factory: BackendFactory | None = None,
                 policy: OutboundPolicy | None = None) -> None:
        self.db = db
        self.config = config
        self.clock = clock or SystemClock()
        self.box = SecretBox(secret_key)
        self._owns_embedded = embedded is None and config.embedded
        if embedded is None and config.embedded:
            embedded = EmbeddedRadicale(config.embedded_dir, secret=secret_key,
                                        host=config.embedded_host, port=config.embedded_port,
                                        public_url=config.embedded_public_url or None)
        self.embedded = embedded
        self.gateway = CalendarGateway(timeout_s=config.timeout_s, cache_s=config.busy_cache_s,
                                       embedded=embedded, backend_factory=backend_factory,
                                       policy=policy or OutboundPolicy(
                                           allow_private=config.allow_private))
        self.setup = CalendarSetup(db, self.gateway, self.clock, self.box, config, embedded)
        self.booker = Booker(db, self.gateway, self.clock, notifier or NullNotifier(),
                             self._load, self.box,
                             verify_after_write=config.verify_after_write)
        self.changes = Changes(self.booker)

    @classmethod
    def from_settings(cls, settings: Settings, db: Database, *, clock: Clock | None = None,
                      notifier: BookingNotifier | None = None, **overrides: object
                      ) -> CalendarService:
        """Built by a composition root: kernel settings plus ``RECEPTIONIST_CALENDAR_*``."""
        return cls(db, calendar_config(settings, **overrides),
                   secret_key=settings.secret_key_bytes(), clock=clock, notifier=notifier)

    @property
    def notifier(self) -> BookingNotifier:
        return self.booker.notifier

    @notifier.setter
    def notifier(self, value: BookingNotifier) -> None:
        self.booker.notifier = value

    async def start(self) -> None:
        """Start the embedded server now if configured to (phones sync with it); otherwise it
        starts on first use."""
        if self.embedded is not None and self.config.embedded_autostart:
            await self.embedded.astart()

    async def aclose(self) -> None:
        await self.gateway.aclose()
        if self._owns_embedded and self.embedded is not None:
            await self.embedded.astop()

    async def _load(self, session: AsyncSession, business: int | str
                    ) -> tuple[Business, BusinessContext]:
        biz = await get_business(session, business)
        return biz, await load_business(session, biz, box=self.box, config=self.config,
                                        embedded=self.embedded)

    async def context(self, business: int | str) -> BusinessContext:
        async with self.db.transaction() as session:
            return (await self._load(session, business))[1]

    # -- caller-facing ----------------------------------------------------------------------

    async def when(self, business: int | str, text: str, *, default_days: int = 7) -> TimeRange:
        """Parse what a caller said into a range in the business's zone (no calendar I/O)."""
        ctx = await self.context(business)
        return parse_when(text, now=self.clock.now(), tz=ctx.tz, default_days=default_days)

    async def find_slots(self, business: int | str, service: str,
                         when: str | TimeRange | None = None, *,
                         start: date | datetime | None = None, end: date | datetime | None = None,
                         limit: int | None = None, default_days: int = 7) -> SlotSearch:
        """Free slots for ``service`` in ``when`` (caller's words or a :class:`TimeRange`), or
        between ``start`` and ``end`` (dates are whole local days, ``end`` included)."""
        async with self.db.transaction() as session:
            _, ctx = await self._load(session, business)
            rule = rule_of(await find_service(session, ctx.business_id, service))
        targets = eligible(ctx.targets, rule)
        now = self.clock.now()
        rng = self._range(ctx, when, start, end, default_days)
        busy = await self._busy(ctx, rule, targets, rng.start, rng.end)
        slots = free_slots(ctx.schedule, rule, ctx.policy, busy, start=rng.start, end=rng.end,
                           now=now, daily=rng.daily)
        preferred_free: bool | None = None
        alternatives: tuple[Slot, ...] = ()
        if rng.preferred is not None:
            check = check_slot(ctx.schedule, rule, ctx.policy, busy, start=rng.preferred, now=now)
            preferred_free = check.ok
            if not check.ok:
                alternatives = tuple(nearest_alternatives(slots, rng.preferred))
                if not alternatives:
                    alternatives = await self._widen(ctx, rule, targets, rng.preferred, now)
        elif not slots:
            alternatives = await self._widen(ctx, rule, targets, rng.end, now)
        shown = tuple(slots[:limit] if limit else slots)
        return SlotSearch(rule.name, rng, shown, preferred_free, alternatives,
                          _offer_message(rng, slots, preferred_free, alternatives, now))

    async def book(self, business: int | str, service: str, start: datetime | str,
                   caller_name: str, caller_phone: str, *, notes: str = "",
                   call_sid: str | None = None, source: str = "phone") -> BookingResult:
        """Book ``service`` at ``start`` after re-checking the server; never double-books."""
        return await self.booker.book(business, service, start, caller_name, caller_phone,
                                      notes=notes, call_sid=call_sid, source=source)

    async def cancel(self, business: int | str, caller_phone: str, *, uid: str | None = None,
                     on: datetime | date | str | None = None) -> CancelResult:
        """Cancel the caller's upcoming booking (``uid`` or ``on`` pick one of several)."""
        return await self.changes.cancel(business, caller_phone, uid=uid, on=on)

    async def reschedule(self, business: int | str, caller_phone: str,
                         new_start: datetime | str, *, uid: str | None = None,
                         on: datetime | date | str | None = None) -> BookingResult:
        """Move the caller's upcoming booking to ``new_start`` (``If-Match`` on its ETag)."""
        return await self.changes.reschedule(business, caller_phone, new_start, uid=uid, on=on)

    async def bookings(self, business: int | str, caller_phone: str | None = None, *,
                       include_past: bool = False) -> list[BookingInfo]:
        return await self.changes.upcoming(business, caller_phone, include_past=include_past)

    # -- owner set-up -----------------------------------------------------------------------

    async def add_service(self, business: int | str, name: str, minutes: int, *,
                          buffer_before_minutes: int = 0, buffer_after_minutes: int = 0,
                          calendars: Sequence[str] = ()) -> tuple[ServiceInfo, bool]:
        return await self.setup.add_service(
            business, name, minutes, buffer_before_minutes=buffer_before_minutes,
            buffer_after_minutes=buffer_after_minutes, calendars=calendars)

    async def list_services(self, business: int | str) -> list[ServiceInfo]:
        return await self.setup.list_services(business)

    async def adopt_website_services(self, business: int | str,
                                     offered: Sequence[WebsiteService]) -> AdoptedServices:
        """The website's services become bookable; the owner's own services win."""
        async with self.db.transaction() as session:
            business_id = (await get_business(session, business)).id
        return await adopt_website_services(self.db, self.clock, business_id, offered)

    async def remove_service(self, business: int | str, name: str) -> ServiceInfo:
        return await self.setup.remove_service(business, name)

    async def set_policy(self, business: int | str, *, notice_minutes: int | None = None,
                         horizon_days: int | None = None, slot_minutes: int | None = None
                         ) -> dict[str, int]:
        return await self.setup.set_policy(business, notice_minutes=notice_minutes,
                                           horizon_days=horizon_days, slot_minutes=slot_minutes)

    async def connect(self, business: int | str, url: str, username: str, password: str,
                      calendars: Sequence[str] = ()) -> list[CalendarInfo]:
        return await self.setup.connect(business, url, username, password, calendars)

    async def disconnect(self, business: int | str) -> int:
        return await self.setup.disconnect(business)

    async def list_calendars(self, business: int | str) -> list[CalendarInfo]:
        return await self.setup.list_calendars(await self.context(business))

    async def test(self, business: int | str) -> ConnectionCheck:
        return await self.setup.check(await self.context(business))

    async def phone_access(self, business: int | str) -> dict[str, str]:
        """URL and credentials an owner enters on a phone to see the embedded calendar."""
        ctx = await self.context(business)
        if self.embedded is None or not any(t.kind == "embedded" for t in ctx.targets):
            raise SetupError("this business uses its own CalDAV calendar, not the embedded one")
        target = next(t for t in ctx.targets if t.kind == "embedded")
        await self.gateway.backend(target)  # starts the server, creates the user and calendar
        base = self.embedded.public_url
        return {"server": base, "calendar_url": base.rstrip("/") + target.href,
                "username": target.username, "password": target.password}

    # -- internals --------------------------------------------------------------------------

    def _range(self, ctx: BusinessContext, when: str | TimeRange | None,
               start: date | datetime | None, end: date | datetime | None,
               default_days: int) -> TimeRange:
        if isinstance(when, TimeRange):
            return when
        if isinstance(when, str) and when.strip():
            return parse_when(when, now=self.clock.now(), tz=ctx.tz, default_days=default_days)
        now = self.clock.now().astimezone(ctx.tz)
        if start is None:
            return date_range(now.date(), now.date() + timedelta(days=default_days - 1), ctx.tz)
        if isinstance(start, datetime):
            stop = end if isinstance(end, datetime) else start + timedelta(days=default_days)
            return TimeRange(start.astimezone(ctx.tz), stop.astimezone(ctx.tz))
        last = end if isinstance(end, date) and not isinstance(end, datetime) else start
        return date_range(start, last, ctx.tz)

    async def _busy(self, ctx: BusinessContext, rule: ServiceRule,
                    targets: Sequence[CalendarTarget], start: datetime, end: datetime
                    ) -> dict[str, list[Busy]]:
        """Busy time per calendar, fetched concurrently; a calendar that cannot be reached is
        left out (its slots are not offered) unless none can be reached."""
        lo = shift(start, -rule.buffer_before)
        hi = shift(end, rule.duration + rule.buffer_after)
        got = await asyncio.gather(*(self.gateway.busy(t, lo, hi, ctx.tz) for t in targets),
                                   return_exceptions=True)
        busy: dict[str, list[Busy]] = {}
        errors: list[CalendarError] = []
        names = [t.name for t in targets]
        for target, result in zip(targets, got, strict=True):
            if isinstance(result, CalendarError):
                errors.append(result)
            elif isinstance(result, BaseException):
                raise result
            else:
                key = target.name if names.count(target.name) == 1 else \
                    f"{target.name} #{target.id}"
                busy[key] = result
        if errors and not busy:
            raise errors[0]
        return busy

    async def _widen(self, ctx: BusinessContext, rule: ServiceRule,
                     targets: Sequence[CalendarTarget], around: datetime, now: datetime
                     ) -> tuple[Slot, ...]:
        start = max(around - timedelta(days=1), now)
        end = around + timedelta(days=WIDEN_DAYS)
        try:
            busy = await self._busy(ctx, rule, targets, start, end)
        except CalendarError:
            return ()
        slots = free_slots(ctx.schedule, rule, ctx.policy, busy, start=start, end=end, now=now)
        return tuple(nearest_alternatives(slots, around))


def _offer_message(rng: TimeRange, slots: Sequence[Slot], preferred_free: bool | None,
                   alternatives: Sequence[Slot], now: datetime) -> str:
    if preferred_free and rng.preferred is not None:
        return f"{_cap(spoken_moment(rng.preferred, now=now))} is available."
    if preferred_free is False and rng.preferred is not None:
        head = f"{_cap(spoken_moment(rng.preferred, now=now))} is not available"
        if alternatives:
            return head + "; I have " + spoken_slots([s.start for s in alternatives], now=now) \
                + "."
        return head + ", and I don't see anything close to it."
    if slots:
        first = slots[0].start
        offer = nearest_alternatives(slots, first - timedelta(seconds=1), count=3,
                                     min_gap=timedelta(minutes=60))
        return "I have " + spoken_slots([s.start for s in offer], now=now) + "."
    if alternatives:
        return ("Nothing is free then; the next openings are "
                + spoken_slots([s.start for s in alternatives], now=now) + ".")
    return "I don't see any openings then."


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]
