"""A business's time zone guessed from its address (US state, Canadian province) or, failing
that, from its phone number's area code."""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import timezone as phone_timezone

__all__ = ["guess_timezone"]

_E, _C, _M, _P = "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"
_REGIONS = {
    "AL": _C, "AK": "America/Anchorage", "AZ": "America/Phoenix", "AR": _C, "CA": _P, "CO": _M,
    "CT": _E, "DE": _E, "DC": _E, "FL": _E, "GA": _E,
    "HI": "Pacific/Honolulu", "ID": "America/Boise",
    "IL": _C, "IN": "America/Indiana/Indianapolis", "IA": _C, "KS": _C, "KY": _E, "LA": _C,
    "ME": _E, "MD": _E, "MA": _E, "MI": "America/Detroit", "MN": _C, "MS": _C, "MO": _C,
    "MT": _M, "NE": _C, "NV": _P, "NH": _E, "NJ": _E, "NM": _M, "NY": _E, "NC": _E, "ND": _C,
    "OH": _E, "OK": _C, "OR": _P, "PA": _E, "RI": _E, "SC": _E, "SD": _C, "TN": _C, "TX": _C,
    "UT": _M, "VT": _E, "VA": _E, "WA": _P, "WV": _E, "WI": _C, "WY": _M,
    "PR": "America/Puerto_Rico",
    "ON": "America/Toronto", "QC": "America/Toronto", "BC": "America/Vancouver",
    "AB": "America/Edmonton", "MB": "America/Winnipeg", "SK": "America/Regina",
    "NS": "America/Halifax", "NB": "America/Moncton", "NL": "America/St_Johns",
    "PE": "America/Halifax",
}
_REGION_AT_END = re.compile(r"\b([A-Z]{2})\.?\s*(?:\d{5}(?:-\d{4})?|[A-Z]\d[A-Z]\s?\d[A-Z]\d)?"
                            r"(?:,?\s*(?:US|USA|United States|CA|Canada))?\s*$")


def guess_timezone(address: str | None, phone: str | None) -> str | None:
    if address:
        m = _REGION_AT_END.search(address.strip())
        if m and m.group(1) in _REGIONS:
            return _REGIONS[m.group(1)]
    if phone:
        try:
            zones = phone_timezone.time_zones_for_number(phonenumbers.parse(phone, "US"))
        except phonenumbers.NumberParseException:
            return None
        if len(zones) == 1 and zones[0] != "Etc/Unknown":
            return str(zones[0])
    return None
