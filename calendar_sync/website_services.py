"""Services read off the business's website, made bookable without waiting for the owner.

The owner's word wins: a service the owner added or changed (``service add``) is never touched,
one the owner removed stays removed, and only the services that came from the website are
updated (a new duration on the site) or dropped (gone from the site) by a re-crawl.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select

from calendar_sync.models import BookableService, ServiceOrigin
from receptionist.core import Clock, Database, log_event

__all__ = ["AdoptedServices", "WebsiteService", "adopt_website_services"]

log = logging.getLogger("calendar_sync.website_services")

MAX_NAME = 120


@dataclass(frozen=True, slots=True)
class WebsiteService:
    name: str
    minutes: int


@dataclass
class AdoptedServices:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # the owner's own, or removed by the owner
    dropped: list[str] = field(default_factory=list)  # website services gone from the site

    def to_json(self) -> dict[str, list[str]]:
        return {"added": self.added, "updated": self.updated, "kept": self.kept,
                "dropped": self.dropped}


async def adopt_website_services(db: Database, clock: Clock, business_id: int,
                                 offered: Sequence[WebsiteService]) -> AdoptedServices:
    """Make ``offered`` the business's website services, in one transaction."""
    report = AdoptedServices()
    wanted: dict[str, WebsiteService] = {}
    for service in offered:
        name = " ".join(service.name.split())[:MAX_NAME]
        if name and 1 <= service.minutes <= 24 * 60:
            wanted.setdefault(name.casefold(), WebsiteService(name, service.minutes))
    async with db.transaction() as session:
        rows = {row.key: row for row in (await session.execute(select(BookableService).where(
            BookableService.business_id == business_id))).scalars()}
        for key, service in wanted.items():
            row = rows.get(key)
            if row is None:
                session.add(BookableService(
                    business_id=business_id, key=key, name=service.name,
                    duration_minutes=service.minutes, calendars=[],
                    origin=ServiceOrigin.WEBSITE, created_at=clock.now()))
                report.added.append(service.name)
            elif row.origin == ServiceOrigin.WEBSITE:
                if row.duration_minutes != service.minutes or row.name != service.name:
                    row.duration_minutes, row.name = service.minutes, service.name
                    report.updated.append(service.name)
            else:
                report.kept.append(row.name)
        for key, row in rows.items():
            if key not in wanted and row.origin == ServiceOrigin.WEBSITE:
                await session.delete(row)
                report.dropped.append(row.name)
    log_event(log, "calendar.website_services", business_id=business_id,
              added=len(report.added), updated=len(report.updated), kept=len(report.kept),
              dropped=len(report.dropped))
    return report
