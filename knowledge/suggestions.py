"""What a language model may add to a profile: the gaps the rules could not fill, a greeting and
a text-back template. Everything it says is validated here; anything invalid is dropped, and
nothing it says replaces a value the website stated. Pure functions."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from knowledge.profile import BusinessProfile
from receptionist.core import HoursError, WeeklyHours, try_normalize

__all__ = ["TEMPLATE_FIELDS", "ProfileSuggestion", "fill_gaps", "parse_suggestion",
           "suggestion_prompt"]

TEMPLATE_FIELDS = ("business", "booking_link", "first_name")
_MAX_GREETING = 200
_MAX_TEMPLATE = 320


@dataclass(frozen=True)
class ProfileSuggestion:
    name: str | None = None
    phone: str | None = None
    address: str | None = None
    hours: dict[str, list[list[str]]] | None = None
    booking_link: str | None = None
    greeting: str | None = None
    textback_template: str | None = None


def _text(value: Any, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value if 0 < len(value) <= limit else None


def parse_suggestion(data: Any) -> ProfileSuggestion:
    """Validate a model's JSON answer field by field."""
    if not isinstance(data, dict):
        return ProfileSuggestion()
    hours = None
    if isinstance(data.get("hours"), str) and data["hours"].strip():
        try:
            parsed = WeeklyHours.parse(data["hours"])
            hours = parsed.to_json() if not parsed.is_empty else None
        except HoursError:
            hours = None
    link = _text(data.get("booking_link"), 500)
    template = _text(data.get("textback_template"), _MAX_TEMPLATE)
    if template is not None:
        fields = set(re.findall(r"\{([^{}]*)\}", template))
        if not fields <= set(TEMPLATE_FIELDS) or "{" in re.sub(r"\{[a-z_]+\}", "", template):
            template = None
    return ProfileSuggestion(
        name=_text(data.get("name"), 120),
        phone=try_normalize(data.get("phone") if isinstance(data.get("phone"), str) else None),
        address=_text(data.get("address"), 200),
        hours=hours,
        booking_link=link if link and link.startswith(("https://", "http://")) else None,
        greeting=_text(data.get("greeting"), _MAX_GREETING),
        textback_template=template,
    )


def fill_gaps(profile: BusinessProfile, suggestion: ProfileSuggestion) -> BusinessProfile:
    """Use the suggestion only where the website left a field empty."""
    return replace(
        profile,
        name=profile.name or suggestion.name,
        phone=profile.phone or suggestion.phone,
        address=profile.address or suggestion.address,
        hours=profile.hours or suggestion.hours or {},
        booking_link=profile.booking_link or suggestion.booking_link,
    )


def suggestion_prompt(profile: BusinessProfile, excerpts: str) -> list[dict[str, str]]:
    known = {k: v for k, v in profile.to_json().items() if k not in ("services", "faqs")}
    return [
        {"role": "system", "content": (
            "You set up a phone receptionist for a small business from its website. Answer "
            "with one JSON object with the keys name, phone, address, hours, booking_link, "
            "greeting, textback_template. Use null for anything the website text does not "
            "state; never guess. hours uses the form 'Mon-Fri 08:00-17:00; Sat 09:00-13:00'. "
            "greeting is one friendly sentence the receptionist says when answering. "
            "textback_template is an SMS under 300 characters sent after a missed call; it may "
            "use only the placeholders {business}, {booking_link} and {first_name}.")},
        {"role": "user", "content": (
            f"What the rules already found (keep these):\n{known}\n\n"
            f"Website text:\n{excerpts[:8000]}")},
    ]
