"""What the receptionist may say about a business: the owner's settings merged with the website
profile, in one frozen value the prompts and tools read.

Owner settings (``businesses`` row: hours, address, booking link, greeting) win over what the
crawl found; the crawl fills what the owner left blank (services, prices, FAQ). ``Directory``
loads and briefly caches it per business so a call does not hit the database on every turn.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from receptionist.agent.ports import BusinessProfile, KnowledgeLookup
from receptionist.agent.untrusted import looks_like_instruction
from receptionist.core import (
    Business,
    Clock,
    Database,
    SystemClock,
    WeeklyHours,
    get_business,
    log_event,
    spoken_hours,
    spoken_price,
)

__all__ = ["BusinessFacts", "Directory", "FactsSource", "ServiceInfo"]

log = logging.getLogger("receptionist.agent.facts")


@dataclass(frozen=True)
class ServiceInfo:
    name: str
    price: str | None = None
    duration_min: int | None = None
    description: str | None = None

    def spoken(self) -> str:
        parts = [self.name]
        if self.price:
            parts.append(self.price)
        if self.duration_min:
            parts.append(f"{self.duration_min} minutes")
        return ", ".join(parts)


@dataclass(frozen=True)
class BusinessFacts:
    business_id: int
    name: str
    timezone: str = "America/New_York"
    hours: WeeklyHours = field(default_factory=WeeklyHours)
    closed_dates: frozenset[date] = frozenset()
    hours_text: str | None = None  # from the website when the owner set no structured hours
    address: str | None = None
    phone: str | None = None
    booking_link: str | None = None
    website: str | None = None
    services: tuple[ServiceInfo, ...] = ()
    faqs: tuple[tuple[str, str], ...] = ()
    greeting: str | None = None
    description: str | None = None
    transfer_numbers: tuple[str, ...] = ()

    @classmethod
    def build(cls, business: Business, profile: BusinessProfile | None = None) -> BusinessFacts:
        p = profile or BusinessProfile(name=business.name)
        services = tuple(_service(s) for s in p.services
                         if _service_name(s) and not looks_like_instruction(_service_name(s)))
        faqs = tuple(
            (str(f.get("question", "")).strip(), str(f.get("answer", "")).strip())
            for f in p.faqs
            if f.get("question") and f.get("answer")
            and not looks_like_instruction(f"{f['question']} {f['answer']}")
        )
        return cls(
            business_id=business.id,
            name=business.own_or_website("name", p.name),
            timezone=business.timezone or "America/New_York",
            hours=_hours(business, p),
            closed_dates=business.closed,
            hours_text=p.hours_text,
            address=business.own_or_website("address", p.address),
            phone=business.primary_number or p.phone,
            booking_link=business.own_or_website("booking_link", p.booking_link),
            website=_website(p),
            services=services,
            faqs=faqs,
            greeting=business.own_or_website("greeting", p.greeting),
            description=p.description,
            transfer_numbers=tuple(business.ring_targets()),
        )

    @property
    def service_names(self) -> list[str]:
        return [s.name for s in self.services]

    def service(self, name: str) -> ServiceInfo | None:
        for s in self.services:
            if s.name.lower() == name.lower():
                return s
        return None

    def spoken_hours(self) -> str | None:
        if not self.hours.is_empty:
            return spoken_hours(self.hours)
        return self.hours_text

    def is_open_at(self, moment: datetime) -> bool | None:
        """None when the hours are unknown (only free text from the website, or none)."""
        if self.hours.is_empty:
            return None
        return self.hours.is_open_at(moment, self.timezone, self.closed_dates)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(ZoneInfo(self.timezone))


def _hours(business: Business, profile: BusinessProfile) -> WeeklyHours:
    """The owner's hours; the website's when the owner set none."""
    try:
        return WeeklyHours.from_json(business.own_or_website("hours", profile.hours))
    except (ValueError, TypeError, AttributeError):  # website hours this version cannot read
        return business.weekly_hours


def _service_name(s: Any) -> str:
    if isinstance(s, str):
        return s.strip()
    if isinstance(s, dict):
        return str(s.get("name") or "").strip()
    return str(getattr(s, "name", "") or "").strip()


def _service(s: Any) -> ServiceInfo:
    if isinstance(s, str):
        return ServiceInfo(name=s.strip())
    get = s.get if isinstance(s, dict) else (lambda k, d=None: getattr(s, k, d))
    price = get("price", None)
    duration = get("duration_min", None) or get("duration_minutes", None)
    return ServiceInfo(
        name=_service_name(s),
        price=(spoken_price(price) or None) if price not in (None, "") else None,
        duration_min=int(duration) if isinstance(duration, int | float) and duration > 0 else None,
        description=(str(get("description", "") or "").strip() or None),
    )


def _website(profile: BusinessProfile) -> str | None:
    link = profile.website
    if isinstance(link, str) and re.match(r"^https?://", link):
        return link
    return None


class FactsSource(Protocol):
    async def facts(self, business_id: int) -> BusinessFacts: ...


class Directory:
    """Loads ``BusinessFacts`` from the database and the knowledge profile; caches ``ttl_s``.

    The cache is an optimisation only (any instance can rebuild it); owner edits show within
    ``ttl_s``. A knowledge failure degrades to the owner's settings alone.
    """

    def __init__(self, db: Database, knowledge: KnowledgeLookup | None, *,
                 ttl_s: float = 30.0, clock: Clock | None = None,
                 profile_timeout_s: float = 3.0) -> None:
        self.db = db
        self.knowledge = knowledge
        self.ttl_s = ttl_s
        self.clock = clock or SystemClock()
        self.profile_timeout_s = profile_timeout_s
        self._cache: dict[int, tuple[float, BusinessFacts]] = {}

    async def facts(self, business_id: int) -> BusinessFacts:
        now = self.clock.now().timestamp()
        hit = self._cache.get(business_id)
        if hit and now - hit[0] < self.ttl_s:
            return hit[1]
        business, profile = await self.load(business_id)
        facts = BusinessFacts.build(business, profile)
        self._cache[business_id] = (now, facts)
        return facts

    async def load(self, business_id: int) -> tuple[Business, BusinessProfile | None]:
        async with self.db.transaction() as session:
            business = await get_business(session, business_id)
        profile: BusinessProfile | None = None
        if self.knowledge is not None:
            try:
                async with asyncio.timeout(self.profile_timeout_s):
                    profile = await self.knowledge.profile(business_id)
            except Exception as exc:  # the profile is an extra; the owner's settings still stand
                log_event(log, "agent.facts.profile_failed", logging.WARNING,
                          business_id=business_id, error=repr(exc))
        return business, profile

    def forget(self, business_id: int | None = None) -> None:
        if business_id is None:
            self._cache.clear()
        else:
            self._cache.pop(business_id, None)
