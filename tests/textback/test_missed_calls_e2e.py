"""Missed calls over HTTP against the running app, texting through the Twilio REST double."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import func, select

from receptionist.core import Database
from receptionist.telephony.models import Call
from tests.doubles.twilio_rest import TwilioRestDouble
from tests.support.auth import add_token, bearer
from tests.support.calls import call_params, new_call_sid
from tests.support.factories import BUSINESS_NUMBER, CALLER, OWNER_PHONE, TEAM_PHONE, add_business
from textback import Decision, Message


async def wait_for_texts(twilio: TwilioRestDouble, n: int, timeout_s: float = 15.0,
                         to: str | None = None) -> list:
    deadline = time.monotonic() + timeout_s
    while True:
        found = [m for m in twilio.messages if to is None or m.to == to]
        if len(found) >= n or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.02)


async def settle(seconds: float = 0.4) -> None:
    """Give a worker that should NOT send anything the chance to do so."""
    await asyncio.sleep(seconds)


async def ring_then_status(webhooks, call_sid: str, status: str, **extra: str) -> None:
    r = await webhooks.post("/twilio/voice", call_params(call_sid))
    assert r.status_code == 200 and "<Dial" in r.text
    r = await webhooks.post("/twilio/voice/status",
                            call_params(call_sid, CallStatus=status, **extra))
    assert r.status_code == 204


@pytest.mark.parametrize("status,reason", [
    ("canceled", "hung_up_while_ringing"),
    ("completed", "hung_up_while_ringing"),
    ("no-answer", "no_answer"),
    ("busy", "busy"),
    ("failed", "failed"),
])
async def test_each_final_status_texts_exactly_once(server, webhooks, twilio, db, status, reason):
    await add_business(db)
    sid = new_call_sid()
    await ring_then_status(webhooks, sid, status)
    texts = await wait_for_texts(twilio, 1)
    await settle()
    assert len(twilio.messages) == 1
    text = texts[0]
    assert text.to == CALLER and text.from_ == BUSINESS_NUMBER
    assert text.body.startswith("Hi, this is Greenfield Plumbing. Sorry we missed your call!")
    assert "https://greenfield.example/book" in text.body
    async with db.transaction() as s:
        call = (await s.execute(select(Call).where(Call.call_sid == sid))).scalar_one()
        assert (call.outcome, call.missed_reason) == ("missed", reason)


async def test_dial_not_answered_apologises_and_texts_before_hangup(server, webhooks, twilio, db):
    await add_business(db)
    sid = new_call_sid()
    await webhooks.post("/twilio/voice", call_params(sid))
    r = await webhooks.post("/twilio/voice/dial",
                            call_params(sid, CallStatus="in-progress", DialCallStatus="no-answer"))
    assert "<Say" in r.text and "text you" in r.text and "<Hangup" in r.text
    assert len(await wait_for_texts(twilio, 1)) == 1
    # Twilio then reports the end of the call: still one text.
    await webhooks.post("/twilio/voice/status", call_params(sid, CallStatus="completed"))
    await settle()
    assert len(twilio.messages) == 1


async def test_answered_by_team_is_never_texted(server, webhooks, twilio, db):
    await add_business(db)
    sid = new_call_sid()
    await webhooks.post("/twilio/voice", call_params(sid))
    await webhooks.post("/twilio/voice/status", {
        **call_params("CA" + "1" * 32, caller=CALLER, to=OWNER_PHONE),
        "ParentCallSid": sid, "CallStatus": "in-progress", "Direction": "outbound-dial"})
    r = await webhooks.post("/twilio/voice/dial",
                            call_params(sid, CallStatus="in-progress", DialCallStatus="completed"))
    assert "<Hangup" in r.text
    await webhooks.post("/twilio/voice/status", call_params(sid, CallStatus="completed"))
    await settle()
    assert twilio.messages == []
    async with db.transaction() as s:
        call = (await s.execute(select(Call).where(Call.call_sid == sid))).scalar_one()
        assert call.outcome == "answered_by_team"


async def test_voicemail_pickup_counts_as_missed(server, webhooks, twilio, db):
    await add_business(db)
    sid = new_call_sid()
    await webhooks.post("/twilio/voice", call_params(sid))
    await webhooks.post("/twilio/voice/dial", call_params(
        sid, CallStatus="in-progress", DialCallStatus="completed", AnsweredBy="machine_start"))
    await webhooks.post("/twilio/voice/status", call_params(sid, CallStatus="completed"))
    assert len(await wait_for_texts(twilio, 1)) == 1
    await settle()
    assert len(twilio.messages) == 1
    async with db.transaction() as s:
        call = (await s.execute(select(Call).where(Call.call_sid == sid))).scalar_one()
        assert call.missed_reason == "answered_by_machine"


async def test_fallback_url_texts_once(server, webhooks, twilio, db):
    await add_business(db)
    sid = new_call_sid()
    r = await webhooks.post("/twilio/voice/fallback",
                            call_params(sid, ErrorCode="11200", ErrorUrl="https://x/voice"))
    assert r.status_code == 200 and "<Say" in r.text
    await webhooks.post("/twilio/voice/fallback", call_params(sid, ErrorCode="11200"))
    await webhooks.post("/twilio/voice/status", call_params(sid, CallStatus="completed"))
    assert len(await wait_for_texts(twilio, 1)) == 1
    await settle()
    assert len(twilio.messages) == 1


async def test_textback_mode_and_after_hours(server, webhooks, twilio, db):
    await add_business(db, routing="textback")
    sid = new_call_sid()
    r = await webhooks.post("/twilio/voice", call_params(sid))
    assert "<Dial" not in r.text and "<Hangup" in r.text
    assert len(await wait_for_texts(twilio, 1)) == 1

    # A business closed every day: skip ringing, use the after-hours template.
    await add_business(db, name="Night Owl Dental", number="+12025550160",
                       hours="Mon 00:00-00:01", team=[])
    sid2 = new_call_sid()
    r = await webhooks.post("/twilio/voice", call_params(sid2, caller="+12025550170",
                                                         to="+12025550160"))
    assert "<Dial" not in r.text and "closed" in r.text
    texts = await wait_for_texts(twilio, 1, to="+12025550170")
    assert "we're closed" in texts[0].body


async def test_retries_duplicates_and_concurrent_callbacks_text_once(server, webhooks, twilio, db):
    await add_business(db)
    sid = new_call_sid()
    await webhooks.post("/twilio/voice", call_params(sid))
    await webhooks.post("/twilio/voice", call_params(sid))  # Twilio retry of the first webhook
    params = call_params(sid, CallStatus="no-answer")
    results = await asyncio.gather(*(webhooks.post("/twilio/voice/status", params)
                                     for _ in range(12)))
    assert {r.status_code for r in results} == {204}
    # Out of order: a late 'ringing' and a late dial result change nothing.
    await webhooks.post("/twilio/voice/status", call_params(sid, CallStatus="ringing"))
    await webhooks.post("/twilio/voice/dial", call_params(sid, DialCallStatus="completed"))
    await wait_for_texts(twilio, 1)
    await settle()
    assert len(twilio.messages) == 1
    async with db.transaction() as s:
        assert await s.scalar(select(func.count()).select_from(Decision)) == 1


async def test_cooldown_skips_second_missed_call(server, webhooks, twilio, db):
    await add_business(db)
    await ring_then_status(webhooks, new_call_sid(), "canceled")
    await wait_for_texts(twilio, 1)
    second = new_call_sid()
    await ring_then_status(webhooks, second, "canceled")
    await settle()
    assert len(twilio.messages) == 1
    async with db.transaction() as s:
        d = (await s.execute(select(Decision).where(Decision.call_sid == second))).scalar_one()
        assert (d.action, d.skip_reason) == ("skip", "cooldown")


@pytest.mark.parametrize("caller,reason", [
    ("anonymous", "anonymous"), ("", "anonymous"), ("+266696687", "anonymous"),
    ("12345", "invalid_number"), (TEAM_PHONE, "team_member"), (BUSINESS_NUMBER, "own_number"),
])
async def test_policy_skips_are_recorded(server, webhooks, twilio, db, caller, reason):
    await add_business(db)
    sid = new_call_sid()
    await webhooks.post("/twilio/voice", call_params(sid, caller=caller))
    await webhooks.post("/twilio/voice/status",
                        call_params(sid, caller=caller, CallStatus="canceled"))
    await settle(0.3)
    assert twilio.messages == []
    async with db.transaction() as s:
        d = (await s.execute(select(Decision).where(Decision.call_sid == sid))).scalar_one()
        assert (d.action, d.skip_reason) == ("skip", reason)


async def test_two_instances_racing_text_once(settings, db, twilio, tmp_path):
    from tests.support.server import AppServer, free_port
    from tests.support.webhooks import Webhooks

    await add_business(db)
    other = settings.model_copy(update={"public_url": f"http://127.0.0.1:{free_port()}"})
    a, b = AppServer(settings).start(), AppServer(other).start()
    try:
        ha, hb = Webhooks(a), Webhooks(b)
        for _ in range(5):
            sid = new_call_sid()
            await ha.post("/twilio/voice", call_params(sid, caller=f"+1202555{_:04d}"))
            params = call_params(sid, caller=f"+1202555{_:04d}", CallStatus="canceled")
            await asyncio.gather(*(h.post("/twilio/voice/status", params)
                                   for h in (ha, hb, ha, hb)))
        await wait_for_texts(twilio, 5)
        await settle()
        assert sorted(m.to for m in twilio.messages) == [f"+1202555{i:04d}" for i in range(5)]
        await ha.aclose()
        await hb.aclose()
    finally:
        a.stop()
        b.stop()


async def _count(db: Database, model) -> int:
    async with db.transaction() as s:
        return int(await s.scalar(select(func.count()).select_from(model)))


async def test_forged_and_malformed_requests_change_nothing(server, webhooks, twilio, db):
    await add_business(db)
    sid = new_call_sid()
    forged = await webhooks.post("/twilio/voice/status",
                                 call_params(sid, CallStatus="canceled"), signature="bm9wZQ==")
    unsigned = await webhooks.post("/twilio/voice", call_params(sid), sign=False)
    assert (forged.status_code, unsigned.status_code) == (403, 403)
    # Signed for other parameters than the ones sent.
    sig = webhooks.signer.sign(webhooks.signer.url_for("/twilio/sms"), {"Body": "hi"})
    tampered = await webhooks.post("/twilio/sms", {"Body": "STOP", "From": CALLER,
                                                   "To": BUSINESS_NUMBER}, signature=sig)
    assert tampered.status_code == 403
    client = webhooks.client
    assert (await client.post("/twilio/voice", content=b"\xff\xfe%%%",
                              headers={"content-type": "application/x-www-form-urlencoded",
                                       "X-Twilio-Signature": "x"})).status_code == 400
    assert (await client.post("/twilio/voice", json={"CallSid": sid})).status_code == 415
    huge = await client.post("/twilio/voice", content=b"a=" + b"x" * 200_000,
                             headers={"content-type": "application/x-www-form-urlencoded"})
    assert huge.status_code == 413
    assert await _count(db, Call) == 0 and await _count(db, Message) == 0
    await settle(0.2)
    assert twilio.messages == []


async def test_an_oversized_webhook_always_gets_its_413_not_a_reset(server, webhooks):
    # The refused body is read and dropped before the answer: closing a socket with unread
    # bytes makes the kernel reset it, and the sender would see a reset instead of the 413.
    for size in (70_000, 300_000, 3_000_000) * 4:
        r = await webhooks.client.post(
            "/twilio/voice", content=b"a=" + b"x" * size,
            headers={"content-type": "application/x-www-form-urlencoded"})
        assert r.status_code == 413


async def test_unknown_number_gets_polite_twiml(server, webhooks, db):
    r = await webhooks.post("/twilio/voice", call_params(new_call_sid(), to="+12025550199"))
    assert r.status_code == 200
    assert "not set up" in r.text and r.headers["content-type"].startswith("application/xml")
    r = await webhooks.post("/twilio/voice", call_params(new_call_sid(), to="garbage"))
    assert r.status_code == 200 and "<Hangup" in r.text


async def test_calls_api_lists_outcomes(server, webhooks, twilio, db):
    await add_business(db)
    sid = new_call_sid()
    await ring_then_status(webhooks, sid, "busy")
    auth = bearer(await add_token(db, server.settings))
    rows = (await webhooks.client.get("/api/calls", params={"business": BUSINESS_NUMBER},
                                      headers=auth)).json()
    assert rows[0]["call_sid"] == sid and rows[0]["missed_reason"] == "busy"
    assert (await webhooks.client.get("/api/calls", params={"business": "77"},
                                      headers=auth)).status_code == 404
