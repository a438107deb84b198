"""Loading what one request needs from the database into plain frozen snapshots, in one short
transaction, so no session is held while CalDAV servers answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from calendar_sync.availability import DEFAULT_HOURS, BookingPolicy, Schedule, ServiceRule
from calendar_sync.embedded_radicale import CALENDAR_NAME, EmbeddedRadicale
from calendar_sync.errors import ServiceNotFound, SetupError
from calendar_sync.models import (
    BookableService,
    Booking,
    CalendarConnection,
    CalendarPolicy,
    CalendarRow,
    ServiceOrigin,
)
from calendar_sync.results import BookingInfo, BookingStatus, ServiceInfo
from calendar_sync.settings import CalendarConfig
from receptionist.core import Business, SecretBox

__all__ = [
    "BusinessContext",
    "CalendarTarget",
    "booking_info",
    "eligible",
    "find_service",
    "load_business",
    "load_targets",
    "rule_of",
    "service_info",
]


@dataclass(frozen=True, slots=True)
class CalendarTarget:
    """A selected calendar with what it takes to reach it."""

    id: int
    business_id: int
    name: str
    kind: str          # "caldav" | "embedded"
    href: str
    account_url: str
    username: str
    password: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class BusinessContext:
    business_id: int
    name: str
    primary_number: str | None
    schedule: Schedule
    policy: BookingPolicy
    targets: tuple[CalendarTarget, ...]
    uses_default_hours: bool = False

    @property
    def tz(self) -> ZoneInfo:
        return self.schedule.tz

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)


async def load_business(session: AsyncSession, business: Business, *, box: SecretBox,
                        config: CalendarConfig, embedded: EmbeddedRadicale | None
                        ) -> BusinessContext:
    hours = business.weekly_hours
    policy_row = await session.get(CalendarPolicy, business.id)
    policy = BookingPolicy(
        notice=timedelta(minutes=policy_row.notice_minutes if policy_row else
                         config.notice_minutes),
        horizon=timedelta(days=policy_row.horizon_days if policy_row else config.horizon_days),
        granularity=timedelta(minutes=policy_row.slot_minutes if policy_row else
                              config.slot_minutes),
    )
    return BusinessContext(
        business_id=business.id, name=business.name, primary_number=business.primary_number,
        schedule=Schedule(business.timezone, DEFAULT_HOURS if hours.is_empty else hours,
                          business.closed),
        policy=policy,
        targets=await load_targets(session, business.id, box=box, embedded=embedded,
                                   embedded_enabled=config.embedded),
        uses_default_hours=hours.is_empty,
    )


async def load_targets(session: AsyncSession, business_id: int, *, box: SecretBox,
                       embedded: EmbeddedRadicale | None, embedded_enabled: bool,
                       selected_only: bool = True) -> tuple[CalendarTarget, ...]:
    """The business's selected calendars; the embedded one (created on first use) when none is
    connected."""
    stmt = (select(CalendarRow, CalendarConnection)
            .join(CalendarConnection, CalendarConnection.id == CalendarRow.connection_id)
            .where(CalendarRow.business_id == business_id)
            .order_by(CalendarRow.position, CalendarRow.id))
    if selected_only:
        stmt = stmt.where(CalendarRow.selected.is_(True))
    rows = (await session.execute(stmt)).all()
    targets = [_target(row, conn, box, embedded) for row, conn in rows
               if conn.kind != "embedded" or embedded is not None]
    if targets or not selected_only:
        return tuple(targets)
    if not embedded_enabled or embedded is None:
        raise SetupError("no calendar is connected; run `receptionist calendar connect "
                         "--business … --url … --username … --password …`")
    row, conn = await _embedded_rows(session, business_id, embedded)
    return (_target(row, conn, box, embedded),)


async def _embedded_rows(session: AsyncSession, business_id: int, embedded: EmbeddedRadicale
                         ) -> tuple[CalendarRow, CalendarConnection]:
    username = embedded.username(business_id)
    conn = (await session.execute(select(CalendarConnection).where(
        CalendarConnection.business_id == business_id,
        CalendarConnection.kind == "embedded"))).scalars().first()
    if conn is None:
        conn = CalendarConnection(business_id=business_id, kind="embedded", url="",
                                  username=username)
        session.add(conn)
        await session.flush()
    href = embedded.calendar_path(business_id)
    row = (await session.execute(select(CalendarRow).where(
        CalendarRow.connection_id == conn.id, CalendarRow.href == href))).scalars().first()
    if row is None:
        row = CalendarRow(business_id=business_id, connection_id=conn.id, href=href,
                          name=CALENDAR_NAME, selected=True, position=0)
        session.add(row)
    row.selected = True
    await session.flush()
    return row, conn


def _target(row: CalendarRow, conn: CalendarConnection, box: SecretBox,
            embedded: EmbeddedRadicale | None) -> CalendarTarget:
    if conn.kind == "embedded":
        assert embedded is not None
        return CalendarTarget(row.id, row.business_id, row.name, "embedded", row.href, "",
                              conn.username, embedded.password(conn.business_id))
    password = box.decrypt(conn.password_encrypted) if conn.password_encrypted else ""
    return CalendarTarget(row.id, row.business_id, row.name, "caldav", row.href, conn.url,
                          conn.username, password)


def eligible(targets: tuple[CalendarTarget, ...], rule: ServiceRule
             ) -> tuple[CalendarTarget, ...]:
    if not rule.calendars:
        return targets
    wanted = [n.casefold() for n in rule.calendars]
    chosen = tuple(t for t in targets if t.name.casefold() in wanted)
    if not chosen:
        names = ", ".join(t.name for t in targets) or "none"
        raise SetupError(f"service {rule.name!r} is done on {', '.join(rule.calendars)}, but "
                         f"the connected calendars are: {names}")
    return chosen


async def find_service(session: AsyncSession, business_id: int, name: str) -> BookableService:
    row = (await session.execute(select(BookableService).where(
        BookableService.business_id == business_id, BookableService.origin != ServiceOrigin.REMOVED,
        BookableService.key == name.strip().casefold()))).scalars().first()
    if row is not None:
        return row
    names = (await session.execute(select(BookableService.name).where(
        BookableService.business_id == business_id, BookableService.origin != ServiceOrigin.REMOVED)
        .order_by(BookableService.name))).scalars()
    known = ", ".join(names) or "none yet (add one with `receptionist service add`)"
    raise ServiceNotFound(f"no service {name!r}; services: {known}")


def rule_of(row: BookableService) -> ServiceRule:
    return ServiceRule(row.name, timedelta(minutes=row.duration_minutes),
                       timedelta(minutes=row.buffer_before_minutes),
                       timedelta(minutes=row.buffer_after_minutes), tuple(row.calendars or ()))


def service_info(row: BookableService) -> ServiceInfo:
    return ServiceInfo(row.name, row.duration_minutes, row.buffer_before_minutes,
                       row.buffer_after_minutes, tuple(row.calendars or ()),
                       from_website=row.origin == ServiceOrigin.WEBSITE)


def booking_info(row: Booking, tz: ZoneInfo, calendar: str | None = None) -> BookingInfo:
    return BookingInfo(
        id=row.id, uid=row.uid, service=row.service, start=row.start_at.astimezone(tz),
        end=row.end_at.astimezone(tz), caller_name=row.caller_name,
        caller_phone=row.caller_phone, status=BookingStatus(row.status), calendar=calendar,
        notes=row.notes or "", call_sid=row.call_sid, source=row.source,
    )
