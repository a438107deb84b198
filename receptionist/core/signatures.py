"""Twilio request signatures (``X-Twilio-Signature``): check incoming, compute for simulators.

The URL is rebuilt from ``RECEPTIONIST_PUBLIC_URL`` rather than what the server sees, because a
proxy in front of the app changes scheme, host and port.
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Mapping
from hashlib import sha1

from twilio.request_validator import RequestValidator

__all__ = ["WebhookSigner"]


class WebhookSigner:
    def __init__(self, auth_token: str, public_url: str) -> None:
        self._validator = RequestValidator(auth_token)
        self._key = auth_token.encode("utf-8")
        self.public_url = public_url.rstrip("/")

    def url_for(self, path: str, query: str = "") -> str:
        return self.public_url + path + (f"?{query}" if query else "")

    def ws_url_for(self, path: str) -> str:
        base = self.public_url.replace("https://", "wss://", 1).replace("http://", "ws://", 1)
        return base + path

    def is_valid(
        self, path: str, query: str, params: Mapping[str, str], signature: str | None
    ) -> bool:
        return self.is_valid_url(self.url_for(path, query), params, signature)

    def is_valid_url(self, url: str, params: Mapping[str, str], signature: str | None) -> bool:
        if not signature:
            return False
        try:
            # The URL as we build it is one of the two forms the SDK accepts (with and without
            # the port): check it first, one HMAC instead of two on every webhook; only a
            # mismatch goes through the SDK's full check.
            if hmac.compare_digest(self._signature(url, params), signature):
                return True
            return bool(self._validator.validate(url, dict(params), signature))
        except (TypeError, ValueError):
            return False

    def _signature(self, url: str, params: Mapping[str, str]) -> str:
        """Twilio's HMAC-SHA1 over the URL and the sorted ``name + value`` pairs, as the SDK's
        ``compute_signature`` makes it for a form of single values."""
        payload = url + "".join(name + params[name] for name in sorted(params))
        digest = hmac.new(self._key, payload.encode("utf-8"), sha1).digest()
        return base64.b64encode(digest).decode("ascii")

    def sign(self, url: str, params: Mapping[str, str]) -> str:
        return str(self._validator.compute_signature(url, dict(params)))
