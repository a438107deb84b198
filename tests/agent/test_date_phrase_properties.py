"""Property tests on date and time phrases: what a caller says either reads as a time range in
the future (start < end) or raises :class:`WhenNotUnderstood`; the local brain's slot readers
never raise on any text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from calendar_sync import WhenNotUnderstood
from calendar_sync.when import parse_when
from receptionist.agent.local.intents import normalize, understand
from receptionist.agent.local.slots import (
    extract_name,
    extract_when,
    match_service,
    message_reason,
    pick_offered,
)

pytestmark = pytest.mark.slow  # a property search

FAST = settings(max_examples=150, deadline=None)
WORDS = st.sampled_from([
    "next", "this", "tuesday", "friday", "weekend", "tomorrow", "today", "morning", "evening",
    "after", "before", "between", "and", "at", "3", "3pm", "10:30", "noon", "midnight",
    "quarter", "to", "past", "half", "in", "2", "weeks", "days", "month", "the", "13th", "31st",
    "february", "feb", "30", "²", "١", "99999999999", "0", "25:00", "pm", "am", "o'clock",
    "asap", "soon", "possible", "as", "earliest", "ish", "around", "13:75", "-1", "\u200b",
])
PHRASES = st.one_of(st.lists(WORDS, max_size=8).map(" ".join), st.text(max_size=60))
ZONES = st.sampled_from(["America/New_York", "Europe/London", "Pacific/Kiritimati", "UTC"])
NOWS = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31),
                    timezones=st.just(UTC))


@FAST
@given(PHRASES, NOWS, ZONES)
@example("quarter to ²", datetime(2026, 3, 3, 9, tzinfo=UTC), "UTC")  # isdigit() but not int()
@example("in ² days", datetime(2026, 3, 3, 9, tzinfo=UTC), "UTC")
@example("february 30", datetime(2026, 3, 3, 9, tzinfo=UTC), "UTC")
@example("in 99999999999 days", datetime(2026, 3, 3, 9, tzinfo=UTC), "UTC")
def test_parse_when_reads_a_future_range_or_says_it_did_not(text: str, now: datetime,
                                                            tz: str) -> None:
    try:
        when = parse_when(text, now=now, tz=tz)
    except WhenNotUnderstood:
        return
    assert when.start < when.end
    assert when.start >= now - timedelta(seconds=1)
    if when.preferred is not None:
        assert when.preferred.tzinfo is not None


@FAST
@given(PHRASES, st.booleans())
@example("my name is ² ١", True)
def test_slot_readers_never_raise(text: str, expecting: bool) -> None:
    norm = normalize(text)
    phrase = extract_when(norm, expecting=expecting)
    if phrase is not None:
        assert phrase and set(phrase.split()) <= set(norm.split()) | {"soonest"}
    name = extract_name(text, norm, expecting=expecting)
    assert name is None or name.strip()
    match_service(norm, ["Boiler repair", "Drain cleaning", ""])
    message_reason(norm)
    picked = pick_offered(norm, ["Tue 3 pm", "Wed 10 am"], [(1, 15, 0), (2, 10, 0)])
    assert picked is None or 0 <= picked < 2 or picked == -1
    understand(text)
