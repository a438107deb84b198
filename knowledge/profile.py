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

__all__ = ["PROFILE_KEYS", "BusinessProfile", "Faq", "Service", "build_profile"]

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
    # Numbers that are not the main line, with what they are for: (("fax", "+441905…"), …).
    other_phones: tuple[tuple[str, str], ...] = ()
    # Where each field came from: {"hours": {"page": url, "method": "schema.org"}, …}.
    sources: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def weekly_hours(self) -> WeeklyHours:
        return WeeklyHours.from_json(self.hours)

    def to_json(self) -> dict[str, Any]:
        """Exactly :data:`PROFILE_KEYS` (the CLI's ``--json`` and the API)."""
        return {"name": self.name, "phone": self.phone, "address": self.address,
                "hours": self.hours, "services": [s.to_json() for s in self.services],
                "booking_link": self.booking_link, "faqs": [f.to_json() for f in self.faqs]}

    def to_storage(self) -> dict[str, Any]:
        return {**self.to_json(), "timezone": self.timezone, "price_range": self.price_range,
                "other_phones": [list(p) for p in self.other_phones], "sources": self.sources}

    @classmethod
    def from_storage(cls, d: dict[str, Any] | None) -> BusinessProfile:
        d = d or {}
        return cls(
            name=d.get("name"), phone=d.get("phone"), address=d.get("address"),
            hours=d.get("hours") or {},
            services=tuple(Service.from_json(s) for s in d.get("services") or []),
            booking_link=d.get("booking_link"),
            faqs=tuple(Faq(f["question"], f["answer"]) for f in d.get("faqs") or []),
            timezone=d.get("timezone"), price_range=d.get("price_range"),
            other_phones=tuple((str(a), str(b)) for a, b in d.get("other_phones") or []),
            sources=dict(d.get("sources") or {}))


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


_NAME_WEIGHTS = {"schema.org": 12, "og:site_name": 3, "logo": 2, "brand": 2, "copyright": 2,
                 "title": 1}


def _name_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower().replace("&", "and"))


def consensus_name(pages: list[tuple[str, str, PageFacts]], schema_name: str | None
                   ) -> tuple[str | None, str, str | None]:
    """The business's name by vote: schema.org, og:site_name, logo alt text, brand element,
    copyright line and title segments, each page voting once per name; a short name that a
    longer candidate begins with ("pawpaw" in "Pawpaw Spa & Grooming") lends it its votes.
    Returns ``(name, method, page)``."""
    votes: Counter[str] = Counter()
    shown: dict[str, tuple[str, str, str]] = {}   # key -> (name, method, page)
    methods: dict[str, set[str]] = {}

    def vote(value: str | None, method: str, url: str) -> None:
        key = _name_key(value or "")
        if len(key) < 2:
            return
        votes[key] += _NAME_WEIGHTS[method]
        methods.setdefault(key, set()).add(method)
        if key not in shown or _NAME_WEIGHTS[method] > _NAME_WEIGHTS[shown[key][1]]:
            shown[key] = (str(value).strip(), method, url)

    if schema_name:
        url = next((u for u, _, f in pages if any(e.get("name") == schema_name
                                                  for e in f.businesses)), pages[0][0])
        vote(schema_name, "schema.org", url)
    for url, _title, f in pages:
        seen: set[tuple[str, str]] = set()
        hints = [{"method": "og:site_name", "value": f.site_name}] if f.site_name else []
        for hint in [*hints, *f.names]:
            pair = (_name_key(hint["value"] or ""), hint["method"])
            if pair not in seen and hint["method"] in _NAME_WEIGHTS:
                seen.add(pair)
                vote(hint["value"], hint["method"], url)
    if not votes:
        fallback = _name_from_titles([t for _, t, _ in pages])
        return fallback, "title", pages[0][0] if pages else None
    total = Counter(votes)
    for short in votes:
        for long in votes:
            if long != short and long.startswith(short) and len(methods[long]) >= 2:
                total[long] += votes[short]
    best = max(total, key=lambda k: (total[k], len(methods[k])))
    name, method, url = shown[best]
    return name, method if len(methods[best]) == 1 else "consensus of " + ", ".join(
        sorted(methods[best])), url


def _page_weight(url: str, root_path: str) -> int:
    path = urlsplit(url).path or "/"
    return 2 if path in (root_path, root_path + "index.html") or re.search(
        r"contact", path) else 1


