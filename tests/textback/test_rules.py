"""Pure text-back rules: policy, keywords, segments, templates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from textback.keywords import InboundIntent, classify
from textback.policy import Caller, SkipReason, decide
from textback.segments import count_segments
from textback.templates import TemplateError, check_template, render

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
OWN = frozenset({"+12025550100"})
TEAM = frozenset({"+12025550112"})


def verdict(raw, *, opted_out=False, last=None, enabled=True, cooldown_h=24):
    return decide(Caller(raw, opted_out, last), now=NOW, enabled=enabled, business_numbers=OWN,
                  team_numbers=TEAM, cooldown=timedelta(hours=cooldown_h))


@pytest.mark.parametrize("raw,kwargs,reason", [
    ("+12025550143", {"enabled": False}, SkipReason.DISABLED),
    (None, {}, SkipReason.ANONYMOUS),
    ("Anonymous", {}, SkipReason.ANONYMOUS),
    ("restricted", {}, SkipReason.ANONYMOUS),
    ("client:alice", {}, SkipReason.ANONYMOUS),
    ("+266696687", {}, SkipReason.ANONYMOUS),
    ("911", {}, SkipReason.INVALID_NUMBER),
    ("+1555", {}, SkipReason.INVALID_NUMBER),
    ("+12025550100", {}, SkipReason.OWN_NUMBER),
    ("(202) 555-0112", {}, SkipReason.TEAM_MEMBER),
    ("+12025550143", {"opted_out": True}, SkipReason.OPTED_OUT),
    ("+12025550143", {"last": NOW - timedelta(hours=23)}, SkipReason.COOLDOWN),
])
def test_skips(raw, kwargs, reason):
    v = verdict(raw, **kwargs)
    assert not v.send and v.skip_reason is reason


def test_sends_after_cooldown_and_normalises():
    v = verdict("202-555-0143", last=NOW - timedelta(hours=24, seconds=1))
    assert v.send and v.to == "+12025550143"
    assert verdict("+12025550143", last=NOW, cooldown_h=0).send


@pytest.mark.parametrize("body,intent", [
    ("STOP", InboundIntent.OPT_OUT), ("stop.", InboundIntent.OPT_OUT),
    ("  Unsubscribe ", InboundIntent.OPT_OUT), ("STOPALL", InboundIntent.OPT_OUT),
    ("cancel", InboundIntent.OPT_OUT), ("end", InboundIntent.OPT_OUT),
    ("quit", InboundIntent.OPT_OUT), ("revoke", InboundIntent.OPT_OUT),
    ("optout", InboundIntent.OPT_OUT), ("please stop texting me", InboundIntent.OPT_OUT),
    ("Don't text me again!", InboundIntent.OPT_OUT), ("remove me from your list",
                                                       InboundIntent.OPT_OUT),
    ("no more texts please", InboundIntent.OPT_OUT),
    ("START", InboundIntent.OPT_IN), ("unstop", InboundIntent.OPT_IN),
    ("yes", InboundIntent.OPT_IN), ("HELP", InboundIntent.HELP), ("info", InboundIntent.HELP),
    ("can you stop by tomorrow?", InboundIntent.REPLY),
    ("I need to cancel my appointment on Tuesday", InboundIntent.REPLY),
    ("yes please come at 3", InboundIntent.REPLY),
    ("Stop the leak asap, water everywhere", InboundIntent.REPLY),
])
def test_classify(body, intent):
    assert classify(body) is intent


@pytest.mark.parametrize("text,encoding,segments", [
    ("", "GSM-7", 0),
    ("a" * 160, "GSM-7", 1),
    ("a" * 161, "GSM-7", 2),
    ("a" * 306, "GSM-7", 2),
    ("a" * 307, "GSM-7", 3),
    ("{" * 80, "GSM-7", 1),
    ("{" * 81, "GSM-7", 2),
    ("é" * 160, "GSM-7", 1),
    ("ü" + "a" * 69, "GSM-7", 1),
    ("ł" * 70, "UCS-2", 1),
    ("ł" * 71, "UCS-2", 2),
    ("😀" * 35, "UCS-2", 1),
    ("😀" * 36, "UCS-2", 2),
    ("Hi — sorry we missed you", "UCS-2", 1),
])
def test_segments(text, encoding, segments):
    info = count_segments(text)
    assert (info.encoding, info.segments) == (encoding, segments)


@given(st.text(max_size=500))
def test_segments_never_undercount(text):
    info = count_segments(text)
    per = 153 if info.encoding == "GSM-7" else 67
    assert info.segments * max(per, info.single_limit if info.segments == 1 else per) >= info.units


def test_default_template_is_one_segment_and_names_business_first():
    text = render(None, business="Greenfield Plumbing",
                  booking_link="https://greenfield.example/book")
    assert text.body.startswith("Hi, this is Greenfield Plumbing.")
    assert "missed your call" in text.body and "Reply" in text.body
    assert text.segments.segments == 1 and text.warning is None
    after = render(None, business="Greenfield Plumbing", booking_link=None, after_hours=True,
                   first_name="Jane")
    assert after.body.startswith("Hi Jane, this is Greenfield Plumbing.")
    assert "closed" in after.body and "book" not in after.body


def test_custom_template_placeholders_and_warning():
    text = render("{business}: missed you, {first_name}! Book: {booking_link} " + "x" * 150,
                  business="Salon Lumière", booking_link="https://b.example", first_name=None)
    assert text.body.startswith("Salon Lumière: missed you, there!")
    assert text.warning is not None and "segments" in text.warning
    with pytest.raises(TemplateError, match="unknown placeholder"):
        check_template("Hi {name}")
    with pytest.raises(TemplateError):
        check_template("Hi {business")


def test_after_hours_default_fits_one_segment_with_a_link():
    text = render(None, business="Greenfield Plumbing",
                  booking_link="https://greenfield.example/book", after_hours=True)
    assert text.segments.segments == 1, text.body
