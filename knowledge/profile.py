"""The business profile: what the receptionist knows about a business from its website, merged
across pages (structured data first, text second) and then with the owner's own edits, which
always win. Pure functions and frozen dataclasses."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from knowledge.facts import PageFacts
from knowledge.timezones import guess_timezone
from receptionist.core import WeeklyHours, try_normalize

__all__ = ["PROFILE_KEYS", "BusinessProfile", "Faq", "Service", "build_profile",
           "default_greeting"]

PROFILE_KEYS = ("name", "phone", "address", "hours", "services", "booking_link", "faqs")
_MAX_SERVICES = 60
_MAX_FAQS = 60


@dataclass(frozen=True)
class Service:
    name: str
    price: str | None = None          # as the site writes it: "$149", "from $1,450"
    duration_min: int | None = None
    description: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "price": self.price, "duration_min": self.duration_min,
                "description": self.description}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Service:
        return cls(name=str(d["name"]), price=d.get("price"), duration_min=d.get("duration_min"),
                   description=d.get("description"))


@dataclass(frozen=True)
class Faq:
    question: str
    answer: str

    def to_json(self) -> dict[str, str]:
        return {"question": self.question, "answer": self.answer}


@dataclass(frozen=True)
class BusinessProfile:
    """What the agent may tell callers. ``hours`` is the stored JSON form of
    :class:`receptionist.core.WeeklyHours` (``{"mon": [["08:00", "17:00"]], …}``)."""

    name: str | None = None
    phone: str | None = None
    address: str | None = None
    hours: dict[str, list[list[str]]] = field(default_factory=dict)
    services: tuple[Service, ...] = ()
    booking_link: str | None = None
    faqs: tuple[Faq, ...] = ()
    timezone: str | None = None
    price_range: str | None = None

    @property
    def weekly_hours(self) -> WeeklyHours:
        return WeeklyHours.from_json(self.hours)

    def to_json(self) -> dict[str, Any]:
        """Exactly :data:`PROFILE_KEYS` (the CLI's ``--json`` and the API)."""
        return {"name": self.name, "phone": self.phone, "address": self.address,
                "hours": self.hours, "services": [s.to_json() for s in self.services],
                "booking_link": self.booking_link, "faqs": [f.to_json() for f in self.faqs]}

    def to_storage(self) -> dict[str, Any]:
        return {**self.to_json(), "timezone": self.timezone, "price_range": self.price_range}

    @classmethod
    def from_storage(cls, d: dict[str, Any] | None) -> BusinessProfile:
        d = d or {}
        return cls(
            name=d.get("name"), phone=d.get("phone"), address=d.get("address"),
            hours=d.get("hours") or {},
            services=tuple(Service.from_json(s) for s in d.get("services") or []),
            booking_link=d.get("booking_link"),
            faqs=tuple(Faq(f["question"], f["answer"]) for f in d.get("faqs") or []),
            timezone=d.get("timezone"), price_range=d.get("price_range"))


def default_greeting(name: str) -> str:
    return f"Thanks for calling {name}! How can I help you today?"


def _most_common(values: list[Any]) -> Any:
    """The most frequent value (first seen wins a tie)."""
    values = [v for v in values if v]
    if not values:
        return None
    counts = Counter(_key(v) for v in values)
    best = max(counts.values())
    return next(v for v in values if counts[_key(v)] == best)


def _key(value: Any) -> str:
    return repr(value) if not isinstance(value, str) else value.lower().strip()


def _name_from_titles(titles: list[str]) -> str | None:
    segments: Counter[str] = Counter()
    first: list[str] = []
    for i, title in enumerate(titles):
        parts = [p.strip() for p in re.split(r"\s+[|–—-]\s+|\s*[|·»]\s*", title) if p.strip()]
        if i == 0:
            first = parts
        segments.update(set(parts))
    common = [s for s, n in segments.most_common() if n >= 2 and len(s) <= 80]
    if common:
        return common[0]
    return first[0] if first else None


def build_profile(pages: list[tuple[str, str, PageFacts]], root_url: str) -> BusinessProfile:
    """Merge per-page facts (``(url, title, facts)``, root page first) into one profile."""
    root_path = urlsplit(root_url).path or "/"

    def rank(url: str) -> int:
        path = urlsplit(url).path or "/"
        return 0 if path == root_path else 1 if re.search(r"contact|about|hour|location",
                                                           path) else 2

    ordered = sorted(pages, key=lambda p: rank(p[0]))
    entities = [e for _, _, f in ordered for e in f.businesses]
    entities.sort(key=lambda e: e.get("generic", False))
    entity: dict[str, Any] = entities[0] if entities else {}

    def from_entities(key: str) -> Any:
        return next((e[key] for e in entities if e.get(key)), None)

    name = from_entities("name") or _most_common([f.site_name for _, _, f in ordered]) or \
        _name_from_titles([t for _, t, _ in ordered])
    phone = try_normalize(from_entities("telephone")) or \
        _most_common([p for _, _, f in ordered for p in f.phones]) or \
        _most_common([p for _, _, f in ordered for p in f.text_phones])
    address = from_entities("address") or _most_common([f.address for _, _, f in ordered])
    hours = from_entities("hours") or next(
        (f.hours for u, _, f in ordered if f.hours and re.search(r"hour", u)), None) or \
        _most_common([f.hours for _, _, f in ordered]) or {}
    booking = entity.get("booking_url") or from_entities("booking_url")
    if not booking:
        candidates = [c for _, _, f in ordered for c in f.booking]
        best = max((c["score"] for c in candidates), default=0)
        booking = _most_common([c["url"] for c in candidates if c["score"] == best]) \
            if best >= 2 else None
    services: dict[str, Service] = {}
    for _, _, f in ordered:
        for s in f.services:
            key = s["name"].lower()
            prev = services.get(key)
            new = Service.from_json(s)
            if prev is None:
                services[key] = new
            else:
                services[key] = Service(prev.name, prev.price or new.price,
                                        prev.duration_min or new.duration_min,
                                        prev.description or new.description)
    faqs: dict[str, Faq] = {}
    for _, _, f in ordered:
        for q in f.faqs:
            faqs.setdefault(q["question"].lower(), Faq(q["question"], q["answer"]))
    return BusinessProfile(
        name=name, phone=phone, address=address, hours=hours,
        services=tuple(list(services.values())[:_MAX_SERVICES]), booking_link=booking,
        faqs=tuple(list(faqs.values())[:_MAX_FAQS]), timezone=guess_timezone(address, phone),
        price_range=from_entities("price_range"))
