"""Bookable on day one: after a website is read, the services it lists become bookable.

Knowledge finds the services (with a duration where the site gives one); this module, in the
application because it joins two subsystems that must not know each other, hands them to the
calendar as *website* services: the site's duration, else a sensible default for the kind of
business, each shown to the owner as "from the website — please check". The owner's own
services (``service add``) and removals always win over a re-crawl (``calendar_sync``'s
``adopt_website_services``).

The kind of business is guessed from the words of its name and services, the same way for any
site; a business that is not booked by appointment (a cafe, a restaurant) gets no services.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from calendar_sync import WebsiteService, adopt_website_services
from knowledge import BusinessProfile, OnboardReport, Service
from receptionist.core import Clock, Database

__all__ = ["BusinessKind", "WebsiteServicesToCalendar", "bookable_services", "guess_kind",
           "website_services"]

MAX_SERVICES = 25
FROM_WEBSITE = "from the website — please check"


@dataclass(frozen=True)
class BusinessKind:
    name: str
    minutes: int | None  # a visit's usual length; None: not booked by appointment
    words: tuple[str, ...]  # word stems that name this kind of business or its services


# First match wins, so the more specific kinds come first. Lengths are common practice for a
# first booking (owners correct them): a dental cleaning or exam takes about an hour, a
# chiropractic adjustment half an hour, a groom one to two hours, a tradesman's visit an hour.
KINDS = (
    BusinessKind("food", None, ("cafe", "café", "restaurant", "diner", "bistro", "bakery",
                                "pizz", "burger", "takeaway", "coffee", "brunch", "menu")),
    BusinessKind("dental", 60, ("dental", "dentist", "teeth", "tooth", "orthodont", "implant",
                                "veneer", "root canal", "whitening")),
    BusinessKind("pet", 90, ("groom", "dog", "puppy", "cat", "pet", "paw", "kennel")),
    BusinessKind("vet", 30, ("vet", "veterinar", "animal")),
    BusinessKind("therapy", 30, ("chiropract", "physio", "osteopath", "adjustment", "spine",
                                 "acupunct", "therap")),
    BusinessKind("beauty", 60, ("salon", "spa", "hair", "barber", "nail", "beauty", "facial",
                                "massage", "wax", "lash", "brow")),
    BusinessKind("legal", 30, ("solicitor", "lawyer", "attorney", "legal", "law", "conveyanc",
                               "probate", "wills", "accountan", "tax")),
    BusinessKind("trade", 60, ("plumb", "electric", "heating", "boiler", "hvac", "roof",
                               "drain", "handyman", "rewir", "socket", "install", "repair")),
)
DEFAULT_MINUTES = 60
CONSULT_MINUTES = 30  # "free consultation", "initial consult": a conversation, not a job

# Pages and shop items that sites list among their services but nobody books by phone.
_NOT_BOOKABLE = re.compile(
    r"\b(gift|voucher|card|shop|store|blog|news|contact|about|home|faq|gallery|review|"
    r"testimonial|career|job|login|account|download|form|privacy|cookie|terms|policy|"
    r"pick your|book now|read more|learn more|see more|view all|click)\b", re.I)


def guess_kind(profile: BusinessProfile) -> BusinessKind | None:
    """The kind of business its name and service names speak of most; None when unsure."""
    text = " ".join([profile.name or "", *(s.name for s in profile.services)]).lower()
    best: tuple[int, int, BusinessKind] | None = None
    for order, kind in enumerate(KINDS):
        hits = sum(len(re.findall(rf"\b{re.escape(word)}", text)) for word in kind.words)
        # the name counts double: "Sisters Cafe" is a cafe whatever its menu says
        hits += sum(2 for word in kind.words if re.search(rf"\b{re.escape(word)}",
                                                          (profile.name or "").lower()))
        if hits and (best is None or (hits, -order) > (best[0], best[1])):
            best = (hits, -order, kind)
    return best[2] if best else None


# "Amanda Piper, Chartered Legal Executive", "Dr. Jane Roe": a person listed among the services
_PERSON = re.compile(r"^(?i:(dr|mr|mrs|ms)\.?\s)|^[A-Z][a-z]+ [A-Z][a-z'-]+,")


def _bookable(service: Service) -> bool:
    name = " ".join(service.name.split())
    return (2 < len(name) <= 60 and len(name.split()) <= 8 and not _NOT_BOOKABLE.search(name)
            and not _PERSON.search(name))


def bookable_services(profile: BusinessProfile) -> list[WebsiteService]:
    """The website's services as the calendar should offer them."""
    kind = guess_kind(profile)
    if kind is not None and kind.minutes is None:
        return []
    default = kind.minutes if kind is not None and kind.minutes else DEFAULT_MINUTES
    out: list[WebsiteService] = []
    for service in profile.services:
        if not _bookable(service):
            continue
        minutes = service.duration_min or 0
        if not 5 <= minutes <= 8 * 60:
            minutes = CONSULT_MINUTES if re.search(r"\bconsult", service.name, re.I) \
                else default
        out.append(WebsiteService(" ".join(service.name.split()), minutes))
        if len(out) == MAX_SERVICES:
            break
    return out


def website_services(services: Sequence[WebsiteService]) -> str:
    return ", ".join(f"{s.name} ({s.minutes} min)" for s in services)


class WebsiteServicesToCalendar:
    """The ``KnowledgeService`` hook run after every onboard and re-crawl."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def __call__(self, report: OnboardReport) -> list[str]:
        offered = bookable_services(report.profile)
        adopted = await adopt_website_services(self.db, self.clock, report.business_id, offered)
        notes: list[str] = []
        new = [s for s in offered if s.name in adopted.added or s.name in adopted.updated]
        if new:
            notes.append(f"Bookable now, {FROM_WEBSITE}: {website_services(new)}. Change one "
                         "with `receptionist service add --business "
                         f"{report.business_id} --name … --minutes …`.")
        if adopted.kept:
            notes.append(f"Kept as you set them: {', '.join(adopted.kept)}.")
        if adopted.dropped:
            notes.append(f"No longer on the website, so no longer bookable: "
                         f"{', '.join(adopted.dropped)}.")
        return notes
