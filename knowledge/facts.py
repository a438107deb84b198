"""What one page says about the business, from structured data first and the text as a fallback:
phone numbers (``tel:`` links, text), address, hours, services with prices and durations (price
tables and lists), FAQs (question headings, ``<details>``, ``<dt>``) and booking links
(Calendly, Cal.com, Square, Vagaro… or the site's own /book page). Pure functions."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

import phonenumbers

from knowledge.addresses import find_address
from knowledge.hours_text import hours_from_text
from receptionist.core import try_normalize

__all__ = ["BOOKING_HOSTS", "PageFacts", "booking_score", "parse_duration_min", "phone_label",
           "text_facts"]

BOOKING_HOSTS = (
    "calendly.com", "cal.com", "squareup.com", "square.site", "vagaro.com", "acuityscheduling.com",
    "as.me", "setmore.com", "booksy.com", "fresha.com", "schedulicity.com", "mindbodyonline.com",
    "opentable.com", "resy.com", "simplybook.me", "youcanbook.me", "zocdoc.com", "housecallpro.com",
    "getjobber.com", "tidycal.com", "appointy.com", "styleseat.com", "glossgenius.com",
    "booker.com", "sevenrooms.com", "tock.com", "zenoti.com", "picktime.com", "10to8.com",
)
_BOOK_PATH = re.compile(r"/(book|booking|bookings|book-?now|book-?online|appointments?|"
                        r"schedule|reserve|reservations?|request-appointment)"
                        r"(?:[/.-]|$)", re.IGNORECASE)
_BOOK_TEXT = re.compile(r"\b(book|schedule|reserve|appointment)", re.IGNORECASE)
_PRICE = re.compile(r"(?:from\s+|starting at\s+)?[$£€]\s?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{2})?",
                    re.IGNORECASE)
_DURATION = re.compile(
    r"\b(\d+(?:\.\d+)?|an?|one|two|three|four|half an?)\s*(?:-|to)?\s*"
    r"(minutes?|mins?|hours?|hrs?)\b", re.IGNORECASE)
_PHONE = re.compile(r"(?:\+?1[\s.-]?)?\(?\b[2-9]\d{2}\)?[\s.-]?\d{3}[\s.-]?\d{4}\b")
_ADDRESS = re.compile(
    r"\b\d{1,6}\s+(?:[NSEW]{1,2}\s+)?[A-Z0-9][\w.'-]*(?:\s+[\w.'-]+){0,4}?\s+"
    r"(?:St|Street|Ave|Avenue|Rd|Road|Blvd|Boulevard|Dr|Drive|Ln|Lane|Way|Ct|Court|Pl|Place|"
    r"Hwy|Highway|Pkwy|Parkway|Sq|Square|Ter|Terrace|Cir|Circle)\.?"
    r"(?:,?\s*(?:Suite|Ste\.?|Unit|#)\s*[\w-]+)?,?\s+[A-Z][A-Za-z .'-]+,\s*[A-Z]{2}\s+\d{5}"
    r"(?:-\d{4})?")
# "Jane Smith, Partner, Solicitor | £300" is a person's hourly rate, not a service.
_STAFF_RATE = re.compile(r",\s*(?:[A-Za-z]+\s+){0,2}(?:partner|solicitor|"
                         r"director|associate|manager|executive|assistant|paralegal|trainee|"
                         r"consultant|lawyer|attorney)\b", re.IGNORECASE)
_PHONE_LABELS = [
    ("fax", re.compile(r"\bfax\b|facsimile", re.IGNORECASE)),
    ("after-hours", re.compile(r"after[- ]?hours|out[- ]of[- ]hours|nights?|weekends?",
                               re.IGNORECASE)),
    ("emergency", re.compile(r"emergenc|urgent|24/7|24 hours?", re.IGNORECASE)),
    ("mobile", re.compile(r"\b(?:mobile|cell)\b", re.IGNORECASE)),
    ("whatsapp", re.compile(r"whatsapp", re.IGNORECASE)),
]
_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "half a": 0.5,
          "half an": 0.5}


@dataclass
class PageFacts:
    businesses: list[dict[str, Any]] = field(default_factory=list)
    site_name: str | None = None
    services: list[dict[str, Any]] = field(default_factory=list)
    faqs: list[dict[str, str]] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)        # from tel: links
    text_phones: list[str] = field(default_factory=list)   # from the text
    hours: dict[str, list[list[str]]] | None = None         # from the text
    address: str | None = None                              # from the text
    booking: list[dict[str, Any]] = field(default_factory=list)  # {url, score}
    # Where a page says what: names it offers ({method, value}), every phone number with its
    # label and prominence ({number, label, where}), the country its address is in.
    names: list[dict[str, str]] = field(default_factory=list)
    phone_info: list[dict[str, str]] = field(default_factory=list)
    country: str | None = None
    # Text the main-text extractor leaves out: page chrome (header, footer, sidebars) and
    # lines of the page body it dropped, indexed once per site by :mod:`knowledge.sitewide`.
    site_lines: list[str] = field(default_factory=list)
    extra_lines: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> PageFacts:
        known = {k: v for k, v in (data or {}).items() if k in cls.__dataclass_fields__}
        return cls(**known)


def parse_duration_min(text: str) -> int | None:
    m = _DURATION.search(text)
    if not m:
        return None
    qty_text = m.group(1).lower()
    qty = _WORDS.get(qty_text)
    if qty is None:
        try:
            qty = float(qty_text)
        except ValueError:
            return None
    minutes = qty * 60 if m.group(2).lower().startswith("h") else qty
    return round(minutes) if 0 < minutes <= 24 * 60 else None


def booking_score(url: str, anchor_text: str, page_url: str) -> int:
    """3: a known booking provider; 2: the site's own /book-style page; 1: link text says book."""
    host = (urlsplit(url).hostname or "").lower()
    if any(host == h or host.endswith("." + h) for h in BOOKING_HOSTS):
        return 3
    same = (urlsplit(page_url).hostname or "").lower().removeprefix("www.") == \
        host.removeprefix("www.")
    if same and _BOOK_PATH.search(urlsplit(url).path):
        return 2
    if same and _BOOK_TEXT.search(anchor_text or ""):
        return 1
    return 0