def prominent_phone(pages: list[tuple[str, str, PageFacts]], root_path: str
                    ) -> tuple[str | None, str | None]:
    """The business's main number: ``tel:`` links count most, then numbers in the header or
    footer, then numbers in the text; home and contact pages count double; numbers labelled
    fax, emergency or after-hours never win."""
    score: Counter[str] = Counter()
    first: dict[str, str] = {}
    for url, _, f in pages:
        weight = _page_weight(url, root_path)
        info = f.phone_info or [{"number": n, "label": "main", "where": "tel"}
                                for n in f.phones] + [
            {"number": n, "label": "main", "where": "text"} for n in f.text_phones]
        seen: set[tuple[str, str]] = set()
        for item in info:
            if item["label"] not in ("main", "mobile", "whatsapp"):
                continue
            pair = (item["number"], item["where"])
            if pair in seen:
                continue
            seen.add(pair)
            score[item["number"]] += weight * {"tel": 3, "chrome": 2}.get(item["where"], 1)
            first.setdefault(item["number"], url)
    if not score:
        return None, None
    best = max(score, key=lambda n: score[n])
    return best, first[best]


def other_phones(pages: list[tuple[str, str, PageFacts]], main: str | None
                 ) -> tuple[tuple[str, str], ...]:
    """The site's other numbers with their labels (fax, emergency, after-hours…)."""
    out: dict[str, str] = {}
    for _, _, f in pages:
        for item in f.phone_info:
            if item["number"] != main and item["label"] != "main":
                out.setdefault(item["number"], item["label"])
    return tuple((label, number) for number, label in list(out.items())[:6])


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

    sources: dict[str, dict[str, str]] = {}

    def source(key: str, method: str, url: str | None = None, pick: Any = None) -> None:
        """Record where ``key`` came from: the page (``url``, or the first whose facts hold
        ``pick``) and how it was read."""
        if url is None and pick is not None:
            url = next((u for u, _, f in ordered if pick(f)), None)
        sources[key] = {"page": url or "", "method": method}

    def entity_source(key: str) -> None:
        source(key, "schema.org", pick=lambda f: any(e.get(key) for e in f.businesses))

    country = from_entities("country") or _most_common([f.country for _, _, f in ordered])
    region = country or "US"
    name, name_method, name_url = consensus_name(ordered, from_entities("name"))
    if name:
        source("name", name_method, name_url)
    phone = try_normalize(from_entities("telephone"), region)
    if phone:
        entity_source("telephone")
        sources["phone"] = sources.pop("telephone")
    else:
        phone, phone_url = prominent_phone(ordered, root_path)
        if phone:
            source("phone", "prominence (tel: links, header/footer, repeats)", phone_url)
    others = other_phones(ordered, phone)
    address = from_entities("address")
    if address:
        entity_source("address")
    else:
        address = _most_common([f.address for _, _, f in ordered])
        if address:
            source("address", "postal address in the text",
                   pick=lambda f: _key(f.address or "") == _key(address))
    hours = from_entities("hours")
    if hours:
        entity_source("hours")
    else:
        hours_page = next((u for u, _, f in ordered if f.hours and re.search(r"hour", u)), None)
        hours = next((f.hours for u, _, f in ordered if u == hours_page), None) or \
            _most_common([f.hours for _, _, f in ordered]) or {}
        if hours:
            source("hours", "opening hours in the text", hours_page,
                   pick=lambda f: f.hours == hours)
    booking = entity.get("booking_url") or from_entities("booking_url")
    if booking:
        entity_source("booking_url")
        sources["booking_link"] = sources.pop("booking_url")
    else:
        candidates = [c for _, _, f in ordered for c in f.booking]
        best = max((c["score"] for c in candidates), default=0)
        booking = _most_common([c["url"] for c in candidates if c["score"] == best]) \
            if best >= 2 else None
        if booking:
            source("booking_link", "booking provider link" if best == 3 else
                   "the site's own booking page", pick=lambda f: any(
                       c["url"] == booking for c in f.booking))
    services: dict[str, Service] = {}
    service_pages: list[str] = []
    for url, _, f in ordered:
        if f.services:
            service_pages.append(url)
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
    if services:
        sources["services"] = {"page": ", ".join(service_pages[:5]),
                               "method": "schema.org, price lists, service pages, forms"}
    if faqs:
        sources["faqs"] = {"page": "", "method": "schema.org FAQPage, question headings"}
    return BusinessProfile(
        name=name, phone=phone, address=address, hours=hours,
        services=tuple(list(services.values())[:_MAX_SERVICES]), booking_link=booking,
        faqs=tuple(list(faqs.values())[:_MAX_FAQS]), timezone=guess_timezone(address, phone),
        price_range=from_entities("price_range"), other_phones=others, sources=sources)
