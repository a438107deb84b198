"""``/try``: talk to the receptionist before going live.

- The text chat posts to ``POST /api/chat`` (the text channel, ``receptionist.chat``); an app
  built without it shows the latest AI call's transcript instead.
- The softphone: ``POST /try/call`` starts a call through the same lifecycle as Twilio's
  ``/twilio/voice`` webhook (routing forced to the AI, the caller ``client:try``), mints the
  one-time stream token the same way, and returns the stream's parameters; the browser then
  speaks Twilio's Media Streams protocol on ``WS /twilio/media`` (8 kHz μ-law from the
  microphone, the receptionist's audio played back, marks echoed), so it gets exactly the
  session a phone call gets.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from receptionist.agent import TranscriptTurn
from receptionist.call import parse_twiml
from receptionist.core import Routing
from receptionist.core.provided import Provided
from receptionist.deps import AiDep, CallsDep, DbDep
from receptionist.telephony.lifecycle import IncomingCall
from receptionist.telephony.models import Call
from receptionist.web.templating import PageScopeDep, render

__all__ = ["CHAT_PATH", "SOFTPHONE_CALLER", "latest_transcript", "router"]

router = APIRouter()
CHAT_PATH = "/api/chat"
SOFTPHONE_CALLER = "client:try"  # as Twilio names a browser caller; never texted back


# The text channel's service; present when the app serves POST /api/chat.
get_chat: Provided[object | None] = Provided("chat", optional=True)
ChatAvailable = Annotated[object | None, Depends(get_chat)]


async def latest_transcript(db: Any, business_id: int) -> tuple[Call | None,
                                                              list[TranscriptTurn]]:
    """The latest call the AI answered, with its transcript (what /try shows without a chat)."""
    async with db.transaction() as session:
        call = (await session.execute(
            select(Call).where(Call.business_id == business_id, Call.outcome == "handled_by_ai")
            .order_by(Call.started_at.desc()).limit(1))).scalar_one_or_none()
        if call is None:
            return None, []
        return call, list((await session.execute(
            select(TranscriptTurn).where(TranscriptTurn.call_sid == call.call_sid)
            .order_by(TranscriptTurn.seq))).scalars())


@router.get("/try", response_class=HTMLResponse)
async def try_page(request: Request, scope: PageScopeDep, db: DbDep, ai: AiDep,
                   chat_service: ChatAvailable) -> HTMLResponse:
    business = scope.business
    if business is None:
        return render(request, scope, "try.html", active="try", title="Try it")
    chat = chat_service is not None
    last_call, turns = (None, []) if chat else await latest_transcript(db, business.id)
    return render(request, scope, "try.html", active="try", title="Try it", chat=chat,
                  chat_path=CHAT_PATH, last_call=last_call, turns=turns,
                  softphone=ai is not None and ai.available(business))


@router.post("/try/call")
async def start_softphone_call(scope: PageScopeDep, calls: CallsDep, ai: AiDep) -> dict[str, Any]:
    """A browser call to the business: the lifecycle row and stream token a phone call gets."""
    business = scope.require_business()
    if ai is None or not ai.available(business):
        raise HTTPException(503, "the AI receptionist is not running on this server")
    call_sid = "CA" + secrets.token_hex(16)
    async with calls.webhook(business.primary_number) as hook:
        if hook.business is None or hook.business.id != business.id:
            raise HTTPException(409, "the business has no phone number to call")
        await hook.apply(call_sid, IncomingCall(
            routing=Routing.AI, open_now=True, skip_ringing_after_hours=False,
            can_ring=False, ai_available=True,
        ), from_number=SOFTPHONE_CALLER, to_number=business.primary_number,
            data={"status": "ringing", "softphone": True})
    found = parse_twiml(await ai.connect_twiml(call_sid, business))
    if not found.stream_url:
        raise HTTPException(503, "the receptionist did not open a media stream")
    return {"call_sid": call_sid, "stream_sid": "MZ" + secrets.token_hex(16),
            "stream_path": "/twilio/media", "parameters": found.parameters}
