"""Owner set-up: services, booking rules, and connecting / testing / listing calendars."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import timedelta
from urllib.parse import urljoin, urlsplit

from sqlalchemy import delete, select, update

from calendar_sync.context import BusinessContext, find_service, load_targets, service_info
from calendar_sync.embedded_radicale import EmbeddedRadicale
from calendar_sync.errors import (
    AddressRefused,
    CalendarAuthError,
    CalendarError,
    CalendarUnavailable,
    SetupError,
)
from calendar_sync.gateway import CalendarGateway
from calendar_sync.models import (
    BookableService,
    CalendarConnection,
    CalendarPolicy,
    CalendarRow,
    ServiceOrigin,
)
from calendar_sync.ports import RemoteCalendar
from calendar_sync.results import CalendarInfo, ConnectionCheck, ServiceInfo
from calendar_sync.settings import CalendarConfig
from receptionist.core import (
    BlockedDestination,
    Clock,
    Database,
    SecretBox,
    get_business,
    log_event,
)

__all__ = ["CalendarSetup"]

log = logging.getLogger("calendar_sync.setup")


class CalendarSetup:
    def __init__(self, db: Database, gateway: CalendarGateway, clock: Clock, box: SecretBox,
                 config: CalendarConfig, embedded: EmbeddedRadicale | None) -> None:
        self.db = db
        self.gateway = gateway
        self.clock = clock
        self.box = box
        self.config = config
        self.embedded = embedded

    # -- services ---------------------------------------------------------------------------

    async def add_service(self, business: int | str, name: str, minutes: int, *,
                          buffer_before_minutes: int = 0, buffer_after_minutes: int = 0,
                          calendars: Sequence[str] = ()) -> tuple[ServiceInfo, bool]:
        """Add a service, or change it if one of that name exists; returns (service, created)."""
        name = " ".join(name.split())
        if not name:
            raise SetupError("a service needs a name")
        if not 1 <= minutes <= 24 * 60:
            raise SetupError("--minutes must be between 1 and 1440")
        if not (0 <= buffer_before_minutes <= 600 and 0 <= buffer_after_minutes <= 600):
            raise SetupError("buffers must be between 0 and 600 minutes")
        async with self.db.transaction() as session:
            biz = await get_business(session, business)
            wanted = [c.strip() for c in calendars if c.strip()]
            if wanted:
                known = await load_targets(session, biz.id, box=self.box, embedded=self.embedded,
                                           embedded_enabled=self.config.embedded)
                names = {t.name.casefold(): t.name for t in known}
                missing = [c for c in wanted if c.casefold() not in names]
                if missing:
                    raise SetupError(f"no connected calendar named {', '.join(missing)}; "
                                     f"connected: {', '.join(names.values()) or 'none'}")
                wanted = [names[c.casefold()] for c in wanted]
            row = (await session.execute(select(BookableService).where(
                BookableService.business_id == biz.id,
                BookableService.key == name.casefold()))).scalars().first()
            created = row is None
            if row is None:
                row = BookableService(business_id=biz.id, key=name.casefold(),
                                      created_at=self.clock.now())
                session.add(row)
            row.name = name
            row.duration_minutes = minutes
            row.buffer_before_minutes = buffer_before_minutes
            row.buffer_after_minutes = buffer_after_minutes
            row.calendars = wanted
            row.origin = ServiceOrigin.OWNER  # the owner's word: a re-crawl leaves it alone
            await session.flush()
            return service_info(row), created

    async def list_services(self, business: int | str) -> list[ServiceInfo]:
        async with self.db.transaction() as session:
            biz = await get_business(session, business)
            rows = (await session.execute(select(BookableService).where(
                BookableService.business_id == biz.id,
                BookableService.origin != ServiceOrigin.REMOVED)
                .order_by(BookableService.name))).scalars()
            return [service_info(r) for r in rows]

    async def remove_service(self, business: int | str, name: str) -> ServiceInfo:
        async with self.db.transaction() as session:
            biz = await get_business(session, business)
            row = await find_service(session, biz.id, name)
            info = service_info(row)
            if row.origin == ServiceOrigin.WEBSITE:  # remembered, so a re-crawl keeps it off
                row.origin = ServiceOrigin.REMOVED
            else:
                await session.delete(row)
            return info

    # -- booking rules ----------------------------------------------------------------------

    async def set_policy(self, business: int | str, *, notice_minutes: int | None = None,
                         horizon_days: int | None = None, slot_minutes: int | None = None
                         ) -> dict[str, int]:
        async with self.db.transaction() as session:
            biz = await get_business(session, business)
            row = await session.get(CalendarPolicy, biz.id)
            if notice_minutes is None and horizon_days is None and slot_minutes is None:
                # Only showing: defaults from settings when the owner never set any.
                return {"notice_minutes": row.notice_minutes if row else
                        self.config.notice_minutes,
                        "horizon_days": row.horizon_days if row else self.config.horizon_days,
                        "slot_minutes": row.slot_minutes if row else self.config.slot_minutes}
            if row is None:
                row = CalendarPolicy(business_id=biz.id, notice_minutes=self.config.notice_minutes,
                                     horizon_days=self.config.horizon_days,
                                     slot_minutes=self.config.slot_minutes)
                session.add(row)
            if notice_minutes is not None:
                row.notice_minutes = notice_minutes
            if horizon_days is not None:
                row.horizon_days = horizon_days
            if slot_minutes is not None:
                row.slot_minutes = slot_minutes
            if row.notice_minutes < 0 or not 1 <= row.horizon_days <= 730 \
                    or not 1 <= row.slot_minutes <= 240:
                raise SetupError("notice >= 0 minutes, horizon 1-730 days, slots 1-240 minutes")
            return {"notice_minutes": row.notice_minutes, "horizon_days": row.horizon_days,
                    "slot_minutes": row.slot_minutes}

    # -- calendars --------------------------------------------------------------------------

    async def connect(self, business: int | str, url: str, username: str, password: str,
                      calendars: Sequence[str] = ()) -> list[CalendarInfo]:
        """Check the account, discover its calendars, and use the ones named (default: the
        only one, or the first). Replaces the calendars the business used before."""
        url = url.strip()
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            raise SetupError(f"{url!r} is not a CalDAV URL; use e.g. https://host/remote.php/dav")
        async with self.db.transaction() as session:
            biz = await get_business(session, business)
            business_id = biz.id
        try:
            await self.gateway.policy.check_url(url)
        except BlockedDestination as exc:
            raise AddressRefused(
                "that address is on a private, loopback or link-local network; use the "
                "calendar server's internet address (RECEPTIONIST_CALENDAR_ALLOW_PRIVATE=true "
                "allows a server on this machine's network)") from exc
        backend = self.gateway.direct(url, username, password)
        try:
            found = await backend.discover()
            chosen = _choose(found, calendars)
            for cal in chosen:
                await backend.check(cal.url)
        except CalendarError as exc:
            log_event(log, "calendar.connect_failed", logging.WARNING,
                      host=urlsplit(url).netloc, kind=type(exc).__name__, error=str(exc))
            raise _generic(exc) from exc
        finally:
            await backend.aclose()
        async with self.db.transaction() as session:
            conn = (await session.execute(select(CalendarConnection).where(
                CalendarConnection.business_id == business_id,
                CalendarConnection.kind == "caldav", CalendarConnection.url == url,
                CalendarConnection.username == username))).scalars().first()
            if conn is None:
                conn = CalendarConnection(business_id=business_id, kind="caldav", url=url,
                                          username=username, created_at=self.clock.now())
                session.add(conn)
            conn.password_encrypted = self.box.encrypt(password)
            conn.updated_at = self.clock.now()
            await session.flush()
            await session.execute(update(CalendarRow).where(
                CalendarRow.business_id == business_id).values(selected=False))
            existing = {r.href: r for r in (await session.execute(select(CalendarRow).where(
                CalendarRow.connection_id == conn.id))).scalars()}
            chosen_urls = {c.url for c in chosen}
            for position, cal in enumerate(found):
                row = existing.get(cal.url)
                if row is None:
                    row = CalendarRow(business_id=business_id, connection_id=conn.id,
                                      href=cal.url, name=cal.name)
                    session.add(row)
                row.name = cal.name
                row.selected = cal.url in chosen_urls
                row.position = position
            await session.flush()
        log_event(log, "calendar.connected", business_id=business_id, host=urlsplit(url).netloc,
                  calendars=[c.name for c in chosen])
        return [CalendarInfo(c.name, c.url, "caldav", c.url in chosen_urls) for c in found]

    async def disconnect(self, business: int | str) -> int:
        """Forget connected accounts; the business goes back to the embedded calendar."""
        async with self.db.transaction() as session:
            biz = await get_business(session, business)
            result = await session.execute(delete(CalendarConnection).where(
                CalendarConnection.business_id == biz.id, CalendarConnection.kind == "caldav"))
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def list_calendars(self, ctx: BusinessContext) -> list[CalendarInfo]:
        """Selected calendars plus, for CalDAV accounts, the others found there now."""
        out: list[CalendarInfo] = []
        seen: set[str] = set()
        for target in ctx.targets:
            url = target.href
            if target.kind == "embedded" and self.embedded is not None:
                url = urljoin(self.embedded.public_url, target.href)
            out.append(CalendarInfo(target.name, url, target.kind, True))
            seen.add(target.href)
        accounts = {(t.account_url, t.username): t for t in ctx.targets if t.kind == "caldav"}
        for (account, username), target in accounts.items():
            backend = self.gateway.direct(account, username, target.password)
            try:
                for cal in await backend.discover():
                    if cal.url not in seen:
                        out.append(CalendarInfo(cal.name, cal.url, "caldav", False))
                        seen.add(cal.url)
            finally:
                await backend.aclose()
        return out

    async def check(self, ctx: BusinessContext) -> ConnectionCheck:
        """Reach every selected calendar and read a day of events from it."""
        started = time.perf_counter()
        results: list[tuple[str, str | None]] = []
        now = self.clock.now()
        for target in ctx.targets:
            try:
                url = await self.gateway.url(target)
                backend = await self.gateway.backend(target)
                await backend.check(url)
                await backend.events(url, now, now + timedelta(days=1))
                results.append((target.name, None))
            except CalendarError as exc:
                results.append((target.name, f"{type(exc).__name__}: {exc}"))
        kind = ", ".join(sorted({t.kind for t in ctx.targets}))
        return ConnectionCheck(all(e is None for _, e in results), kind, tuple(results),
                               (time.perf_counter() - started) * 1000)


def _choose(found: list[RemoteCalendar], names: Sequence[str]) -> list[RemoteCalendar]:
    if not found:
        raise SetupError("the account has no calendars; create one there first")
    if not names:
        return [found[0]]
    by_name = {c.name.casefold(): c for c in found}
    by_url = {c.url.rstrip("/"): c for c in found}
    chosen, missing = [], []
    for name in names:
        cal = by_name.get(name.strip().casefold()) or by_url.get(name.strip().rstrip("/"))
        if cal is None:
            missing.append(name)
        elif cal not in chosen:
            chosen.append(cal)
    if missing:
        raise SetupError(f"no calendar named {', '.join(missing)} in that account; found: "
                         + ", ".join(c.name for c in found))
    return chosen


def _generic(exc: CalendarError) -> CalendarError:
    """What the owner (and whoever holds the API) is told when connecting fails: the kind of
    failure in our words, never the server's own answer – that goes to the log. An address that
    answers differently from a closed port must not turn the connect form into a scanner."""
    if isinstance(exc, CalendarAuthError):
        return CalendarAuthError("the calendar server refused the username or password")
    if isinstance(exc, AddressRefused):
        return AddressRefused("the calendar server named an address on a private, loopback or "
                              "link-local network; it was not contacted")
    if isinstance(exc, SetupError):
        return exc  # our own words about the owner's calendars (no calendar named …)
    if isinstance(exc, CalendarUnavailable):
        return CalendarUnavailable("no calendar server answered at that address; try again "
                                   "later or check the URL")
    return SetupError("no CalDAV calendar was found at that address; check the URL (for "
                      "example https://host/remote.php/dav)")
