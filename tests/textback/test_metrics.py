"""The owner's numbers, computed from a scripted week of calls and texts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from receptionist.core import get_business
from scripts.doubles.factories import BUSINESS_NUMBER, TEAM_PHONE, add_business
from textback import Message, compute_report, decide_missed_call, note_conversion
from textback.inbound import handle_inbound

T0 = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
A, B, C, D = "+12025550141", "+12025550142", "+12025550143", "+12025550144"


async def test_report(db):
    business_id = await add_business(db)
    sid = iter(f"SM{i:032d}" for i in range(100))

    async with db.transaction() as s:
        biz = await get_business(s, business_id)
        for i, caller in enumerate((A, B, C, D, "anonymous")):
            await decide_missed_call(s, biz, call_sid=f"CA{i}", caller=caller,
                                     missed_reason="no_answer", after_hours=False,
                                     now=T0 + timedelta(minutes=i))
        await decide_missed_call(s, biz, call_sid="CA9", caller=A, missed_reason="busy",
                                 after_hours=False, now=T0 + timedelta(hours=1))  # cooldown
        # Sent by the provider (the worker would do this).
        await s.execute(update(Message).values(status="delivered", provider_sid=None))
        # A replies after 10 min and the team answers 4 min later; B replies, team 10 min later.
        await handle_inbound(s, biz, from_=A, to=BUSINESS_NUMBER, body="Can you come today?",
                             message_sid=next(sid), now=T0 + timedelta(minutes=10))
        await handle_inbound(s, biz, from_=TEAM_PHONE, to=BUSINESS_NUMBER, body="Yes at 3",
                             message_sid=next(sid), now=T0 + timedelta(minutes=14))
        await handle_inbound(s, biz, from_=B, to=BUSINESS_NUMBER, body="how much for a boiler?",
                             message_sid=next(sid), now=T0 + timedelta(minutes=20))
        await handle_inbound(s, biz, from_=TEAM_PHONE, to=BUSINESS_NUMBER, body="About $90",
                             message_sid=next(sid), now=T0 + timedelta(minutes=31))
        # C opts out; D books two days later (conversion); A calls back 9 days later (too late).
        await handle_inbound(s, biz, from_=C, to=BUSINESS_NUMBER, body="STOP",
                             message_sid=next(sid), now=T0 + timedelta(minutes=5))
        await note_conversion(s, business_id, D, "booking", T0 + timedelta(days=2))
        await note_conversion(s, business_id, A, "handled_call", T0 + timedelta(days=9))

    async with db.transaction() as s:
        rep = await compute_report(s, business_id=business_id, since=T0 - timedelta(days=1),
                                   until=T0 + timedelta(days=1))
    assert rep.missed_calls == 6
    assert rep.textbacks_sent == 4
    assert rep.textbacks_skipped == {"anonymous": 1, "cooldown": 1}
    assert (rep.replies, rep.reply_rate) == (2, 0.5)
    assert rep.median_first_response_s == 450.0  # median of 4 min and 11 min
    assert (rep.opt_outs, rep.opt_out_rate) == (1, 0.25)
    assert (rep.conversions, rep.conversion_rate) == (1, 0.25)

    async with db.transaction() as s:
        empty = await compute_report(s, business_id=business_id, since=T0 + timedelta(days=30),
                                     until=T0 + timedelta(days=31))
    assert empty.missed_calls == 0 and empty.reply_rate is None
