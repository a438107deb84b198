"""The one place that builds a ``twilio`` REST client.

The SDK has no base-URL setting, so ``RECEPTIONIST_TWILIO_API_BASE`` is honoured by an HTTP
client that rewrites ``https://<service>.twilio.com`` to the configured base; local doubles of
Twilio's REST API are reached that way, with the real SDK building every request.
"""

from __future__ import annotations

import asyncio
import base64
import re

from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from receptionist.core.settings import Settings

__all__ = ["RebasedAsyncHttpClient", "basic_authorization", "build_async_twilio_client"]

_TWILIO_HOST = re.compile(r"^https://(?:[a-z0-9-]+\.)*twilio\.com(?=[/?]|$)")


class RebasedAsyncHttpClient(AsyncTwilioHttpClient):  # type: ignore[misc]  # SDK ships no types
    """aiohttp-based Twilio HTTP client with an optional base-URL rewrite and a hard timeout."""

    def __init__(self, api_base: str = "", timeout_s: float = 10.0) -> None:
        super().__init__(timeout=timeout_s)
        self.api_base = api_base.rstrip("/")
        self.timeout_s = timeout_s

    async def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the SDK's signature
        allow_redirects: bool = False,
    ) -> Response:
        url = self.rebased(url)
        if auth is not None:
            # aiohttp deprecates its auth= argument; send the Basic header ourselves.
            headers = {**(headers or {}), "Authorization": basic_authorization(auth)}
            auth = None
        # The SDK never applies its own timeout (aiohttp gets None): bound every request here.
        async with asyncio.timeout(timeout or self.timeout_s):
            return await super().request(
                method, url, params=params, data=data, headers=headers, auth=auth,
                timeout=None, allow_redirects=allow_redirects,
            )

    def rebased(self, url: str) -> str:
        """``url`` with ``https://<service>.twilio.com`` replaced by the configured base."""
        return _TWILIO_HOST.sub(self.api_base, url) if self.api_base else url

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()


def basic_authorization(auth: tuple[str, str]) -> str:
    """The ``Authorization`` header value for HTTP Basic auth."""
    return "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()


def build_async_twilio_client(settings: Settings, *, timeout_s: float = 10.0) -> Client:
    """A Twilio client for ``*_async`` calls. Build inside a running event loop; close its
    ``http_client`` on shutdown."""
    if not (settings.twilio_account_sid and settings.twilio_auth_token):
        raise ValueError(
            "Twilio is not configured: set RECEPTIONIST_TWILIO_ACCOUNT_SID and "
            "RECEPTIONIST_TWILIO_AUTH_TOKEN"
        )
    http = RebasedAsyncHttpClient(settings.twilio_api_base, timeout_s)
    return Client(
        settings.twilio_account_sid,
        settings.twilio_auth_token.get_secret_value(),
        http_client=http,
    )
