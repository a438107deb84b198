"""SMS through Twilio's Messages API with the real ``twilio`` SDK."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import aiohttp
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from textback.errors import SmsSendError
from textback.ports import SentSms

__all__ = ["TwilioSmsSender"]


class TwilioSmsSender:
    def __init__(self, client: Client, timeout_s: float = 10.0) -> None:
        self._client = client
        self._timeout_s = timeout_s

    async def send(self, *, to: str, from_: str, body: str,
                   status_callback: str | None) -> SentSms:
        kwargs: dict[str, str] = {"to": to, "from_": from_, "body": body}
        if status_callback:
            kwargs["status_callback"] = status_callback
        try:
            msg = await asyncio.wait_for(
                self._client.messages.create_async(**kwargs), self._timeout_s
            )
        except TwilioRestException as exc:
            raise _translate(exc) from exc
        except aiohttp.ClientConnectorError as exc:  # never reached Twilio: safe to resend
            raise SmsSendError(f"Twilio unreachable: {exc!r}", transient=True) from exc
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise SmsSendError(f"no answer from Twilio: {exc!r}", transient=True,
                               outcome_unknown=True) from exc
        return SentSms(sid=str(msg.sid), status=str(msg.status or "queued"))

    async def find_sent(self, *, to: str, from_: str, body: str,
                        since: datetime) -> SentSms | None:
        try:
            found = await asyncio.wait_for(
                # Not filtered by DateSent: a message still queued at Twilio has none yet.
                self._client.messages.list_async(to=to, from_=from_, limit=50),
                self._timeout_s,
            )
        except TwilioRestException as exc:
            raise _translate(exc) from exc
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise SmsSendError(f"Twilio unreachable: {exc!r}", transient=True) from exc
        for msg in found:
            created = msg.date_created
            if created is not None and created < since - timedelta(minutes=5):
                continue
            if msg.body == body:
                return SentSms(sid=str(msg.sid), status=str(msg.status))
        return None

    async def aclose(self) -> None:
        http = self._client.http_client
        close = getattr(http, "close", None)
        if close is not None:
            await close()


def _translate(exc: TwilioRestException) -> SmsSendError:
    status = int(exc.status or 0)
    transient = status >= 500 or status == 429 or status == 0
    code = str(exc.code) if exc.code is not None else None
    # A 5xx may come from a proxy after Twilio accepted the message: look before resending.
    return SmsSendError(f"Twilio {status} {code}: {exc.msg}", transient=transient, code=code,
                        status=status, outcome_unknown=status >= 500)
