"""Call control: hang up or transfer a live call through Twilio's REST API, or, without Twilio
credentials, by closing the stream.

- Hang up: update the call with ``Status=completed``. Twilio's error 20404 (no such call) means it
  has already ended, which is what we wanted.
- Transfer: replace the call's TwiML with a ``<Dial>`` of the team's phones; its ``action``
  (``/twilio/voice/transfer``) brings the caller back to the AI if nobody answers, and each
  ``<Number>`` reports its leg to ``/twilio/voice/status`` so a pick-up is recorded. Replacing the
  TwiML ends the media stream but not the call.

``StreamCallControl`` is the default without credentials: it records what was asked; hanging up
then happens by closing the WebSocket (``<Connect>`` ends and, with no verb after it, Twilio
hangs up), and transfers are not offered.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

import aiohttp
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client
from twilio.twiml.voice_response import Dial, VoiceResponse

from receptionist.call.errors import CallControlError
from receptionist.core import WebhookSigner, log_event

__all__ = ["StreamCallControl", "TwilioCallControl", "transfer_twiml"]

log = logging.getLogger("receptionist.media.calls")

TRANSFER_ACTION_PATH = "/twilio/voice/transfer"
STATUS_PATH = "/twilio/voice/status"
_ALREADY_ENDED = 20404


def transfer_twiml(to_numbers: list[str], *, timeout_s: int, action_url: str,
                   status_url: str) -> str:
    vr = VoiceResponse()
    dial = Dial(timeout=timeout_s, action=action_url, method="POST")
    for number in to_numbers[:10]:
        dial.number(number, status_callback=status_url, status_callback_method="POST",
                    status_callback_event="answered completed")
    vr.append(dial)
    return str(vr)


class TwilioCallControl:
    can_transfer = True

    def __init__(self, client: Client, signer: WebhookSigner, *, attempts: int = 2) -> None:
        self._client = client
        self._signer = signer
        self._attempts = attempts

    async def _update(self, call_sid: str, what: str, **params: str) -> None:
        for attempt in range(1, self._attempts + 1):
            try:
                await self._client.calls(call_sid).update_async(**params)
                return
            except TwilioRestException as exc:
                if exc.code == _ALREADY_ENDED and what == "hang_up":
                    log_event(log, "call.already_ended", call_sid=call_sid)
                    return
                transient = exc.status == 429 or exc.status >= 500
                if not transient or attempt == self._attempts:
                    raise CallControlError(f"Twilio refused the {what}: {exc.code} {exc.msg}",
                                           transient=transient) from exc
            except (aiohttp.ClientError, TimeoutError) as exc:
                if attempt == self._attempts:
                    raise CallControlError(f"Twilio unreachable for the {what}",
                                           transient=True) from exc
            await asyncio.sleep(0.2 * attempt)

    async def hang_up(self, call_sid: str) -> None:
        await self._update(call_sid, "hang_up", status="completed")
        log_event(log, "call.hung_up", call_sid=call_sid)

    async def transfer(self, call_sid: str, to_numbers: list[str], *, timeout_s: int) -> None:
        if not to_numbers:
            raise CallControlError("nobody to transfer to")
        twiml = transfer_twiml(to_numbers, timeout_s=timeout_s,
                               action_url=self._signer.url_for(TRANSFER_ACTION_PATH),
                               status_url=self._signer.url_for(STATUS_PATH))
        await self._update(call_sid, "transfer", twiml=twiml)
        log_event(log, "call.transferred", call_sid=call_sid, targets=len(to_numbers))


@dataclass
class StreamCallControl:
    """No REST API: record requests; the session closes the stream to hang up."""

    can_transfer = False
    requests: list[tuple[str, str]] = field(default_factory=list)

    async def hang_up(self, call_sid: str) -> None:
        self.requests.append(("hang_up", call_sid))

    async def transfer(self, call_sid: str, to_numbers: list[str], *, timeout_s: int) -> None:
        self.requests.append(("transfer", call_sid))
        raise CallControlError("transfers need Twilio credentials (RECEPTIONIST_TWILIO_*)")
