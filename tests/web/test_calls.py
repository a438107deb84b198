"""``/calls`` and ``/calls/{call_sid}``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from receptionist.agent import CallSummary, ToolCallRow, TranscriptTurn
from receptionist.core import Database
from receptionist.telephony.models import Call
from scripts.doubles.factories import CALLER, CALLER_2, add_business
from tests.support.pages import PageClient
from textback import Decision, Message


async def add_calls(db: Database, business_id: int, n: int, *, prefix: str = "CA") -> None:
    now = datetime.now(UTC)
    async with db.transaction() as s:
        for i in range(n):
            s.add(Call(call_sid=f"{prefix}{i:04d}", business_id=business_id,
                       from_number=CALLER if i % 2 else CALLER_2,
                       outcome="missed" if i % 3 == 0 else "handled_by_ai",
                       missed_reason="no_answer" if i % 3 == 0 else None,
                       started_at=now - timedelta(minutes=i)))


async def test_list_searches_filters_and_pages(pages: PageClient, db: Database):
    bid = await add_business(db)
    await add_calls(db, bid, 120)
    await pages.as_owner(bid)
    r = await pages.get("/calls")
    assert r.status_code == 200 and "120 calls" in r.text and "Page 1 of 3" in r.text
    assert r.text.count('href="/calls/CA') == 50 and "/calls/CA0000" in r.text
    r = await pages.get("/calls", params={"page": 3})
    assert r.text.count('href="/calls/CA') == 20 and "/calls/CA0119" in r.text
    r = await pages.get("/calls", params={"outcome": "missed"})
    assert "40 calls" in r.text and "nobody answered" in r.text
    r = await pages.get("/calls", params={"q": "555-0143"})  # CALLER: the odd ones
    assert "60 calls" in r.text
    r = await pages.get("/calls", params={"q": "CA0007"})
    assert "1 call<" in r.text
    assert (await pages.get("/calls", params={"outcome": "bogus"})).status_code == 422
    r = await pages.get("/calls", params={"q": "nothing-like-this"})
    assert "No calls match" in r.text


async def test_empty_list_says_what_to_do(pages: PageClient, db: Database):
    await pages.as_owner(await add_business(db))
    r = await pages.get("/calls")
    assert "No calls yet" in r.text and "/settings#twilio" in r.text


async def test_detail_shows_transcript_tools_summary_and_text_back(pages: PageClient,
                                                                    db: Database):
    bid = await add_business(db)
    now = datetime.now(UTC)
    async with db.transaction() as s:
        s.add(Call(call_sid="CAai", business_id=bid, from_number=CALLER,
                   outcome="handled_by_ai", started_at=now, duration_s=75))
        s.add(TranscriptTurn(call_sid="CAai", seq=0, role="agent", text="Greenfield, hi!",
                             at_ms=400))
        s.add(TranscriptTurn(call_sid="CAai", seq=1, role="caller", text="Book a drain clean",
                             at_ms=65_000))
        s.add(TranscriptTurn(call_sid="CAai", seq=2, role="agent", text="Tuesday at 3?",
                             at_ms=66_000, latency_ms=640))
        s.add(ToolCallRow(call_sid="CAai", seq=0, at_ms=65_500, name="find_slots",
                          arguments={"service": "Drain cleaning"}, ok=True, result={},
                          duration_ms=30))
        s.add(CallSummary(call_sid="CAai", business_id=bid, summary="Caller booked Tuesday.",
                          engine="pipeline", brain="local", end_reason="goodbye"))
        s.add(Call(call_sid="CAmissed", business_id=bid, from_number=CALLER_2,
                   outcome="missed", missed_reason="hung_up_while_ringing", started_at=now))
        s.add(Decision(call_sid="CAmissed", business_id=bid, caller=CALLER_2,
                       missed_reason="hung_up_while_ringing", action="skip",
                       skip_reason="cooldown"))
        s.add(Message(business_id=bid, direction="out", kind="textback", to_number=CALLER,
                      from_number="+12025550100", body="Sorry we missed you", status="sent",
                      call_sid="CAother", contact_phone=CALLER))
    await pages.as_owner(bid)
    r = await pages.get("/calls/CAai")
    assert r.status_code == 200
    assert "Greenfield, hi!" in r.text and "1:05" in r.text  # the caller's turn at 65 s
    assert "answered in 640 ms" in r.text and "find_slots" in r.text
    assert "Caller booked Tuesday." in r.text and "Answered by AI" in r.text
    assert "No text-back: the caller reached the AI receptionist" in r.text
    r = await pages.get("/calls/CAmissed")
    assert "the caller hung up while the phones rang" in r.text
    assert "Not texted: the caller was already texted within the cooldown" in r.text


async def test_another_business_call_is_not_found(pages: PageClient, db: Database):
    mine = await add_business(db)
    other = await add_business(db, name="Other", number="+12025550177")
    await add_calls(db, other, 1, prefix="CAX")
    await pages.as_owner(mine)
    assert (await pages.get("/calls/CAX0000")).status_code == 404
    assert (await pages.get("/calls/CAnope")).status_code == 404
    assert "/calls/CAX0000" not in (await pages.get("/calls", params={"q": "CAX0000"})).text
