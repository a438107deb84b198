"""Calendars over CalDAV: availability, booking, cancel/reschedule, and an embedded Radicale.

The voice agent and the application use :class:`CalendarService` (built by the composition root
with ``CalendarService.from_settings(settings, db, clock=…, notifier=…)``)::

    search = await calendar.find_slots(business_id, "Drain cleaning", "next Tuesday after 3")
    search.slots, search.preferred_free, search.alternatives, search.message
    result = await calendar.book(business_id, "Drain cleaning", search.slots[0].start,
                                 caller_name="Jane Doe", caller_phone="+15551234567",
                                 notes="kitchen sink", call_sid=call_sid)
    result.status            # "booked" | "taken" (see result.alternatives) | "requested"
    await calendar.cancel(business_id, "+15551234567")                 # by the caller's phone
    await calendar.reschedule(business_id, "+15551234567", new_start)  # If-Match on the ETag
    await calendar.bookings(business_id, "+15551234567")               # what is booked
    await calendar.when(business_id, "tomorrow morning")               # words -> TimeRange

Time words are read relative to the injected clock, in the business's time zone
(:func:`parse_when`). After a change the :class:`BookingNotifier` is called inside the same
transaction; :class:`TextingNotifier` turns it into team and caller texts through functions
the application passes in (the textback outbox). Errors: see :mod:`calendar_sync.errors`.
"""

from typing import TYPE_CHECKING

from receptionist.core.lazy import lazy_exports

if TYPE_CHECKING:  # imported on first use: see receptionist.core.lazy
    from calendar_sync.availability import (
        BookingPolicy,
        Busy,
        DailyWindow,
        Schedule,
        ServiceRule,
        Slot,
        SlotCheck,
        Unavailable,
        check_slot,
        free_slots,
        nearest_alternatives,
    )
    from calendar_sync.busy import busy_from_ical
    from calendar_sync.caldav_backend import CaldavBackend
    from calendar_sync.embedded_radicale import EmbeddedRadicale
    from calendar_sync.errors import (
        CALLER_UNAVAILABLE_MESSAGE,
        AddressRefused,
        BookingNotFound,
        CalendarAuthError,
        CalendarError,
        CalendarMissing,
        CalendarProtocolError,
        CalendarUnavailable,
        ServiceNotFound,
        SetupError,
        WhenNotUnderstood,
        WriteConflict,
    )
    from calendar_sync.messages import short_time, spoken_slots
    from calendar_sync.models import (
        BookableService,
        Booking,
        CalendarConnection,
        CalendarPolicy,
        CalendarRow,
        ServiceOrigin,
    )
    from calendar_sync.notifier import TextingNotifier
    from calendar_sync.ports import (
        BookingNotifier,
        CalendarBackend,
        NullNotifier,
        RemoteCalendar,
        StoredEvent,
    )
    from calendar_sync.results import (
        BookingInfo,
        BookingResult,
        BookingStatus,
        CalendarInfo,
        CancelResult,
        ConnectionCheck,
        ServiceInfo,
        SlotSearch,
    )
    from calendar_sync.routes import router
    from calendar_sync.service import CalendarService
    from calendar_sync.settings import CalendarConfig, CalendarSettings, calendar_config
    from calendar_sync.website_services import (
        AdoptedServices,
        WebsiteService,
        adopt_website_services,
    )
    from calendar_sync.when import TimeRange, date_range, parse_when
else:
    __getattr__, __dir__ = lazy_exports(__name__, __file__)

__all__ = [
    "CALLER_UNAVAILABLE_MESSAGE",
    "AddressRefused",
    "AdoptedServices",
    "BookableService",
    "Booking",
    "BookingInfo",
    "BookingNotFound",
    "BookingNotifier",
    "BookingPolicy",
    "BookingResult",
    "BookingStatus",
    "Busy",
    "CaldavBackend",
    "CalendarAuthError",
    "CalendarBackend",
    "CalendarConfig",
    "CalendarConnection",
    "CalendarError",
    "CalendarInfo",
    "CalendarMissing",
    "CalendarPolicy",
    "CalendarProtocolError",
    "CalendarRow",
    "CalendarService",
    "CalendarSettings",
    "CalendarUnavailable",
    "CancelResult",
    "ConnectionCheck",
    "DailyWindow",
    "EmbeddedRadicale",
    "NullNotifier",
    "RemoteCalendar",
    "Schedule",
    "ServiceInfo",
    "ServiceNotFound",
    "ServiceOrigin",
    "ServiceRule",
    "SetupError",
    "Slot",
    "SlotCheck",
    "SlotSearch",
    "StoredEvent",
    "TextingNotifier",
    "TimeRange",
    "Unavailable",
    "WebsiteService",
    "WhenNotUnderstood",
    "WriteConflict",
    "adopt_website_services",
    "busy_from_ical",
    "calendar_config",
    "check_slot",
    "date_range",
    "free_slots",
    "nearest_alternatives",
    "parse_when",
    "router",
    "short_time",
    "spoken_slots",
]
