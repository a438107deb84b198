"""SMS through Twilio's Messages API with the real ``twilio`` SDK.

A send (every outbound text) is one ``POST /2010-04-01/Accounts/{sid}/Messages.json`` with the
SDK client's headers and auth, on its HTTP client's connection pool, so the wire is the SDK's;
without its resource layer (it builds a ``MessageInstance``, every field deserialized and dates
parsed, of which a send reads two fields) and without the per-request work of its
``request_async`` (headers built, the request logged, its own request and response objects):
the headers and the URL are made once. Lookups (``sent_since``) page through the SDK's
resources as before.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import Any

import aiohttp
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from receptionist.core.twilio_client import RebasedAsyncHttpClient, basic_authorization
from textback.errors import SmsSendError
from textback.ports import ProviderMessage, SentSms

__all__ = ["TwilioSmsSender"]

_MESSAGES_URL = "https://api.twilio.com/2010-04-01/Accounts/{account}/Messages.json"
LOOKUP_PAGE_SIZE = 100
MAX_LOOKUP_PAGES = 20


class TwilioSmsSender:
    def __init__(self, client: Client, timeout_s: float = 10.0) -> None:
        self._client = client
        self._timeout_s = timeout_s
        self._url = _MESSAGES_URL.format(account=client.account_sid)
        self._wire: tuple[str, dict[str, str]] | None = None  # URL and headers, made once

    async def send(self, *, to: str, from_: str, body: str,
                   status_callback: str | None) -> SentSms:
        data: dict[str, object] = {"To": to, "From": from_, "Body": body}
        if status_callback:
            data["StatusCallback"] = status_callback
        try:
            async with asyncio.timeout(self._timeout_s):
                status, text = await self._post(data)
            payload = _created(status, text, self._url)
        except TwilioRestException as exc:
            raise _translate(exc) from exc
        except aiohttp.ClientConnectorError as exc:  # never reached Twilio: safe to resend
            raise SmsSendError(f"Twilio unreachable: {exc!r}", transient=True) from exc
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise SmsSendError(f"no answer from Twilio: {exc!r}", transient=True,
                               outcome_unknown=True) from exc
        return SentSms(sid=str(payload["sid"]), status=str(payload.get("status") or "queued"))

    async def _post(self, data: dict[str, object]) -> tuple[int, str]:
        """The create's status and body: straight on the SDK's aiohttp session with the SDK's
        headers; through ``request_async`` for any other HTTP client."""
        http = self._client.http_client
        session = getattr(http, "session", None)
        if not (isinstance(http, RebasedAsyncHttpClient)
                and isinstance(session, aiohttp.ClientSession)):
            response = await self._client.request_async("POST", self._url, data=data)
            return int(response.status_code), str(response.text)
        if self._wire is None:
            headers = dict(self._client.get_headers("POST", None))
            headers["Authorization"] = basic_authorization(self._client.auth)
            self._wire = (http.rebased(self._url), headers)
        url, headers = self._wire
        async with session.post(url, data=data, headers=headers, allow_redirects=False) as got:
            return got.status, await got.text()

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


def _created(status: int, text: str, url: str) -> dict[str, Any]:
    """The created message's JSON, or the ``TwilioRestException`` the SDK raises for the same
    answer (status, Twilio's error code and message)."""
    try:
        payload = json.loads(text) if text else {}
    except ValueError:
        payload = None
    if 200 <= status < 300:
        if isinstance(payload, dict) and payload.get("sid"):
            return payload
        # Accepted, but we cannot tell which message it is: the lookup before a resend finds it.
        raise SmsSendError(f"Twilio {status} without a message sid", transient=True,
                           status=status, outcome_unknown=True)
    error = payload if isinstance(payload, dict) else {}
    code = error.get("code")
    raise TwilioRestException(
        status, url, str(error.get("message") or "Unable to create record"),
        code if isinstance(code, int) else None, "POST", error.get("details"))


def _translate(exc: TwilioRestException) -> SmsSendError:
    status = int(exc.status or 0)
    transient = status >= 500 or status == 429 or status == 0
    code = str(exc.code) if exc.code is not None else None
    # A 5xx may come after Twilio created the message (or from a proxy in front of it): the
    # outcome is unknown. A 4xx (429 included) is Twilio refusing it: nothing was created.
    return SmsSendError(f"Twilio {status} {code}: {exc.msg}", transient=transient, code=code,
                        status=status, outcome_unknown=status >= 500 or status == 0)
