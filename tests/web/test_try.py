"""``/try`` on the server: the chat's stand-in (the latest AI call's transcript) and the
softphone's call start, which needs the voice runtime."""

from __future__ import annotations

from datetime import UTC, datetime

from receptionist.agent import TranscriptTurn
from receptionist.core import Database
from receptionist.telephony.models import Call
from scripts.doubles.factories import CALLER, add_business
from tests.support.pages import PageClient


async def test_the_chat_talks_to_the_receptionist(pages: PageClient, db: Database):
    bid = await add_business(db)
    await pages.as_owner(bid)
    r = await pages.get("/try")
    assert r.status_code == 200 and 'id="chat-form"' in r.text
    assert 'data-chat-url="/api/chat"' in r.text
    assert "voice is off" in r.text  # this app runs without the voice runtime
    # What the page's script sends (with the session's CSRF header).
    r = await pages.post("/api/chat", json={"business_id": bid, "text": "Hello"})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["reply"] and data["turns"][-1]["text"] == data["reply"]


async def test_without_chat_the_latest_ai_transcript_is_shown(pages: PageClient, db: Database):
    from receptionist.web.try_page import latest_transcript

    bid = await add_business(db)
    assert await latest_transcript(pages.services.db, bid) == (None, [])
    async with db.transaction() as s:
        s.add(Call(call_sid="CAtry", business_id=bid, from_number=CALLER,
                   outcome="handled_by_ai", started_at=datetime.now(UTC)))
        s.add(TranscriptTurn(call_sid="CAtry", seq=0, role="agent", text="Greenfield, hello!",
                             at_ms=300))
    call, turns = await latest_transcript(pages.services.db, bid)
    assert call is not None and [t.text for t in turns] == ["Greenfield, hello!"]


async def test_softphone_needs_the_voice_runtime(pages: PageClient, db: Database):
    await pages.as_owner(await add_business(db))
    r = await pages.post("/try/call")
    assert r.status_code == 503 and "not running" in r.text


async def test_anonymous_cannot_start_a_call(pages: PageClient, db: Database):
    await add_business(db)
    assert (await pages.post("/try/call")).status_code == 401
    assert (await pages.get("/try")).headers["location"] == "/login?next=/try"
