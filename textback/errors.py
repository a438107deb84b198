"""Text-back errors.

    TextbackError
    ├── SmsSendError            the provider refused or failed a send
    │     .transient: retry later (5xx, timeouts, rate limits)
    │     .code: provider error code, e.g. "21610" (recipient opted out), "21211" (invalid To)
    │     .outcome_unknown: the request may have reached the provider (timeout, dropped
    │                       connection): look it up before sending again
    └── UnknownBusiness         a text arrived for a number no business owns
"""

from __future__ import annotations

__all__ = [
    "INVALID_NUMBER_CODES",
    "OPTED_OUT_CODES",
    "SmsSendError",
    "TextbackError",
    "UnknownBusiness",
]

OPTED_OUT_CODES = frozenset({"21610"})
INVALID_NUMBER_CODES = frozenset({"21211", "21614", "21612", "21408"})


class TextbackError(Exception):
    """Root of text-back errors."""


class SmsSendError(TextbackError):
    def __init__(self, message: str, *, transient: bool, code: str | None = None,
                 status: int | None = None, outcome_unknown: bool = False) -> None:
        super().__init__(message)
        self.transient = transient
        self.outcome_unknown = outcome_unknown
        self.code = code
        self.status = status


class UnknownBusiness(TextbackError):
    """No business owns the number a text was sent to."""
