"""FastAPI dependency for Twilio webhooks: a bounded, well-formed, correctly signed form body.

A bad signature is refused with 403 before anything reads or writes state; a body that is too
large or not a form gets a 4xx, never a 500.
"""

from __future__ import annotations

import logging
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import Depends, HTTPException, Request

from receptionist.core.logs import log_event
from receptionist.core.principal import Access, declares_access
from receptionist.core.provided import Provided
from receptionist.core.signatures import WebhookSigner

__all__ = ["MAX_WEBHOOK_BYTES", "TwilioForm", "verified_twilio_form"]

log = logging.getLogger("receptionist.webhooks")
MAX_WEBHOOK_BYTES = 64 * 1024  # Twilio's largest webhooks (long SMS bodies) are well under this
_SIGNER: Provided[WebhookSigner] = Provided("signer")


@declares_access(Access.TWILIO_SIGNED)
async def verified_twilio_form(request: Request) -> dict[str, str]:
    declared = request.headers.get("content-length")
    if declared is not None and (not (declared.isascii() and declared.isdigit())
                                 or int(declared) > MAX_WEBHOOK_BYTES):
        raise HTTPException(413, "webhook body too large")
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/x-www-form-urlencoded":
        raise HTTPException(415, "expected application/x-www-form-urlencoded")
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_WEBHOOK_BYTES:
            raise HTTPException(413, "webhook body too large")
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(raw),
                          max_num_fields=200)
    except (UnicodeDecodeError, ValueError) as exc:
        raise HTTPException(400, "malformed form body") from exc
    params = dict(pairs)
    signer = _SIGNER.get(request)
    signature = request.headers.get("x-twilio-signature")
    if not signer.is_valid(request.url.path, request.url.query, params, signature):
        log_event(log, "twilio.signature_rejected", logging.WARNING, path=request.url.path)
        raise HTTPException(403, "invalid Twilio signature")
    return _without_nul(params)


def _without_nul(params: dict[str, str]) -> dict[str, str]:
    """Drop NUL characters, after the signature was checked over the form as sent. No real
    Twilio field holds one, and PostgreSQL cannot store one in a text column (the write would
    fail with a 500 and Twilio would retry it forever)."""
    if not any("\x00" in key or "\x00" in value for key, value in params.items()):
        return params
    return {key.replace("\x00", ""): value.replace("\x00", "") for key, value in params.items()}


TwilioForm = Annotated[dict[str, str], Depends(verified_twilio_form)]
