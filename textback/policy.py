"""The text-back rule: given a missed call, send a text or skip it, and say why.

Pure and small on purpose: this is the one place the decision is made; the service feeds it what
the database knows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from receptionist.core import is_anonymous, try_normalize

__all__ = ["Caller", "SkipReason", "TextbackVerdict", "decide"]


class SkipReason(StrEnum):
    DISABLED = "disabled"
    ANONYMOUS = "anonymous"
    INVALID_NUMBER = "invalid_number"
    OWN_NUMBER = "own_number"
    TEAM_MEMBER = "team_member"
    OPTED_OUT = "opted_out"
    COOLDOWN = "cooldown"


@dataclass(frozen=True)
class Caller:
    raw: str | None
    opted_out: bool = False
    last_textback_at: datetime | None = None


@dataclass(frozen=True)
class TextbackVerdict:
    send: bool
    to: str | None = None
    skip_reason: SkipReason | None = None


def decide(
    caller: Caller,
    *,
    now: datetime,
    enabled: bool,
    business_numbers: frozenset[str],
    team_numbers: frozenset[str],
    cooldown: timedelta,
) -> TextbackVerdict:
    if not enabled:
        return TextbackVerdict(False, skip_reason=SkipReason.DISABLED)
    if is_anonymous(caller.raw):
        return TextbackVerdict(False, skip_reason=SkipReason.ANONYMOUS)
    number = try_normalize(caller.raw)
    if number is None:
        return TextbackVerdict(False, skip_reason=SkipReason.INVALID_NUMBER)
    if number in business_numbers:
        return TextbackVerdict(False, number, SkipReason.OWN_NUMBER)
    if number in team_numbers:
        return TextbackVerdict(False, number, SkipReason.TEAM_MEMBER)
    if caller.opted_out:
        return TextbackVerdict(False, number, SkipReason.OPTED_OUT)
    if caller.last_textback_at is not None and now - caller.last_textback_at < cooldown:
        return TextbackVerdict(False, number, SkipReason.COOLDOWN)
    return TextbackVerdict(True, number)
