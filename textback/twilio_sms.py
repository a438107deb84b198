"""SMS through Twilio's Messages API with the real ``twilio`` SDK."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import aiohttp
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from textback.errors import SmsSendError
from textback.ports import ProviderMessage, SentSms

__all__ = ["TwilioSmsSender"]

LOOKUP_PAGE_SIZE = 100
MAX_LOOKUP_PAGES = 20


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

    async def sent_since(self, *, to: str, from_: str,
                         since: datetime) -> list[ProviderMessage]:
        """Page through the messages from ``from_`` to ``to``, newest first, down to ``since``.

        Not filtered by DateSent: a message still queued at Twilio has none yet. Stops after a
        page holding nothing created since ``since`` (the list is newest first; one page of
        slack in case a message sent late sorts among older ones); a pair with more than
        ``MAX_LOOKUP_PAGES`` pages since then is an unknown outcome, not a "not sent"."""
        found: list[ProviderMessage] = []
        try:
            page: Any = await asyncio.wait_for(
                self._client.messages.page_async(to=to, from_=from_, page_size=LOOKUP_PAGE_SIZE),
                self._timeout_s,
            )
            for _ in range(MAX_LOOKUP_PAGES):
                recent = 0
                for msg in page:
                    created = msg.date_created
                    if created is not None and created < since:
                        continue
                    recent += 1
                    found.append(ProviderMessage(sid=str(msg.sid), status=str(msg.status),
                                                 body=str(msg.body or ""), created_at=created))
                if not recent:
                    return found
                page = await asyncio.wait_for(page.next_page_async(), self._timeout_s)
                if page is None:
                    return found
        except TwilioRestException as exc:
            raise _translate(exc) from exc
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise SmsSendError(f"Twilio unreachable: {exc!r}", transient=True) from exc
        raise SmsSendError(f"more than {MAX_LOOKUP_PAGES * LOOKUP_PAGE_SIZE} messages to look "
                           "through; the outcome stays unknown", transient=True)

    async def aclose(self) -> None:
        http = self._client.http_client
        close = getattr(http, "close", None)
        if close is not None:
            await close()


def _translate(exc: TwilioRestException) -> SmsSendError:
    status = int(exc.status or 0)
    transient = status >= 500 or status == 429 or status == 0
    code = str(exc.code) if exc.code is not None else None
    # A 5xx may come after Twilio created the message (or from a proxy in front of it): the
    # outcome is unknown. A 4xx (429 included) is Twilio refusing it: nothing was created.
    return SmsSendError(f"Twilio {status} {code}: {exc.msg}", transient=transient, code=code,
                        status=status, outcome_unknown=status >= 500 or status == 0)
