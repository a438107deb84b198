"""Form webhooks posted to a running test app, signed as Twilio signs them."""

from __future__ import annotations

import httpx

from receptionist.core import WebhookSigner
from tests.support.server import AppServer

__all__ = ["Webhooks"]


class Webhooks:
    """Posts form webhooks to the app, signed as Twilio signs them."""

    def __init__(self, server: AppServer) -> None:
        self.server = server
        self.signer = WebhookSigner(server.settings.webhook_auth_token(),
                                    server.settings.public_url)
        self.client = httpx.AsyncClient(base_url=server.url, timeout=10)

    async def post(self, path: str, params: dict[str, str], *, sign: bool = True,
                   signature: str | None = None) -> httpx.Response:
        headers = {}
        if sign:
            headers["X-Twilio-Signature"] = signature or self.signer.sign(
                self.signer.url_for(path), params)
        return await self.client.post(path, data=params, headers=headers)

    async def aclose(self) -> None:
        await self.client.aclose()
