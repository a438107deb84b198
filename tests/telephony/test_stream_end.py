"""A call that ends while its media stream is live is decided by the stream's end.

Twilio's final status callback and the media server's writes race; these tests make the callback
win, as it does on a loaded server, and check that nobody who talked to the AI is texted back
and that a caller who did not is texted exactly once. The media server's writes are made by a
second ``CallService`` on the same database, as a media server in its own process would.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from receptionist.core import Database, SystemClock, utcnow
from receptionist.telephony.models import Call
from receptionist.telephony.service import STREAM_END_GRACE, CallService
from scripts.doubles.factories import CALLER, add_business
from scripts.doubles.twilio_rest import TwilioRestDouble
from tests.support.calls import call_params, new_call_sid
from tests.textback.test_missed_calls_e2e import settle, wait_for_texts
from textback import OutboxConfig, OutboxWorker
from textback.console_sms import ConsoleSmsSender

pytestmark = pytest.mark.voice  # the calls are answered by the AI


def media_server(db: Database) -> CallService:
    worker = OutboxWorker(db, ConsoleSmsSender(), OutboxConfig(None), SystemClock())
    return CallService(db, worker, SystemClock())  # its worker is not running


async def stored(db: Database, sid: str) -> Call:
    async with db.transaction() as session:
        return (await session.execute(select(Call).where(Call.call_sid == sid))).scalar_one()


async def call_ended_ago(db: Database, sid: str, ago: timedelta) -> None:
    async with db.transaction() as session:
        await session.execute(update(Call).where(Call.call_sid == sid)
                              .values(ended_at=utcnow() - ago))


async def connect_to_ai(webhooks, db: Database) -> str:
    await add_business(db, routing="ai")
    sid = new_call_sid()
    r = await webhooks.post("/twilio/voice", call_params(sid))
    assert r.status_code == 200 and "<Connect" in r.text, r.text
    return sid


async def hang_up(webhooks, sid: str) -> None:
    r = await webhooks.post("/twilio/voice/status", call_params(sid, CallStatus="completed"))
    assert r.status_code == 204


async def test_a_status_callback_overtaking_the_conversation_start_texts_nobody(
        server, webhooks, twilio: TwilioRestDouble, db: Database) -> None:
    sid = await connect_to_ai(webhooks, db)
    media = media_server(db)
    await media.stream_started(sid)
    await hang_up(webhooks, sid)  # lands before the media server wrote "conversation started"
    call = await stored(db, sid)
    assert call.outcome is None and call.ended_status == "completed" and call.ended_at
    await media.conversation_started(sid)
    await media.stream_ended(sid)
    await settle()
    assert twilio.messages == []
    assert (await stored(db, sid)).outcome == "handled_by_ai"


async def test_a_stream_ending_without_a_conversation_texts_once(
        server, webhooks, twilio: TwilioRestDouble, db: Database) -> None:
    sid = await connect_to_ai(webhooks, db)
    media = media_server(db)
    await media.stream_started(sid)
    await hang_up(webhooks, sid)
    await hang_up(webhooks, sid)  # a retried callback changes nothing
    await settle()
    assert twilio.messages == []  # not decided yet: the stream may still report a conversation
    await media.stream_ended(sid)
    await media.stream_ended(sid)
    (text,) = await wait_for_texts(twilio, 1)
    await settle()
    assert len(twilio.messages) == 1 and text.to == CALLER
    call = await stored(db, sid)
    assert (call.outcome, call.missed_reason) == ("missed", "hung_up_before_greeting")


async def test_a_call_whose_stream_never_connected_is_texted_at_once(
        server, webhooks, twilio: TwilioRestDouble, db: Database) -> None:
    sid = await connect_to_ai(webhooks, db)
    await hang_up(webhooks, sid)  # nothing is played before the stream is stored
    assert len(await wait_for_texts(twilio, 1)) == 1
    assert (await stored(db, sid)).missed_reason == "hung_up_before_greeting"


@pytest.mark.parametrize("talked", [False, True])
async def test_a_media_server_that_died_is_settled_after_the_grace(
        server, webhooks, twilio: TwilioRestDouble, db: Database, talked: bool) -> None:
    sid = await connect_to_ai(webhooks, db)
    media = media_server(db)
    await media.stream_started(sid)
    if talked:
        await media.conversation_started(sid)
    else:
        await hang_up(webhooks, sid)
    # ... and the media server is gone before it could write the stream's end.
    if talked:
        await hang_up(webhooks, sid)  # a conversation decides at once
    sweeper = media_server(db)
    await call_ended_ago(db, sid, STREAM_END_GRACE - timedelta(seconds=2))
    assert await sweeper.settle_lost_streams() == 0  # still within the grace
    await call_ended_ago(db, sid, STREAM_END_GRACE + timedelta(seconds=1))
    assert await sweeper.settle_lost_streams() == (0 if talked else 1)
    assert await sweeper.settle_lost_streams() == 0
    if talked:
        await settle()
        assert twilio.messages == []
        assert (await stored(db, sid)).outcome == "handled_by_ai"
    else:
        assert len(await wait_for_texts(twilio, 1)) == 1
        await settle()
        assert len(twilio.messages) == 1
        assert (await stored(db, sid)).outcome == "missed"


async def test_replaying_the_signed_voice_webhook_mints_no_new_stream_token(
        server, webhooks, db: Database) -> None:
    import re

    from receptionist.call.models import StreamToken

    sid = await connect_to_ai(webhooks, db)
    answers = [await webhooks.post("/twilio/voice", call_params(sid)) for _ in range(3)]
    tokens = {re.search(r'name="token" value="([^"]+)"', r.text).group(1) for r in answers}
    async with db.transaction() as session:
        rows = list((await session.execute(
            select(StreamToken).where(StreamToken.call_sid == sid))).scalars())
    assert len(tokens) == 1 and len(rows) == 1
