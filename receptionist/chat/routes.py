"""``POST /api/chat``: one turn of a text conversation with the receptionist (the owner's
try-it page). Signed-in users only, for a business they may see.

    {"business_id": 1}                                          -> opens one: the greeting
    {"business_id": 1, "text": "Are you open Saturday?"}        -> opens one and says it
    {"business_id": 1, "conversation_id": "CHAT…", "text": "…"} -> continues it
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from receptionist.chat.errors import ConversationBusy, ConversationEnded, ConversationNotFound
from receptionist.chat.service import ChatService
from receptionist.core import BusinessNotFound, try_normalize
from receptionist.core.principal import CurrentPrincipal
from receptionist.core.provided import Provided

__all__ = ["ChatRequest", "router"]

router = APIRouter()
get_chat: Provided[ChatService] = Provided("chat")
ChatDep = Annotated[ChatService, Depends(get_chat)]


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    business_id: int = Field(ge=1)
    conversation_id: str | None = Field(default=None, min_length=1, max_length=64)
    text: str | None = Field(default=None, max_length=1000)
    caller_phone: str | None = Field(
        default=None, max_length=32,
        description="The number booking confirmations go to (E.164); none: nothing is texted.")


@router.post("/api/chat")
async def chat(body: ChatRequest, chat: ChatDep, principal: CurrentPrincipal) -> dict[str, Any]:
    """Say ``text`` (none: just open the conversation) and get the agent's reply, with the
    whole conversation so far, its bookings, texts and messages for the team."""
    principal.require(body.business_id)
    text = " ".join((body.text or "").split())
    try:
        if body.conversation_id is None:
            exchange = await chat.start(body.business_id, caller_phone=_phone(body.caller_phone))
            conversation_id, reply, ended = exchange.conversation_id, exchange.reply, False
        else:
            conversation_id, reply, ended = body.conversation_id, "", False
            if (await chat.transcript(conversation_id)).business_id != body.business_id:
                raise ConversationNotFound(conversation_id)  # another tenant's: not ours to say
            if not text:
                raise HTTPException(422, "text is required to continue a conversation")
        if text:
            said = await chat.say(conversation_id, text)
            reply, ended = said.reply, said.ended
        transcript = await chat.transcript(conversation_id)
    except (ConversationNotFound, BusinessNotFound) as exc:
        raise HTTPException(404, "not found") from exc
    except (ConversationEnded, ConversationBusy) as exc:
        raise HTTPException(409, str(exc)) from exc
    return {"conversation_id": conversation_id, "reply": reply, "ended": ended,
            **transcript.to_json()}


def _phone(raw: str | None) -> str | None:
    if not raw:
        return None
    phone = try_normalize(raw)
    if phone is None:
        raise HTTPException(422, "caller_phone must be a phone number, e.g. +12025550143")
    return phone
