"""Postal addresses found in page text, in the common forms of the US, Canada, the UK, Ireland
and Australia. Pure functions.

An address is found by its tail, which each country writes in a fixed shape (US "City, ST
12345", Canada "City, AB T6W 4V4", UK "WR1 1LW", Ireland's Eircode "D02 X285" or "Co. Cork",
Australia "Suburb NSW 2000"), and then grown backwards, on the same line or over the lines just
above it, to where the street starts (a house number, "Unit", "Suite", "Shop"…). Without a
street start nothing is returned, so a copyright line or a town name alone is never taken.
"""

from __future__ import annotations

import re

__all__ = ["find_address"]

_US_STATES = ("AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|"
              "NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY")
_CA_PROVINCES = "AB|BC|MB|NB|NL|NS|NT|NU|ON|PE|QC|SK|YT"
_AU_STATES = "NSW|VIC|QLD|SA|WA|TAS|NT|ACT|Vic|Qld|Tas"
_TAILS = [
    ("US", re.compile(rf"\b(?:{_US_STATES})\.?,?\s+\d{{5}}(?:-\d{{4}})?\b")),
    ("CA", re.compile(rf"\b(?:{_CA_PROVINCES}),?\s+[A-Z]\d[A-Z]\s?\d[A-Z]\d\b")),
    ("GB", re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\s*\d[ABD-HJLNP-UW-Z]{2}\b")),
    ("IE", re.compile(r"\b(?:[AC-FHKNPRTV-Y]\d{2}|D6W)\s?[0-9AC-FHKNPRTV-Y]{4}\b|"
                      r"\bCo\.?\s+[A-Z][a-z]+\b|\bDublin\s+\d{1,2}\b")),
    ("AU", re.compile(rf"\b(?:{_AU_STATES})\s+\d{{4}}\b")),
]
_START = re.compile(
    r"(?:\b(?:Unit|Suite|Ste\.?|Shop|Level|Floor|Flat|Apt\.?|Building|P\.?O\.? Box)\s+\w+|"
    r"(?<![\w£$€.,:/-])\d{1,5}[A-Za-z]?(?:[-/]\d{1,5})?,?\s+(?=[A-Z][a-z]|[NSEW]\.?\s|"
    r"(?:N|S|E|W|NE|NW|SE|SW)\s))", re.IGNORECASE)
_NOT_ADDRESS = re.compile(r"©|copyright|all rights reserved|\bregistered\b|@|https?://|"
                          r"\b(?:call|phone|tel|fax|email)\b", re.IGNORECASE)
_EIRCODE_AFTER = re.compile(r",?\s*(?:[AC-FHKNPRTV-Y]\d{2}|D6W)\s?[0-9AC-FHKNPRTV-Y]{4}\b")
_MAX_LINES_BACK = 4
_MAX_LEN = 160


def _clean(text: str) -> str:
    text = re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip(" ,;|-–—:")
    return re.sub(r"\s+,", ",", text)


def _head(before: str) -> int | None:
    """Where the street starts in ``before`` (the last start that leaves a street name)."""
    starts = [m.start() for m in _START.finditer(before)]
    return starts[0] if starts else None


def _from_lines(lines: list[str], i: int, end: int) -> str | None:
    line = lines[i][:end]
    # The tail's own line, cut at a label or separator before the street ("Address: 8 …").
    segment = re.split(r"\s[|•·]\s|\s[-–—]\s|:\s", line)[-1] if _head(line) is None else line
    start = _head(segment)
    if start is not None:
        return segment[start:]
    parts = [segment]
    for back in range(1, _MAX_LINES_BACK + 1):
        if i - back < 0:
            break
        prev = lines[i - back].strip()
        if not prev or len(prev) > 80 or _NOT_ADDRESS.search(prev):
            break
        parts.insert(0, prev)
        start = _head(prev)
        if start is not None:
            parts[0] = prev[start:]
            return ", ".join(parts)
    return None


def find_address(lines: list[str]) -> tuple[str, str] | None:
    """The first postal address in ``lines`` (visible text lines, in order) and its country
    code, or ``None``."""
    for i, line in enumerate(lines):
        if len(line) > 600 or _NOT_ADDRESS.search(line[:40]):
            continue
        for country, tail in _TAILS:
            for m in tail.finditer(line):
                end = m.end()
                more = _EIRCODE_AFTER.match(line, end)   # "Naas, Co. Kildare, W91 X2Y3"
                end = more.end() if more else end
                found = _from_lines(lines, i, end)
                if not found:
                    continue
                address = _clean(found)
                if 8 <= len(address) <= _MAX_LEN and not _NOT_ADDRESS.search(address):
                    return address, country
    return None
