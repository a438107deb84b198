"""Passages that are not a page's main text: the profile said the way a caller asks for it
(hours, address and directions, phones, services with prices, FAQs), the site-wide text of
headers, footers and sidebars (once for the whole site, not once per page) and the lines of a
page the main-text extractor dropped. Built with the search index; pure functions.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import time

import phonenumbers

from knowledge.chunking import MAX_CHARS
from knowledge.facts import PageFacts
from knowledge.index import IndexedChunk, PassageKind
from knowledge.profile import BusinessProfile
from receptionist.core import WEEKDAY_KEYS, WEEKDAY_NAMES, spoken_time

__all__ = ["extra_passages", "profile_passages", "site_passages"]

_MIN_PASSAGE = 40
_PHONE_WORDS = {"fax": "Fax", "emergency": "Emergency line", "after-hours": "After-hours line",
                "mobile": "Mobile", "whatsapp": "WhatsApp"}


def _said(hhmm: str) -> str:
    """"09:30" → "9:30 am"; "24:00" (a day that runs to midnight) → "midnight"."""
    hour, minute = (int(x) for x in hhmm.split(":"))
    return spoken_time(time(hour % 24, minute))


def _pretty(number: str) -> str:
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


def _grouped(lines: list[str], limit: int = MAX_CHARS) -> list[str]:
    """Lines into passages of at most ``limit`` characters, a new one at each ``# `` heading;
    a passage too short to answer anything ("Sisters Cafe Blog") is left out."""
    out: list[str] = []
    cur: list[str] = []
    size = 0

    def flush() -> None:
        text = "\n".join(cur)
        if len(text) >= _MIN_PASSAGE or re.search(r"\d", text):
            out.append(text)

    for raw in lines:
        heading = raw.startswith("# ")
        line = raw.removeprefix("# ")[:limit]
        if cur and (heading or size + len(line) + 1 > limit):
            flush()
            cur, size = [], 0
        cur.append(line)
        size += len(line) + 1
    if cur:
        flush()
    return out


_PAGE_FOR = {"address": r"contact|location|find|direction|visit", "hours": r"hour|contact",
             "phone": r"contact", "services": r"servic|price|menu"}


def _stated_on(pages: list[tuple[str, str, PageFacts]], key: str, value: object) -> list[str]:
    """The pages whose own text states the profile's ``key`` (not just its structured data)."""
    out = []
    for url, _, f in pages:
        if key == "address" and f.address and _key(f.address) == _key(str(value)):
            out.append(url)
        elif key == "hours" and f.hours and f.hours == value:
            out.append(url)
        elif key == "phone" and value in f.text_phones:
            out.append(url)
    return out


def profile_passages(profile: BusinessProfile, root: str,
                     pages: list[tuple[str, str, PageFacts]] | None = None) -> list[IndexedChunk]:
    """The profile as passages, worded with the words callers use, each on the page that says
    it (the contact page for the address, the hours page for hours…) so a caller's answer
    points at where the owner wrote it."""
    title = profile.name or "The business"
    sources = profile.sources or {}

    def page(key: str) -> str:
        value = {"address": profile.address, "hours": profile.hours,
                 "phone": profile.phone}.get(key)
        stated = _stated_on(pages or [], key, value) if value else []
        fitting = [u for u in stated if re.search(_PAGE_FOR[key], u.split("://")[-1].partition(
            "/")[2], re.IGNORECASE)]
        if fitting or stated:
            return (fitting or stated)[0]
        url = (sources.get(key) or {}).get("page") or ""
        return url.split(", ")[0] or root

    out: list[IndexedChunk] = []
    if profile.hours:
        days = []
        for key, day in zip(WEEKDAY_KEYS, WEEKDAY_NAMES, strict=True):
            spans = profile.hours.get(key) or []
            said = " and ".join(f"{_said(a)} to {_said(b)}" for a, b in spans)
            days.append(f"{day}: {said or 'closed'}")
        out.append(IndexedChunk(page("hours"), title, "Opening hours",
                                "Opening hours (when we are open and when we close): "
                                + "; ".join(days) + "."))
    if profile.address:
        out.append(IndexedChunk(page("address"), title, "Address and directions",
                                f"Where we are located (our address, where to find us): "
                                f"{profile.address}."))
    phones = [f"Phone number (call us): {_pretty(profile.phone)}"] if profile.phone else []
    phones += [f"{_PHONE_WORDS.get(label, label.title())}: {_pretty(number)}"
               for label, number in profile.other_phones]
    if phones:
        out.append(IndexedChunk(page("phone"), title, "Phone numbers", ". ".join(phones) + "."))
    lines = []
    for s in profile.services:
        extra = ", ".join(x for x in (s.price and f"price {s.price}",
                                      s.duration_min and f"takes about {s.duration_min} minutes")
                          if x)
        lines.append(f"{s.name}" + (f": {extra}" if extra else ""))
    for text in _grouped(lines):
        out.append(IndexedChunk(page("services"), title, "Services and prices",
                                "Services we offer (what we do, how much it costs):\n" + text))
    for faq in profile.faqs:
        out.append(IndexedChunk(root, title, faq.question, f"{faq.question}\n{faq.answer}"))
    return [replace(c, kind=PassageKind.PROFILE) for c in out]


def _key(line: str) -> str:
    return re.sub(r"\W+", " ", line.removeprefix("# ").lower()).strip()


def site_passages(pages: list[tuple[str, str, PageFacts]], root: str, name: str | None
                  ) -> list[IndexedChunk]:
    """Header, footer and sidebar text once for the site; text a page's main extract dropped,
    with that page (or once for the site when several pages repeat it)."""
    counts: Counter[str] = Counter()
    unique = {(t, *f.site_lines, "", *f.extra_lines): f for _, t, f in pages}
    for f in unique.values():
        counts.update({_key(x) for x in [*f.site_lines, *f.extra_lines]})
    shared: list[str] = []
    seen: set[str] = set()
    out: list[IndexedChunk] = []
    same: set[tuple[str, ...]] = set()   # "/" and "/index.html" are one page
    for url, title, f in pages:
        fingerprint = (title, *f.site_lines, "", *f.extra_lines)
        if fingerprint in same:
            continue
        same.add(fingerprint)
        own: list[str] = []
        for line in f.site_lines:
            key = _key(line)
            if key not in seen and (counts[key] > 1 or len(pages) == 1):
                seen.add(key)
                shared.append(line)
            elif key not in seen:
                seen.add(key)
                own.append(line)
        for line in f.extra_lines:
            key = _key(line)
            if key in seen:
                continue
            seen.add(key)
            (shared if counts[key] > 1 else own).append(line)
        out += [IndexedChunk(url, title, "More on this page", t, PassageKind.SITE)
                for t in _grouped(own)]
    label = f"{name or 'The business'}: on every page"
    return [IndexedChunk(root, label, "Site-wide", t, PassageKind.SITE)
            for t in _grouped(shared)] + out


def extra_passages(pages: list[tuple[str, str, PageFacts]], profile: BusinessProfile,
                   root: str) -> list[IndexedChunk]:
    return profile_passages(profile, root, pages) + site_passages(pages, root, profile.name)
