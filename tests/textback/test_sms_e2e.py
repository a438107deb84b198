"""Inbound SMS, opt-outs, replies to a person, delivery statuses and provider failures, over HTTP
against the running app and the Twilio REST double."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from scripts.doubles.factories import (
    BUSINESS_NUMBER,
    CALLER,
    CALLER_2,
    TEAM_PHONE,
    TEAM_PHONE_2,
    add_business,
)
from tests.support.calls import call_params, new_call_sid, sms_params
from tests.textback.test_missed_calls_e2e import settle, wait_for_texts
from textback import Contact, Message


async def missed_call(webhooks, caller: str = CALLER) -> str:
    sid = new_call_sid()
    await webhooks.post("/twilio/voice", call_params(sid, caller=caller))
    await webhooks.post("/twilio/voice/status",
                        call_params(sid, caller=caller, CallStatus="canceled"))
    return sid


async def test_stop_blocks_texts_and_start_restores_them(server, webhooks, twilio, db):
    await add_business(db, textback_cooldown_hours=0)
    r = await webhooks.post("/twilio/sms", sms_params(body="Stop"))
    assert r.status_code == 200 and r.text.count("<Message>") == 1  # the one confirmation
    assert "unsubscribed" in r.text and "START" in r.text
    await missed_call(webhooks)
    await settle()
    assert twilio.messages == []

    await webhooks.post("/twilio/sms", sms_params(body="START"))
    await missed_call(webhooks)
    assert len(await wait_for_texts(twilio, 1)) == 1


async def test_natural_language_opt_out(server, webhooks, twilio, db):
    await add_business(db)
    await webhooks.post("/twilio/sms", sms_params(body="Please stop texting me."))
    async with db.transaction() as s:
        contact = (await s.execute(select(Contact).where(Contact.phone == CALLER))).scalar_one()
        assert contact.opted_out


async def test_help_replies_with_business_name_and_contact(server, webhooks, db):
    await add_business(db)
    r = await webhooks.post("/twilio/sms", sms_params(body="help"))
    assert r.status_code == 200
    assert "<Message>Greenfield Plumbing" in r.text and "STOP" in r.text


async def test_reply_is_forwarded_and_team_answer_relayed(server, webhooks, twilio, db):
    await add_business(db, team=[("Dana", TEAM_PHONE, "replies"),
                                 ("Sam", TEAM_PHONE_2, "bookings")])
    await missed_call(webhooks)
    await wait_for_texts(twilio, 1)
    await webhooks.post("/twilio/sms", sms_params(body="Can you come fix a leak today?"))
    forwarded = await wait_for_texts(twilio, 1, to=TEAM_PHONE)
    assert len(forwarded) == 1 and forwarded[0].from_ == BUSINESS_NUMBER
    assert "Can you come fix a leak today?" in forwarded[0].body
    assert "Reply from" in forwarded[0].body
    assert not [m for m in twilio.messages if m.to == TEAM_PHONE_2]  # Sam only gets bookings

    await webhooks.post("/twilio/sms", sms_params(from_=TEAM_PHONE,
                                                  body="Yes, we can be there at 3pm."))
    relayed = await wait_for_texts(twilio, 2, to=CALLER)
    assert relayed[-1].body == "Yes, we can be there at 3pm."
    assert relayed[-1].from_ == BUSINESS_NUMBER


async def test_short_code_picks_the_thread_when_several_are_open(server, webhooks, twilio, db):
    await add_business(db)
    await webhooks.post("/twilio/sms", sms_params(from_=CALLER, body="first caller here"))
    await webhooks.post("/twilio/sms", sms_params(from_=CALLER_2, body="second caller here"))
    await wait_for_texts(twilio, 2, to=TEAM_PHONE)
    async with db.transaction() as s:
        code = (await s.execute(select(Contact.short_code).where(Contact.phone == CALLER)
                                )).scalar_one()
    # Without a code the answer would go to the latest thread (CALLER_2); the code wins.
    await webhooks.post("/twilio/sms", sms_params(from_=TEAM_PHONE, body=f"{code} on our way"))
    relayed = await wait_for_texts(twilio, 1, to=CALLER)
    # Neither caller had a text from the business yet: the first one says how to stop.
    assert [m.body for m in relayed] == ["on our way. Reply STOP to opt out."]
    await webhooks.post("/twilio/sms", sms_params(from_=TEAM_PHONE, body="see you soon"))
    assert [m.body for m in await wait_for_texts(twilio, 1, to=CALLER_2)] == [
        "see you soon. Reply STOP to opt out."]


async def test_duplicate_inbound_webhook_is_processed_once(server, webhooks, twilio, db):
    await add_business(db)
    params = sms_params(body="hello?")
    await asyncio.gather(*(webhooks.post("/twilio/sms", params) for _ in range(5)))
    await wait_for_texts(twilio, 1, to=TEAM_PHONE)
    await settle()
    assert len([m for m in twilio.messages if m.to == TEAM_PHONE]) == 1


async def test_provider_500_then_success_retries(server, webhooks, twilio, db):
    await add_business(db)
    twilio.fail_next(2, status=500, code=20500)
    await missed_call(webhooks)
    texts = await wait_for_texts(twilio, 1, timeout_s=8)
    assert len(texts) == 1
    for _ in range(100):  # the worker records the answer just after Twilio has the text
        async with db.transaction() as s:
            msg = (await s.execute(select(Message).where(Message.kind == "textback"))
                   ).scalar_one()
        if msg.provider_sid:
            break
        await asyncio.sleep(0.02)
    assert msg.attempts == 3 and msg.provider_sid == texts[0].sid


async def test_21610_marks_contact_opted_out_without_retry(server, webhooks, twilio, db):
    await add_business(db, textback_cooldown_hours=0)
    twilio.fail_next(1, status=400, code=21610, message="Attempt to send to unsubscribed "
                     "recipient")
    await missed_call(webhooks)
    await settle(0.6)
    async with db.transaction() as s:
        msg = (await s.execute(select(Message).where(Message.kind == "textback"))).scalar_one()
        assert (msg.status, msg.attempts, msg.error_code) == ("failed", 1, "21610")
        contact = (await s.execute(select(Contact))).scalar_one()
        assert contact.opted_out
    await missed_call(webhooks)
    await settle()
    assert twilio.messages == []


async def test_21211_invalid_number_fails_permanently(server, webhooks, twilio, db):
    await add_business(db)
    twilio.fail_next(1, status=400, code=21211)
    await missed_call(webhooks)
    await settle(0.6)
    async with db.transaction() as s:
        msg = (await s.execute(select(Message))).scalar_one()
        assert (msg.status, msg.attempts, msg.error_code) == ("failed", 1, "21211")


async def test_status_callbacks_move_forward_only(server, webhooks, twilio, db):
    await add_business(db)
    await missed_call(webhooks)
    (text,) = await wait_for_texts(twilio, 1)
    for _ in range(100):  # wait until the worker has recorded Twilio's answer
        async with db.transaction() as s:
            if (await s.execute(select(Message))).scalar_one().provider_sid:
                break
        await asyncio.sleep(0.02)
    for status in ("sent", "delivered", "sent", "queued"):
        r = await webhooks.post("/twilio/sms/status", {
            "MessageSid": text.sid, "MessageStatus": status, "AccountSid": twilio.account_sid,
            "From": BUSINESS_NUMBER, "To": CALLER, "ApiVersion": "2010-04-01"})
        assert r.status_code == 204
    async with db.transaction() as s:
        msg = (await s.execute(select(Message))).scalar_one()
        assert msg.status == "delivered" and msg.delivered_at is not None


async def test_lost_answer_is_reconciled_not_resent(server, webhooks, twilio, db):
    """The provider accepted the text but the connection died before we heard back."""
    await add_business(db)
    twilio.drop_after_accept(1)
    await missed_call(webhooks)
    for _ in range(100):  # the retry after backoff looks the message up instead of resending
        async with db.transaction() as s:
            msg = (await s.execute(select(Message))).scalar_one()
        if msg.provider_sid:
            break
        await asyncio.sleep(0.1)
    await settle(0.5)
    assert len(twilio.messages) == 1
    assert msg.provider_sid == twilio.messages[0].sid
    assert msg.status == "queued"


async def test_crash_restart_reconciles_rows_left_sending(settings, db, twilio):
    """A process died after Twilio accepted one text and before another was sent at all."""
    from tests.support.server import AppServer

    business_id = await add_business(db)
    long_ago = datetime.now(UTC) - timedelta(minutes=5)
    accepted = twilio_create(twilio, CALLER, "Hi, this is Greenfield Plumbing (1)")
    async with db.transaction() as s:
        for to, body in ((CALLER, "Hi, this is Greenfield Plumbing (1)"),
                         (CALLER_2, "Hi, this is Greenfield Plumbing (2)")):
            s.add(Message(business_id=business_id, direction="out", kind="textback",
                          to_number=to, from_number=BUSINESS_NUMBER, body=body,
                          contact_phone=to, status="sending", attempts=1,
                          claimed_at=long_ago, created_at=long_ago, next_attempt_at=long_ago))
    app = AppServer(settings.model_copy(update={"outbox_poll_s": 0.1})).start()
    try:
        await wait_for_texts(twilio, 2, timeout_s=10)
        await settle(0.5)
    finally:
        app.stop()
    assert sorted(m.to for m in twilio.messages) == [CALLER, CALLER_2]  # one each, no duplicate
    async with db.transaction() as s:
        rows = {m.to_number: m for m in (await s.execute(select(Message))).scalars()}
    assert rows[CALLER].provider_sid == accepted
    assert rows[CALLER_2].status == "queued" and rows[CALLER_2].attempts == 2


def twilio_create(twilio, to: str, body: str) -> str:
    from twilio.http.http_client import TwilioHttpClient
    from twilio.rest import Client

    class Rebased(TwilioHttpClient):
        def request(self, method, url, *args, **kwargs):
            return super().request(method, url.replace("https://api.twilio.com",
                                                       twilio.base_url), *args, **kwargs)

    client = Client(twilio.account_sid, twilio.auth_token, http_client=Rebased())
    return client.messages.create(to=to, from_=BUSINESS_NUMBER, body=body).sid


async def test_photo_reply_is_forwarded_with_a_note(server, webhooks, twilio, db):
    await add_business(db)
    params = sms_params(body="")
    params.update(NumMedia="2", MediaUrl0="https://api.twilio.com/m/1",
                  MediaContentType0="image/jpeg")
    await webhooks.post("/twilio/sms", params)
    (fwd,) = await wait_for_texts(twilio, 1, to=TEAM_PHONE)
    assert fwd.body.endswith("[+2 attachments]")
