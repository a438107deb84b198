"""Owner edits versus what the website says.

The crawl copies name, hours, address, booking link, time zone and greeting onto the
:class:`~receptionist.core.Business` unless the owner set them (``Business.overrides``); the
owner's services, FAQs and phone live in ``KnowledgeSite.owner``, apart from the extracted
profile. :func:`effective_profile` is what the agent sees: the owner's value wherever there is
one."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from knowledge.models import KnowledgeSite
from knowledge.profile import BusinessProfile, Faq, Service
from receptionist.core import Business, default_greeting, normalize

__all__ = ["APPLIED_FIELDS", "apply_to_business", "effective_profile", "owner_value"]

APPLIED_FIELDS = ("name", "hours", "address", "booking_link", "timezone", "greeting")


def owner_value(key: str, value: Any) -> Any:
    if key == "phone":
        return normalize(str(value)) if value else None
    if key == "services":
        return [Service.from_json(s).to_json() for s in value or []]
    return [Faq(str(f["question"]), str(f["answer"])).to_json() for f in value or []]


def apply_to_business(biz: Business, profile: BusinessProfile, root: str, *,
                      greeting: str | None = None, textback_template: str | None = None) -> None:
    """Copy what the website says onto the business, except the fields the owner set. A
    suggested text-back template only fills an empty one."""
    name = profile.name or (urlsplit(root).hostname or "New business").removeprefix("www.")
    values = {"name": name, "hours": profile.hours or None, "address": profile.address,
              "booking_link": profile.booking_link, "timezone": profile.timezone,
              "greeting": greeting or default_greeting(name)}
    overridden = set(biz.overrides or [])
    for key in APPLIED_FIELDS:
        if key not in overridden and values[key]:
            setattr(biz, key, values[key])
    if textback_template and not biz.textback_template:
        biz.textback_template = textback_template


def effective_profile(biz: Business, site: KnowledgeSite | None) -> BusinessProfile:
    extracted = BusinessProfile.from_storage(site.extracted if site else None)
    owner = (site.owner if site else None) or {}

    def pick(key: str) -> Any:
        return biz.own_or_website(key, getattr(extracted, key))

    return BusinessProfile(
        name=biz.name, phone=owner["phone"] if "phone" in owner else extracted.phone,
        address=pick("address"), hours=pick("hours") or {},
        services=tuple(Service.from_json(s) for s in owner["services"]) if "services" in owner
        else extracted.services, booking_link=pick("booking_link"),
        faqs=tuple(Faq(f["question"], f["answer"]) for f in owner["faqs"]) if "faqs" in owner
        else extracted.faqs, timezone=biz.timezone, price_range=extracted.price_range)