def _service_from_line(cells: list[str]) -> dict[str, Any] | None:
    """A price-table row or a list item such as "Drain cleaning — $149 (1 hour)"."""
    joined = " | ".join(cells)
    price_m = _PRICE.search(joined)
    if not price_m:
        return None
    if len(cells) >= 2:
        name = next((c for c in cells if not _PRICE.search(c) and c.strip()), "")
    else:
        name = re.split(r"\s+[—–:-]\s+|\s*[:–—]\s*|\.{2,}", cells[0])[0]
        name = name if not _PRICE.search(name) else ""
    name = re.sub(r"\s+", " ", name).strip(" -–—:|")
    if not name or len(name) > 80 or len(name.split()) > 10 or _STAFF_RATE.search(name):
        return None
    price = re.sub(r"\s+", " ", price_m.group(0)).strip()
    price = price[0].lower() + price[1:] if price.lower().startswith(("from", "starting")) \
        else price
    return {"name": name, "price": price, "duration_min": parse_duration_min(joined),
            "description": None}


def phone_label(context: str) -> str:
    """What a number next to ``context`` is for: main, fax, emergency, after-hours, mobile…"""
    for label, pattern in _PHONE_LABELS:
        if pattern.search(context):
            return label
    return "main"


def text_facts(*, blocks: list[tuple[str, list[str]]], anchors: list[tuple[str, str]],
               page_url: str, faqs: list[dict[str, str]], lines: list[str] | None = None,
               chrome: list[str] | None = None, region: str = "US") -> PageFacts:
    """Fallback facts from a page's text blocks (``(tag, cells)``), links (``(url, text)``)
    and, when given, its visible ``lines`` (``chrome`` being those in header/footer/sidebar)."""
    facts = PageFacts(faqs=faqs)
    if lines is None:
        lines = [" | ".join(cells) for _tag, cells in blocks]
    full = "\n".join(lines)
    chrome_set = set(chrome or [])
    found = find_address(lines)
    if found is None:
        found_us = _ADDRESS.search(full.replace("\n", " "))
        found = (found_us.group(0), "US") if found_us else None
    region = found[1] if found and region == "US" else region
    for url, text in anchors:
        if url.lower().startswith("tel:"):
            number = try_normalize(url[4:].strip().lstrip(">"), region)
            if number and number not in facts.phones:
                facts.phones.append(number)
                facts.phone_info.append({"number": number, "label": phone_label(text),
                                         "where": "tel"})
            continue
        score = booking_score(url, text, page_url)
        if score and url.startswith(("http://", "https://")):
            facts.booking.append({"url": url, "score": score})
    for i, line in enumerate(lines):
        if not re.search(r"\d{3}", line):
            continue
        for match in phonenumbers.PhoneNumberMatcher(line, region):
            number = phonenumbers.format_number(match.number,
                                                phonenumbers.PhoneNumberFormat.E164)
            # The label is what precedes the number on its line, or the line above.
            context = line[:match.start][-60:] or (lines[i - 1][-60:] if i else "")
            label = phone_label(context)
            if number not in facts.text_phones:
                facts.text_phones.append(number)
            facts.phone_info.append({"number": number, "label": label,
                                     "where": "chrome" if line in chrome_set else "text"})
    hours = hours_from_text(full)
    facts.hours = hours.to_json() if hours else None
    if found:
        facts.address, facts.country = found
    else:
        for tag, cells in blocks:
            if tag == "address":
                facts.address = ", ".join(c for c in cells if c) or None
                break
    seen: set[str] = set()
    for tag, cells in blocks:
        if tag not in ("tr", "li"):
            continue
        service = _service_from_line(cells)
        if service and service["name"].lower() not in seen:
            seen.add(service["name"].lower())
            facts.services.append(service)
    return facts
