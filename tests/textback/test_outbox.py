"""The outbox drained by several workers at once, and opt-out cancelling queued texts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from receptionist.core import SystemClock
from receptionist.core.twilio_client import build_async_twilio_client
from scripts.doubles.factories import BUSINESS_NUMBER, CALLER, add_business
from tests.support.settings import make_settings
from textback import Message, OutboxConfig, OutboxWorker, TwilioSmsSender, enqueue
from textback.console_sms import ConsoleSmsSender
from textback.contacts import get_or_create_contact
from textback.inbound import handle_inbound
from textback.service import TextbackService


async def test_two_workers_drain_without_duplicates(db, db_url, twilio, tmp_path):
    business_id = await add_business(db)
    now = datetime.now(UTC)
    async with db.transaction() as s:
        for i in range(120):
            await enqueue(s, business_id=business_id, to=f"+1202555{i:04d}", from_=BUSINESS_NUMBER,
                          body=f"text {i}", kind="test", now=now)
    settings = make_settings(db_url, twilio, tmp_path)
    config = OutboxConfig(status_callback_url=None, batch_size=16)
    senders = [TwilioSmsSender(build_async_twilio_client(settings)) for _ in range(2)]
    workers = [OutboxWorker(db, s, config, SystemClock()) for s in senders]
    try:
        counts = await asyncio.gather(*(w.drain() for w in workers))
    finally:
        for s in senders:
            await s.aclose()
    assert sum(counts) == 120
    if db.dialect == "postgresql":  # SKIP LOCKED lets both claim at once; SQLite serialises
        assert all(c > 0 for c in counts)
    bodies = sorted(m.body for m in twilio.messages)
    assert bodies == sorted(f"text {i}" for i in range(120))  # every text exactly once
    async with db.transaction() as s:
        statuses = {m.status for m in (await s.execute(select(Message))).scalars()}
    assert statuses == {"queued"}


async def test_transient_failures_give_up_after_max_attempts(db, db_url, twilio, tmp_path):
    business_id = await add_business(db)
    async with db.transaction() as s:
        await enqueue(s, business_id=business_id, to=CALLER, from_=BUSINESS_NUMBER, body="x",
                      kind="test", now=datetime.now(UTC))
    twilio.fail_next(10, status=503, code=20503)
    settings = make_settings(db_url, twilio, tmp_path)
    sender = TwilioSmsSender(build_async_twilio_client(settings))
    worker = OutboxWorker(db, sender, OutboxConfig(None, max_attempts=3, backoff_base_s=0.01),
                          SystemClock())
    try:
        for _ in range(6):
            await worker.drain()
            await asyncio.sleep(0.05)
    finally:
        await sender.aclose()
    async with db.transaction() as s:
        msg = (await s.execute(select(Message))).scalar_one()
    assert (msg.status, msg.attempts) == ("failed", 3)
    assert twilio.messages == []


async def test_stop_cancels_texts_still_queued(db):
    business_id = await add_business(db)
    from receptionist.core import get_business

    now = datetime.now(UTC)
    async with db.transaction() as s:
        await enqueue(s, business_id=business_id, to=CALLER, from_=BUSINESS_NUMBER,
                      body="Hi, this is Greenfield Plumbing", kind="textback", now=now,
                      contact_phone=CALLER)
        business = await get_business(s, business_id)
        await handle_inbound(s, business, from_=CALLER, to=BUSINESS_NUMBER, body="STOP",
                             message_sid="SM" + "a" * 32, now=now + timedelta(seconds=1))
    async with db.transaction() as s:
        out = (await s.execute(select(Message).where(Message.kind == "textback"))).scalar_one()
    assert out.status == "canceled"


@pytest.mark.slow  # a slow provider in real time
async def test_slow_provider_and_few_slots_never_text_twice(db, db_url, twilio, tmp_path):
    """Texts queued behind one send slot outlive the stale cut-off while they wait; the stale
    sweep must not hand them to a second send while their first owner still sends them."""
    business_id = await add_business(db)
    settings = make_settings(db_url, twilio, tmp_path)
    sender = TwilioSmsSender(build_async_twilio_client(settings))
    worker = OutboxWorker(db, sender, OutboxConfig(None, concurrency=1, stale_sending_s=1.0),
                          SystemClock())
    twilio.set_latency(0.3)
    callers = [f"+1202555{i:04d}" for i in range(25)]
    try:
        for to in callers:
            async with db.transaction() as s:
                msg = await enqueue(s, business_id=business_id, to=to, from_=BUSINESS_NUMBER,
                                    body="Sorry we missed your call", kind="textback",
                                    now=datetime.now(UTC), claimed=True)
            worker.submit(msg)
        for _ in range(4):  # the sweep runs while texts still wait for the slot
            await asyncio.sleep(1.2)
            await worker.reconcile_stale()
            await worker.drain()
        await asyncio.wait_for(asyncio.gather(*worker._inflight), 30)
        await worker.reconcile_stale()
        await worker.drain()
    finally:
        twilio.set_latency(0.0)
        await sender.aclose()
    sent_to = sorted(m.to for m in twilio.messages)
    assert sent_to == callers  # every caller exactly once


async def _stop(db, business_id, at):
    from receptionist.core import get_business

    async with db.transaction() as s:
        business = await get_business(s, business_id)
        await handle_inbound(s, business, from_=CALLER, to=BUSINESS_NUMBER, body="STOP",
                             message_sid="SM" + "b" * 32, now=at)


async def test_no_text_of_any_kind_reaches_a_caller_after_stop(db, db_url, twilio, tmp_path):
    """A booking confirmation after STOP is recorded canceled; a text claimed before the STOP
    is canceled too, and the worker that claimed it does not send it."""
    from receptionist.core import get_business

    business_id = await add_business(db)
    settings = make_settings(db_url, twilio, tmp_path)
    sender = TwilioSmsSender(build_async_twilio_client(settings))
    worker = OutboxWorker(db, sender, OutboxConfig(None), SystemClock())
    texts = TextbackService(db, worker, SystemClock())
    try:
        async with db.transaction() as s:
            claimed = await enqueue(s, business_id=business_id, to=CALLER,
                                    from_=BUSINESS_NUMBER, body="Sorry we missed you",
                                    kind="textback", now=datetime.now(UTC),
                                    contact_phone=CALLER, claimed=True)
        await _stop(db, business_id, datetime.now(UTC))
        async with db.transaction() as s:
            business = await get_business(s, business_id)
            booked = await texts.text_caller(s, business, to=CALLER, body="You're booked",
                                             kind="booking_confirmation")
        assert booked.status == "canceled"
        await worker.send_claimed(claimed)
        await worker.drain()
    finally:
        await sender.aclose()
    assert twilio.messages == []
    async with db.transaction() as s:
        statuses = {m.kind: m.status for m in (await s.execute(
            select(Message).where(Message.direction == "out"))).scalars()}
    # Only the STOP's own confirmation (the TwiML reply) went to the caller.
    assert statuses == {"textback": "canceled", "booking_confirmation": "canceled",
                        "opt_out_confirmation": "sent_twiml"}


async def test_opt_out_recorded_while_a_text_is_claimed_stops_its_send(db, db_url, twilio,
                                                                       tmp_path):
    """The opt-out is read again right before the send, whatever wrote it."""
    business_id = await add_business(db)
    settings = make_settings(db_url, twilio, tmp_path)
    sender = TwilioSmsSender(build_async_twilio_client(settings))
    worker = OutboxWorker(db, sender, OutboxConfig(None), SystemClock())
    try:
        async with db.transaction() as s:
            await enqueue(s, business_id=business_id, to=CALLER, from_=BUSINESS_NUMBER,
                          body="Your link", kind="link", now=datetime.now(UTC),
                          contact_phone=CALLER)
        claimed = await worker.claim_due(10)
        async with db.transaction() as s:
            contact = await get_or_create_contact(s, business_id, CALLER)
            contact.opted_out = True
        await worker.send_claimed(claimed[0])
    finally:
        await sender.aclose()
    assert twilio.messages == []


async def test_status_callback_before_the_sid_is_stored_is_matched_by_outbox_id(db):
    """Twilio can call back before the worker commits its sid; the callback URL names the row."""
    business_id = await add_business(db)
    async with db.transaction() as s:
        msg = await enqueue(s, business_id=business_id, to=CALLER, from_=BUSINESS_NUMBER,
                            body="Sorry we missed you", kind="textback", now=datetime.now(UTC),
                            contact_phone=CALLER, claimed=True)
    worker = OutboxWorker(db, ConsoleSmsSender(), OutboxConfig("https://r.example/twilio/sms/status"))
    assert worker._callback_url(msg) == f"https://r.example/twilio/sms/status?outbox={msg.id}"
    texts = TextbackService(db, worker, SystemClock())
    sid = "SM" + "e" * 32
    assert await texts.record_status(message_sid=sid, status="delivered", error_code=None,
                                     outbox_id=msg.id)
    from textback.ports import SentSms

    await worker._record_sent(msg, SentSms(sid=sid, status="queued"))  # the worker's late commit
    async with db.transaction() as s:
        row = (await s.execute(select(Message))).scalar_one()
    assert (row.status, row.provider_sid) == ("delivered", sid)
