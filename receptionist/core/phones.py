"""Phone numbers: parse anything a person types, store E.164, show masked in logs."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers

__all__ = ["InvalidPhoneNumber", "is_anonymous", "mask", "normalize", "pretty", "try_normalize"]

# Twilio sends these (or an empty From) when the caller ID is withheld.
_ANONYMOUS = {"", "anonymous", "restricted", "unknown", "private", "unavailable", "+266696687",
              "+7378742833", "+2562533", "+86282452253", "+8656696"}


class InvalidPhoneNumber(ValueError):
    """Not a valid phone number; the message says what was given and the expected form."""


def normalize(raw: str, default_region: str = "US") -> str:
    """Return the E.164 form of ``raw`` or raise :class:`InvalidPhoneNumber`."""
    text = (raw or "").strip()
    try:
        parsed = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(
            f"{raw!r} is not a phone number; use international form like +15551234567"
        ) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhoneNumber(
            f"{raw!r} is not a valid phone number; use international form like +15551234567"
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=4096)  # every webhook normalises its business's number: parsing costs
def try_normalize(raw: str | None, default_region: str = "US") -> str | None:
    try:
        return normalize(raw or "", default_region)
    except InvalidPhoneNumber:
        return None


def is_anonymous(raw: str | None) -> bool:
    value = (raw or "").strip().lower()
    return value in _ANONYMOUS or value.startswith(("client:", "sip:"))


def mask(number: str | None) -> str:
    """Keep only the last four digits, for logs."""
    if not number:
        return "<none>"
    return "…" + number[-4:] if len(number) > 4 else "…"


def pretty(number: str) -> str:
    """National-style formatting for people, e.g. (555) 123-4567 for US numbers."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
