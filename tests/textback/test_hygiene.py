"""Caller-written text reaches the team clean; the console provider logs no bodies or numbers."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import select

from receptionist.core import get_business
from scripts.doubles.factories import BUSINESS_NUMBER, CALLER, TEAM_PHONE, add_business
from textback.console_sms import ConsoleSmsSender
from textback.hygiene import clean_sms_text
from textback.inbound import handle_inbound
from textback.models import Message


def test_control_and_bidi_characters_are_stripped():
    assert clean_sms_text("a\x00b\u202ec\u2066d\u200fe\x1bf") == "abcdef"
    assert clean_sms_text("line one\r\nline\ttwo") == "line one\nline two"
    assert clean_sms_text("café 👩\u200d🔧 ok") == "café 👩\u200d🔧 ok"  # ZWJ emoji kept


async def test_forwarded_reply_carries_no_nul_or_override(db):
    business_id = await add_business(db, team=[("Dana", TEAM_PHONE, "replies")])
    async with db.transaction() as s:
        business = await get_business(s, business_id)
        await handle_inbound(s, business, from_=CALLER, to=BUSINESS_NUMBER,
                             body="Leak\x00 at \u202e5 Main St", message_sid="SM" + "c" * 32,
                             now=datetime.now(UTC))
    async with db.transaction() as s:
        bodies = [m.body for m in (await s.execute(select(Message))).scalars()]
    assert bodies and all("\x00" not in b and "\u202e" not in b for b in bodies)
    assert any("Leak at 5 Main St" in b for b in bodies)


async def test_help_names_rates_and_how_to_stop(db):
    business_id = await add_business(db)
    async with db.transaction() as s:
        business = await get_business(s, business_id)
        result = await handle_inbound(s, business, from_=CALLER, to=BUSINESS_NUMBER,
                                      body="HELP", message_sid="SM" + "d" * 32,
                                      now=datetime.now(UTC))
    assert result.reply is not None
    assert business.name in result.reply and "Msg & data rates may apply" in result.reply
    assert "Reply STOP to opt out" in result.reply


async def test_console_provider_logs_neither_body_nor_number(caplog):
    caplog.set_level(logging.INFO, logger="textback.console")
    await ConsoleSmsSender().send(to=CALLER, from_=BUSINESS_NUMBER,
                                  body="Reply from (202) 555-0143: my code is 4417",
                                  status_callback=None)
    logged = " ".join(f"{r.getMessage()} {getattr(r, 'fields', '')}" for r in caplog.records)
    assert "textback.console_sms" in logged
    assert "4417" not in logged and "555-0143" not in logged
    assert CALLER not in logged and CALLER[-4:] in logged


async def test_console_mode_logs_no_whole_number_or_body_anywhere(db, caplog):
    """The whole console flow (a text-back, a reply forwarded, the team's answer relayed), every
    logger at the default level: numbers masked to their last four digits, no body."""
    from receptionist.core import SystemClock
    from textback import OutboxConfig, OutboxWorker, decide_missed_call
    from textback.service import TextbackService

    caplog.set_level(logging.INFO)
    business_id = await add_business(db, team=[("Dana", TEAM_PHONE, "replies")])
    worker = OutboxWorker(db, ConsoleSmsSender(), OutboxConfig(None), SystemClock())
    texts = TextbackService(db, worker, SystemClock())
    async with db.transaction() as s:
        business = await get_business(s, business_id)
        await decide_missed_call(s, business, call_sid="CA" + "1" * 32, caller=CALLER,
                                 missed_reason="no_answer", after_hours=False,
                                 now=datetime.now(UTC))
    await worker.drain()
    await texts.receive_sms(to=BUSINESS_NUMBER, from_=CALLER, body="Gate code 4417, thanks",
                            message_sid="SM" + "f" * 32)
    await worker.drain()
    await texts.receive_sms(to=BUSINESS_NUMBER, from_=TEAM_PHONE, body="On our way 9931",
                            message_sid="SM" + "9" * 32)
    await worker.drain()
    async with db.transaction() as s:
        sent = [m for m in (await s.execute(select(Message))).scalars() if m.direction == "out"]
    assert len(sent) == 3  # the text-back, the forward, the relay
    logged = " ".join(f"{r.getMessage()} {getattr(r, 'fields', '')}" for r in caplog.records)
    assert "textback.console_sms" in logged
    for number in (CALLER, TEAM_PHONE, BUSINESS_NUMBER):
        assert number not in logged and number[2:] not in logged
    for secret in ("4417", "9931", "Sorry we missed"):
        assert secret not in logged


async def test_digits_that_are_not_ascii_are_refused_not_crashed_on(server, webhooks, db):
    """'¹'.isdigit() is true but int('¹') raises: the outbox id, NumMedia and a business id
    are read only when ASCII digits."""
    from receptionist.core import BusinessNotFound
    from tests.support.calls import sms_params

    await add_business(db)
    status = await webhooks.post("/twilio/sms/status?outbox=%C2%B9", {
        "MessageSid": "SM" + "1" * 32, "MessageStatus": "delivered", "To": CALLER,
        "From": BUSINESS_NUMBER, "AccountSid": "AC" + "0" * 32})
    assert status.status_code == 204
    inbound = await webhooks.post("/twilio/sms", {**sms_params(body="hi"), "NumMedia": "²"})
    assert inbound.status_code == 200
    async with db.transaction() as s:
        import pytest

        with pytest.raises(BusinessNotFound):
            await get_business(s, "¹")
