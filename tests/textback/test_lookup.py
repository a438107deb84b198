"""'Did Twilio already send it?': a send with an unknown outcome is looked up, never resent blind.

Against the Twilio REST double through the real SDK: a 5xx that came after Twilio created the
text, a body Twilio rewrote, a pair of numbers with more messages than one page, a lookup that
itself fails; and the matching rule on its own.
"""

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
from textback.lookup import pick_sent
from textback.ports import ProviderMessage

TEXT = "Hi, this is Greenfield Plumbing. Sorry we missed your call! Reply here, or book at " \
       "https://greenfield.example/book"


async def _queue(db, body: str = TEXT) -> int:
    business_id = await add_business(db)
    async with db.transaction() as s:
        msg = await enqueue(s, business_id=business_id, to=CALLER, from_=BUSINESS_NUMBER,
                            body=body, kind="textback", now=datetime.now(UTC),
                            contact_phone=CALLER)
    return msg.id


async def _drain_until_settled(worker: OutboxWorker, db, rounds: int = 8) -> Message:
    for _ in range(rounds):
        await worker.drain()
        async with db.transaction() as s:
            row = (await s.execute(select(Message).where(Message.kind == "textback"))
                   ).scalar_one()
        if row.status not in ("pending", "sending"):
            return row
        await asyncio.sleep(0.05)
    return row


def _worker(db, db_url, twilio, tmp_path, **config) -> tuple[OutboxWorker, TwilioSmsSender]:
    settings = make_settings(db_url, twilio, tmp_path)
    sender = TwilioSmsSender(build_async_twilio_client(settings), timeout_s=config.pop(
        "timeout_s", 10.0))
    return OutboxWorker(db, sender, OutboxConfig(None, backoff_base_s=0.01, **config),
                        SystemClock()), sender


async def test_a_5xx_after_twilio_created_the_text_is_looked_up_not_resent(
        db, db_url, twilio, tmp_path):
    await _queue(db)
    twilio.fail_next(1, status=500, code=20500, after_create=True)
    worker, sender = _worker(db, db_url, twilio, tmp_path)
    try:
        row = await _drain_until_settled(worker, db)
    finally:
        await sender.aclose()
    assert len(twilio.messages) == 1
    assert (row.status, row.provider_sid, row.attempts) == ("queued", twilio.messages[0].sid, 2)


async def test_a_body_twilio_rewrote_is_still_found(db, db_url, twilio, tmp_path):
    """A trial account's prefix and smart encoding change the stored body; the answer is lost."""
    await _queue(db, TEXT.replace("we missed", "we\u2019ve missed"))
    twilio.rewrite_bodies("Sent from your Twilio trial account - ", {"\u2019": "'"})
    twilio.drop_after_accept(1)
    worker, sender = _worker(db, db_url, twilio, tmp_path)
    try:
        row = await _drain_until_settled(worker, db)
    finally:
        await sender.aclose()
    assert len(twilio.messages) == 1
    assert row.provider_sid == twilio.messages[0].sid


async def test_a_busy_pair_is_paged_through(db, db_url, twilio, tmp_path):
    """More messages between the two numbers since ours than one page (and than 50) holds."""
    await _queue(db)
    twilio.drop_after_accept(1)
    worker, sender = _worker(db, db_url, twilio, tmp_path)
    try:
        await worker.drain()  # accepted at Twilio, answer lost
        for i in range(230):  # the team's relays to the same caller, newer than ours
            twilio.state.create_message(twilio.account_sid, {
                "To": CALLER, "From": BUSINESS_NUMBER, "Body": f"On our way ({i})"}, [])
        await asyncio.sleep(0.05)
        row = await _drain_until_settled(worker, db)
    finally:
        await sender.aclose()
    ours = [m for m in twilio.messages if m.body == TEXT]
    assert len(ours) == 1 and row.provider_sid == ours[0].sid


async def test_a_lookup_that_fails_keeps_the_outcome_unknown(db, db_url, twilio, tmp_path):
    """Twilio answers after our timeout (the text is created), then the lookup times out too:
    the next try must look again, not send."""
    await _queue(db)
    twilio.set_latency(0.4)
    worker, sender = _worker(db, db_url, twilio, tmp_path, timeout_s=0.15)
    try:
        await worker.drain()  # create times out; Twilio creates it anyway
        await asyncio.sleep(0.5)
        await worker.drain()  # the lookup times out
        async with db.transaction() as s:
            row = (await s.execute(select(Message))).scalar_one()
        assert (row.status, row.error_code) == ("pending", "unknown")
        twilio.set_latency(0.0)
        row = await _drain_until_settled(worker, db)
    finally:
        twilio.set_latency(0.0)
        await sender.aclose()
    assert len(twilio.messages) == 1
    assert row.provider_sid == twilio.messages[0].sid


async def test_nothing_at_twilio_is_sent_once_after_the_lookup(db, db_url, twilio, tmp_path):
    """A 502 from a proxy before Twilio: unknown, the lookup finds nothing, one send."""
    await _queue(db)
    twilio.fail_next(1, status=502, code=20500)
    worker, sender = _worker(db, db_url, twilio, tmp_path)
    try:
        row = await _drain_until_settled(worker, db)
    finally:
        await sender.aclose()
    assert len(twilio.messages) == 1 and row.status == "queued"
    lists = [r for r in twilio.requests if r.method == "GET"]
    assert len(lists) == 1  # looked up once, before the second create


def _found(sid: str, body: str) -> ProviderMessage:
    return ProviderMessage(sid=sid, status="queued", body=body,
                           created_at=datetime.now(UTC) - timedelta(seconds=1))


@pytest.mark.parametrize("theirs", [
    TEXT,
    "Sent from your Twilio trial account - " + TEXT,
    TEXT.replace("https://greenfield.example/book", "https://twil.io/x7Kq2"),
    TEXT.replace("'", "\u2019"),
])
def test_rewritten_bodies_match(theirs):
    assert pick_sent([_found("SM1", theirs)], body=TEXT, taken_sids=set()) is not None


def test_unrelated_and_already_recorded_messages_never_match():
    unrelated = _found("SM1", "On our way, about 20 minutes.")
    recorded = _found("SM2", TEXT)
    assert pick_sent([unrelated, recorded], body=TEXT, taken_sids={"SM2"}) is None


def test_the_exact_body_wins_over_a_similar_one():
    similar = _found("SM1", TEXT.replace("Reply here", "Text us"))
    exact = _found("SM2", TEXT)
    found = pick_sent([similar, exact], body=TEXT, taken_sids=set())
    assert found is not None and found.sid == "SM2"


def test_a_message_from_before_our_row_loses_a_tie_to_one_after_it():
    written = datetime.now(UTC)
    before = ProviderMessage(sid="SM1", status="delivered", body=TEXT,
                             created_at=written - timedelta(minutes=3))  # an earlier call's
    after = ProviderMessage(sid="SM2", status="queued", body=TEXT,
                            created_at=written + timedelta(seconds=2))
    found = pick_sent([after, before], body=TEXT, taken_sids=set(), written_at=written)
    assert found is not None and found.sid == "SM2"
