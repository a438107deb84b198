"""Compliance of the texts themselves: the STOP notice on a first text, opt-out words, one
confirmation after STOP and nothing after it, and quiet hours in the caller's own time."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from receptionist.core import SystemClock, get_business
from scripts.doubles.factories import BUSINESS_NUMBER, CALLER, add_business
from textback import Message, OutboxConfig, OutboxWorker, decide_missed_call
from textback.compliance import (
    STOP_NOTICE,
    QuietHours,
    QuietHoursError,
    caller_timezone,
    with_stop_notice,
)
from textback.console_sms import ConsoleSmsSender
from textback.inbound import handle_inbound
from textback.keywords import InboundIntent, classify
from textback.service import TextbackService

LA_CALLER = "+13105550143"  # a Los Angeles number: Pacific time
NIGHT_IN_LA = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)  # 22:00 PST on Dec 2


def _sid(n: int) -> str:
    return f"CA{n:032d}"


async def _missed(db, business_id: int, caller: str, now: datetime, n: int = 1):
    claimed: list[Message] = []
    async with db.transaction() as s:
        business = await get_business(s, business_id)
        decision = await decide_missed_call(s, business, call_sid=_sid(n), caller=caller,
                                            missed_reason="no_answer", after_hours=False,
                                            now=now, claimed=claimed)
    async with db.transaction() as s:
        msg = await s.get(Message, decision.message_id)
    return msg, claimed


# -- the STOP notice ------------------------------------------------------------------------


@pytest.mark.parametrize("body,expected", [
    ("Sorry we missed your call!", f"Sorry we missed your call! {STOP_NOTICE}"),
    ("Call us back", f"Call us back. {STOP_NOTICE}"),
    ("Sorry! Reply STOP to unsubscribe.", "Sorry! Reply STOP to unsubscribe."),
    ("Text stop to end.", "Text stop to end."),
])
def test_stop_notice_is_added_unless_the_text_says_how_to_stop(body, expected):
    assert with_stop_notice(body) == expected


async def test_only_the_first_text_to_a_caller_carries_the_stop_notice(db):
    business_id = await add_business(db, textback_cooldown_hours=0)
    first, _ = await _missed(db, business_id, CALLER, datetime.now(UTC), 1)
    second, _ = await _missed(db, business_id, CALLER, datetime.now(UTC), 2)
    assert first.body.endswith(STOP_NOTICE) and first.body.startswith("Hi, this is Greenfield")
    assert STOP_NOTICE not in second.body


async def test_the_stop_notice_can_be_turned_off_and_a_template_with_stop_is_kept(db):
    off = await add_business(db, textback_stop_notice=False)
    msg, _ = await _missed(db, off, CALLER, datetime.now(UTC), 1)
    assert "STOP" not in msg.body
    own = await add_business(db, name="Bright Dental", number="+12025550101",
                             textback_template="{business}: sorry we missed you. STOP to end.")
    msg, _ = await _missed(db, own, CALLER, datetime.now(UTC), 2)
    assert msg.body == "Bright Dental: sorry we missed you. STOP to end."


async def test_a_caller_text_that_is_the_first_carries_the_notice(db):
    business_id = await add_business(db)
    worker = OutboxWorker(db, ConsoleSmsSender(), OutboxConfig(None), SystemClock())
    texts = TextbackService(db, worker, SystemClock())
    bodies = []
    for body in ("You're booked for Tue 3:30 pm.", "See you Tuesday."):
        async with db.transaction() as s:
            business = await get_business(s, business_id)
            msg = await texts.text_caller(s, business, to=CALLER, body=body,
                                          kind="booking_confirmation")
        bodies.append(msg.body)
    assert bodies == [f"You're booked for Tue 3:30 pm. {STOP_NOTICE}", "See you Tuesday."]


# -- opting out -----------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["REVOKE", "optout", "OPTOUT", "Opt out", "opt-out", "STOP",
                                  "stopall", "Unsubscribe."])
def test_opt_out_words(body):
    assert classify(body) is InboundIntent.OPT_OUT


async def test_one_confirmation_after_stop_and_nothing_after_it(db):
    business_id = await add_business(db, textback_cooldown_hours=0)
    now = datetime.now(UTC)
    replies = []
    async with db.transaction() as s:
        business = await get_business(s, business_id)
        for n, word in enumerate(("STOP", "stop", "REVOKE")):
            result = await handle_inbound(s, business, from_=CALLER, to=BUSINESS_NUMBER,
                                          body=word, message_sid=f"SM{n:032d}",
                                          now=now + timedelta(seconds=n))
            replies.append(result.reply)
    assert replies[0] is not None and "unsubscribed" in replies[0] and "START" in replies[0]
    assert replies[1:] == [None, None]  # a second STOP gets no text
    async with db.transaction() as s:
        business = await get_business(s, business_id)
        decision = await decide_missed_call(s, business, call_sid=_sid(9), caller=CALLER,
                                            missed_reason="no_answer", after_hours=False,
                                            now=now + timedelta(minutes=1))
        worker = OutboxWorker(db, ConsoleSmsSender(), OutboxConfig(None), SystemClock())
        booked = await TextbackService(db, worker, SystemClock()).text_caller(
            s, business, to=CALLER, body="You're booked", kind="booking_confirmation")
    assert decision.skip_reason == "opted_out" and booked.status == "canceled"
    async with db.transaction() as s:
        out = [m.kind for m in (await s.execute(select(Message))).scalars()
               if m.direction == "out" and m.status != "canceled"]
    assert out == ["opt_out_confirmation"]


# -- quiet hours ----------------------------------------------------------------------------


def test_quiet_hours_parse_and_wrap_midnight():
    quiet = QuietHours.parse("21:00-08:00")
    assert str(quiet) == "21:00-08:00"
    held = quiet.held_until(NIGHT_IN_LA, "America/Los_Angeles")
    assert held == datetime(2026, 12, 3, 16, 0, tzinfo=UTC)  # 08:00 PST
    early = datetime(2026, 12, 3, 13, 0, tzinfo=UTC)  # 05:00 PST: ends the same morning
    assert quiet.held_until(early, "America/Los_Angeles") == held
    assert quiet.held_until(datetime(2026, 12, 3, 20, 0, tzinfo=UTC),
                            "America/Los_Angeles") is None  # noon
    lunch = QuietHours.parse("12:00-13:30")
    assert lunch.held_until(datetime(2026, 12, 3, 17, 0, tzinfo=UTC), "America/New_York") == \
        datetime(2026, 12, 3, 18, 30, tzinfo=UTC)


def test_quiet_hours_end_across_a_dst_change():
    # The night of 8 March 2026 clocks go forward in the US: 08:00 PDT is 15:00 UTC.
    night = datetime(2026, 3, 8, 7, 0, tzinfo=UTC)  # 23:00 PST on 7 March
    assert QuietHours.parse("21:00-08:00").held_until(night, "America/Los_Angeles") == \
        datetime(2026, 3, 8, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize("text", ["21-08", "25:00-08:00", "21:00-21:00", "nine to five", ""])
def test_bad_quiet_hours_are_refused_clearly(text):
    with pytest.raises(QuietHoursError, match="quiet hours"):
        QuietHours.parse(text)


@pytest.mark.parametrize("number,zone", [
    (LA_CALLER, "America/Los_Angeles"),
    ("+442079460018", "Europe/London"),
    ("+18005550100", "America/Chicago"),  # toll-free: many zones, the business's is used
    ("not a number", "America/Chicago"),
])
def test_caller_timezone_from_the_number(number, zone):
    assert caller_timezone(number, "America/Chicago") == zone


async def test_quiet_hours_hold_a_text_back_until_they_end_in_the_callers_time(db):
    business_id = await add_business(db, textback_quiet_hours="21:00-08:00")
    msg, claimed = await _missed(db, business_id, LA_CALLER, NIGHT_IN_LA)
    ends = datetime(2026, 12, 3, 16, 0, tzinfo=UTC)  # 08:00 in Los Angeles
    assert claimed == [] and msg.status == "pending"
    assert msg.held_until == ends and msg.next_attempt_at == ends
    assert msg.shown_status(NIGHT_IN_LA) == "held" and msg.shown_status(ends) == "pending"

    class At:
        def __init__(self, now: datetime) -> None:
            self._now = now

        def now(self) -> datetime:
            return self._now

    night = OutboxWorker(db, ConsoleSmsSender(), OutboxConfig(None), At(NIGHT_IN_LA))
    assert await night.claim_due(10) == []
    texts = TextbackService(db, night, At(NIGHT_IN_LA))
    report = await texts.report(business_id, NIGHT_IN_LA - timedelta(days=1), NIGHT_IN_LA
                                + timedelta(seconds=1))
    assert (report.to_json()["held"], report.textbacks_pending) == (1, 0)
    morning = OutboxWorker(db, ConsoleSmsSender(), OutboxConfig(None), At(ends))
    assert [m.id for m in await morning.claim_due(10)] == [msg.id]


async def test_without_quiet_hours_a_text_back_goes_at_once_at_any_hour(db):
    business_id = await add_business(db)
    three_am = datetime(2026, 12, 3, 11, 0, tzinfo=UTC)  # 03:00 in Los Angeles
    msg, claimed = await _missed(db, business_id, LA_CALLER, three_am)
    assert [m.id for m in claimed] == [msg.id] and msg.held_until is None


def test_business_update_sets_quiet_hours_and_stop_notice(tmp_path):
    from receptionist.cli import app

    runner = CliRunner()
    env = {"RECEPTIONIST_DATA_DIR": str(tmp_path / "data"),
           "RECEPTIONIST_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/cli.db"}
    assert runner.invoke(app, ["db", "upgrade"], env=env).exit_code == 0
    assert runner.invoke(app, ["business", "add", "--name", "Greenfield Plumbing", "--number",
                               BUSINESS_NUMBER], env=env).exit_code == 0
    shown = json.loads(runner.invoke(app, ["business", "show", "1", "--json"], env=env).output)
    assert (shown["textback"]["stop_notice"], shown["textback"]["quiet_hours"]) == (True, None)
    result = runner.invoke(app, ["business", "update", BUSINESS_NUMBER, "--quiet-hours",
                                 "21:00-8:00", "--no-stop-notice", "--json"], env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)["textback"]
    assert (data["stop_notice"], data["quiet_hours"]) == (False, "21:00-08:00")
    bad = runner.invoke(app, ["business", "update", "1", "--quiet-hours", "late"], env=env)
    assert bad.exit_code == 2 and "HH:MM-HH:MM" in bad.output
    off = runner.invoke(app, ["business", "update", "1", "--quiet-hours", "off", "--json"],
                        env=env)
    assert json.loads(off.output)["textback"]["quiet_hours"] is None
