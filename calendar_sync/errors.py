"""Calendar errors.

    CalendarError                 root; ``.transient`` says whether trying again later can help
    ├── CalendarUnavailable       server down, slow (timeout), 5xx or rate limited      transient
    │     └── WriteOutcomeUnknown a write the server never answered: it may hold it    transient
    ├── CalendarAuthError         wrong username/password, or access refused (401/403)  permanent
    ├── CalendarMissing           the calendar (collection) is gone: deleted under us   permanent
    ├── CalendarProtocolError     an answer we cannot use (not CalDAV, bad XML)         permanent
    ├── WriteConflict             a conditional write lost (412: If-Match/If-None-Match) permanent
    └── SetupError                calendar set-up the owner can fix (also a ValueError)
          ├── AddressRefused      the server, or a URL it named, is on a private, loopback or
          │                       link-local address: never contacted (the SSRF guard)
          ├── ServiceNotFound     no such service for the business (also a LookupError)
          └── BookingNotFound     no such booking (also a LookupError)
    WhenNotUnderstood (ValueError) what a caller said is not a date or time we can use

Adapters translate provider exceptions (``raise … from exc``); the caller-facing layer shows
``caller_message`` and the service records a request for the team instead of losing it.
"""

from __future__ import annotations

__all__ = [
    "CALLER_UNAVAILABLE_MESSAGE",
    "AddressRefused",
    "BookingNotFound",
    "CalendarAuthError",
    "CalendarError",
    "CalendarMissing",
    "CalendarProtocolError",
    "CalendarUnavailable",
    "ServiceNotFound",
    "SetupError",
    "WhenNotUnderstood",
    "WriteConflict",
    "WriteOutcomeUnknown",
]

CALLER_UNAVAILABLE_MESSAGE = (
    "I can't reach the calendar right now, so I'll have the team confirm your time by text."
)


class CalendarError(Exception):
    """Root of calendar errors."""

    transient: bool = False
    caller_message: str = CALLER_UNAVAILABLE_MESSAGE


class CalendarUnavailable(CalendarError):
    transient = True


class WriteOutcomeUnknown(CalendarUnavailable):
    """A new event was sent and no answer came (the server hung): it may be on the calendar.
    ``href`` is where it would be; ``uid`` and ``calendar_id`` are filled in by the booking."""

    def __init__(self, message: str, *, href: str, uid: str | None = None,
                 calendar_id: int | None = None) -> None:
        super().__init__(message)
        self.href = href
        self.uid = uid
        self.calendar_id = calendar_id


class CalendarAuthError(CalendarError):
    pass


class CalendarMissing(CalendarError):
    pass


class CalendarProtocolError(CalendarError):
    pass


class WriteConflict(CalendarError):
    """A conditional PUT/DELETE was refused with 412: someone else wrote first."""


class SetupError(CalendarError, ValueError):
    caller_message = "I can't book that right now; I'll have the team get back to you."


class AddressRefused(SetupError):
    """Refused before connecting: the address is not one the product reaches for an owner."""


class ServiceNotFound(SetupError, LookupError):
    pass


class BookingNotFound(SetupError, LookupError):
    pass


class WhenNotUnderstood(ValueError):
    """The text does not name a day or time we can use; the message says what was heard."""
