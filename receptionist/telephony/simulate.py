"""Plays Twilio's side of a call's webhooks against a running server, signed as Twilio signs them.

Used by ``receptionist call missed`` and the dashboard's demo button, so a new user sees the
whole missed-call flow without a phone or a Twilio account.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from email.utils import formatdate

import httpx

from receptionist.core import WebhookSigner

__all__ = ["MissedCallRun", "simulate_missed_call"]


@dataclass
class MissedCallRun:
    call_sid: str
    responses: list[tuple[str, int, str]] = field(default_factory=list)


async def _post(client: httpx.AsyncClient, signer: WebhookSigner, server: str, path: str,
                params: dict[str, str], run: MissedCallRun) -> str:
    signature = signer.sign(signer.url_for(path), params)
    resp = await client.post(server.rstrip("/") + path, data=params,
                             headers={"X-Twilio-Signature": signature})
    run.responses.append((path, resp.status_code, resp.text))
    resp.raise_for_status()
    return resp.text


async def simulate_missed_call(
    *, server: str, signer: WebhookSigner, account_sid: str, to: str, from_: str,
    final_status: str = "canceled", ring_s: int = 0, timeout_s: float = 10.0,
) -> MissedCallRun:
    """An incoming call that the caller abandons (``canceled``) or that nobody answers."""
    run = MissedCallRun(call_sid="CA" + secrets.token_hex(16))
    base = {"AccountSid": account_sid, "CallSid": run.call_sid, "From": from_, "To": to,
            "Direction": "inbound", "ApiVersion": "2010-04-01", "Caller": from_, "Called": to}
    async with httpx.AsyncClient(timeout=timeout_s) as client:
        twiml = await _post(client, signer, server, "/twilio/voice",
                            {**base, "CallStatus": "ringing"}, run)
        if "<Dial" in twiml:
            dial_status = "canceled" if final_status == "canceled" else "no-answer"
            if final_status != "canceled":
                await _post(client, signer, server, "/twilio/voice/dial",
                            {**base, "CallStatus": "in-progress", "DialCallStatus": dial_status,
                             "DialCallSid": "CA" + secrets.token_hex(16)}, run)
        await _post(client, signer, server, "/twilio/voice/status",
                    {**base, "CallStatus": final_status, "CallDuration": str(ring_s),
                     "Timestamp": formatdate(usegmt=True), "SequenceNumber": "0",
                     "CallbackSource": "call-progress-events"}, run)
    return run
