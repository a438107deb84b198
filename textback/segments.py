"""SMS segment counting: GSM-7 (160 / 153 per part) or UCS-2 (70 / 67 per part)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

__all__ = ["SegmentInfo", "count_segments"]

_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = set("^{}\\[~]|€\f")


@dataclass(frozen=True)
class SegmentInfo:
    encoding: str  # "GSM-7" | "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int
    single_limit: int

    @property
    def fits_one(self) -> bool:
        return self.segments <= 1


# Counted for every text queued, which is mostly a business's same text-back template: a
# character-by-character pass per text, done once per distinct text.
@lru_cache(maxsize=1024)
def count_segments(text: str) -> SegmentInfo:
    if all(c in _GSM_BASIC or c in _GSM_EXTENDED for c in text):
        septets = [2 if c in _GSM_EXTENDED else 1 for c in text]
        units = sum(septets)
        if units <= 160:
            return SegmentInfo("GSM-7", units, 1 if units else 0, 160)
        return SegmentInfo("GSM-7", units, _pack(septets, 153), 160)
    # Counted from the code point: a lone surrogate (which has no UTF-16 encoding) is one unit.
    code_units = [2 if ord(c) > 0xFFFF else 1 for c in text]
    units = sum(code_units)
    if units <= 70:
        return SegmentInfo("UCS-2", units, 1, 70)
    return SegmentInfo("UCS-2", units, _pack(code_units, 67), 70)


def _pack(sizes: list[int], per_part: int) -> int:
    # An escape pair (GSM-7) or a surrogate pair (UCS-2) may not be split across parts.
    parts, used = 1, 0
    for size in sizes:
        if used + size > per_part:
            parts += 1
            used = 0
        used += size
    return parts
