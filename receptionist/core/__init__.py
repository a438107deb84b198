"""The kernel every subsystem stands on: settings, database, tenancy, phone numbers, clock,
spoken-English words, Twilio client, request signatures and the text analyzer that search and
answers share. It imports no other project module."""

from typing import TYPE_CHECKING

from receptionist.core.lazy import lazy_exports

if TYPE_CHECKING:  # imported on first use: see receptionist.core.lazy
    from receptionist.core.analyzer import STOPWORDS, analyze, normalize_numbers, stem, words
    from receptionist.core.clock import Clock, FixedClock, SystemClock, time_zone, utcnow
    from receptionist.core.crypto import SecretBox, SecretBoxError
    from receptionist.core.db import (
        Base,
        Database,
        Executor,
        UTCDateTime,
        dialect_insert,
        dialect_name,
        insert_ignore,
        orm_session,
    )
    from receptionist.core.directory import (
        REVISION_NOW,
        BusinessDirectory,
        StaleDirectory,
        TenancyRevision,
    )
    from receptionist.core.hours import HoursError, WeeklyHours, parse_closed_dates
    from receptionist.core.logs import configure_logging, log_event
    from receptionist.core.outbound import (
        BlockedDestination,
        OutboundPolicy,
        guarded_transport,
        is_public_address,
    )
    from receptionist.core.phones import (
        InvalidPhoneNumber,
        is_anonymous,
        mask,
        normalize,
        try_normalize,
    )
    from receptionist.core.phones import pretty as pretty_phone
    from receptionist.core.routing import NOTIFY_KINDS, Routing
    from receptionist.core.settings import Settings, SettingsError, SmsProvider, load_settings
    from receptionist.core.signatures import WebhookSigner
    from receptionist.core.spoken import (
        MONTH_WORDS,
        NUMBER_WORDS,
        ORDINAL_WORDS,
        TENS_WORDS,
        UNIT_WORDS,
        WEEKDAY_KEYS,
        WEEKDAY_NAMES,
        WEEKDAY_SHORT_WORDS,
        WEEKDAY_WORDS,
        complete_sentences,
        default_greeting,
        first_sentences,
        ordinal,
        split_sentences,
        spoken_date,
        spoken_datetime,
        spoken_hours,
        spoken_list,
        spoken_moment,
        spoken_price,
        spoken_time,
        spoken_when,
    )
    from receptionist.core.tenancy import (
        Business,
        BusinessNotFound,
        PhoneNumber,
        TeamMember,
        all_businesses,
        business_for_number,
        get_business,
    )
else:
    __getattr__, __dir__ = lazy_exports(__name__, __file__)

__all__ = [
    "MONTH_WORDS",
    "NOTIFY_KINDS",
    "NUMBER_WORDS",
    "ORDINAL_WORDS",
    "REVISION_NOW",
    "STOPWORDS",
    "TENS_WORDS",
    "UNIT_WORDS",
    "WEEKDAY_KEYS",
    "WEEKDAY_NAMES",
    "WEEKDAY_SHORT_WORDS",
    "WEEKDAY_WORDS",
    "Base",
    "BlockedDestination",
    "Business",
    "BusinessDirectory",
    "BusinessNotFound",
    "Clock",
    "Database",
    "Executor",
    "FixedClock",
    "HoursError",
    "InvalidPhoneNumber",
    "OutboundPolicy",
    "PhoneNumber",
    "Routing",
    "SecretBox",
    "SecretBoxError",
    "Settings",
    "SettingsError",
    "SmsProvider",
    "StaleDirectory",
    "SystemClock",
    "TeamMember",
    "TenancyRevision",
    "UTCDateTime",
    "WebhookSigner",
    "WeeklyHours",
    "all_businesses",
    "analyze",
    "business_for_number",
    "complete_sentences",
    "configure_logging",
    "default_greeting",
    "dialect_insert",
    "dialect_name",
    "first_sentences",
    "get_business",
    "guarded_transport",
    "insert_ignore",
    "is_anonymous",
    "is_public_address",
    "load_settings",
    "log_event",
    "mask",
    "normalize",
    "normalize_numbers",
    "ordinal",
    "orm_session",
    "parse_closed_dates",
    "pretty_phone",
    "split_sentences",
    "spoken_date",
    "spoken_datetime",
    "spoken_hours",
    "spoken_list",
    "spoken_moment",
    "spoken_price",
    "spoken_time",
    "spoken_when",
    "stem",
    "time_zone",
    "try_normalize",
    "utcnow",
    "words",
]
