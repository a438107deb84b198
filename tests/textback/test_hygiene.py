"""Caller-written text reaches the team clean; the console provider logs no bodies or numbers."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import select

from receptionist.core import get_business
from tests.support.factories import BUSINESS_NUMBER, CALLER, TEAM_PHONE, add_business
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
