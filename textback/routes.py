"""Twilio-facing SMS webhooks: ``/twilio/sms`` (inbound) and ``/twilio/sms/status``."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from twilio.twiml.messaging_response import MessagingResponse

from receptionist.core import log_event, mask, try_normalize
from receptionist.core.provided import Provided
from receptionist.core.webhooks import TwilioForm
from textback.errors import UnknownBusiness
from textback.service import TextbackService

__all__ = ["router"]

log = logging.getLogger("textback.routes")
router = APIRouter()
get_service: Provided[TextbackService] = Provided("textback")
Textback = Annotated[TextbackService, Depends(get_service)]


def _twiml(reply: str | None = None) -> Response:
    resp = MessagingResponse()
    if reply:
        resp.message(reply)
    return Response(str(resp), media_type="application/xml")


@router.post("/twilio/sms")
async def inbound_sms(form: TwilioForm, service: Textback) -> Response:
    sid = form.get("MessageSid") or form.get("SmsSid") or ""
    to = try_normalize(form.get("To"))
    from_ = try_normalize(form.get("From"))
    if not sid or to is None or from_ is None:
        log_event(log, "textback.inbound_unusable", logging.WARNING, sid=sid,
                  to=mask(form.get("To")), from_=mask(form.get("From")))
        return _twiml()
    body = form.get("Body", "")
    num_media = form.get("NumMedia") or "0"
    media = int(num_media) if num_media.isascii() and num_media.isdigit() else 0
    if media:  # photos of a leak or a rash are common; the team sees that one came
        body = f"{body} [+{media} attachment{'s' if media > 1 else ''}]".strip()
    try:
        result = await service.receive_sms(to=to, from_=from_, body=body, message_sid=sid)
    except UnknownBusiness:
        log_event(log, "textback.unknown_number", logging.WARNING, to=mask(to))
        return _twiml()
    return _twiml(result.reply)


@router.post("/twilio/sms/status")
async def sms_status(form: TwilioForm, service: Textback, outbox: str = "") -> Response:
    sid = form.get("MessageSid") or form.get("SmsSid")
    status = (form.get("MessageStatus") or form.get("SmsStatus") or "").lower()
    # Our outbox id rides in the signed callback URL (see OutboxWorker._callback_url).
    outbox_id = int(outbox) if outbox.isascii() and outbox.isdigit() and len(outbox) < 19 else None
    if sid and status:
        known = await service.record_status(message_sid=sid, status=status,
                                            error_code=form.get("ErrorCode") or None,
                                            outbox_id=outbox_id)
        if not known:
            log_event(log, "textback.status_unknown_message", sid=sid, status=status)
    return Response(status_code=204)
