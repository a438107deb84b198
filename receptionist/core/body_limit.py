"""A request-body limit for every route, as ASGI middleware.

A body is refused with 413 as soon as it is known to be too large: at once when
``Content-Length`` says so, otherwise while it streams in, counted chunk by chunk – it is never
read whole first. Paths may carry their own limit (the Twilio webhooks keep theirs).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["DEFAULT_MAX_BODY_BYTES", "BodyLimit", "BodyTooLarge"]

DEFAULT_MAX_BODY_BYTES = 1_000_000  # JSON and forms of the dashboard and API are a few KB
# A body declared too large but no larger than this is read and dropped before the answer goes
# out: a server that closes a socket with unread bytes in it makes the kernel reset the
# connection, and the client then sees a reset instead of the 413 (Twilio would log a connection
# error, not our answer). Larger ones, and a streamed body that runs past the limit, are not
# worth reading: the connection is simply closed.
_DRAIN_BYTES = 4_000_000


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when the body passes the limit. An ``HTTPException``, so the
    framework answers it as 413 wherever the body is being read."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, _message(limit))


def _message(limit: int) -> str:
    return f"request body too large: the limit is {limit} bytes"


class BodyLimit:
    def __init__(self, app: ASGIApp, *, max_bytes: int = DEFAULT_MAX_BODY_BYTES,
                 path_limits: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        # Longest prefix first, so "/twilio/" beats "/".
        self.path_limits = sorted((path_limits or {}).items(), key=lambda kv: -len(kv[0]))

    def limit_for(self, path: str) -> int:
        for prefix, limit in self.path_limits:
            if path.startswith(prefix):
                return limit
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            if declared <= _DRAIN_BYTES:
                await _drain(receive, 0)
            await _refuse(send, limit)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            # Read outside the framework's error handling (a raw ASGI route): answer here.
            if started:
                raise
            await _refuse(send, limit)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isascii() and text.isdigit() else None
    return None


async def _drain(receive: Receive, already: int) -> None:
    """Read and drop the rest of a refused body, up to ``_DRAIN_BYTES`` in all."""
    seen = already
    while seen <= _DRAIN_BYTES:
        message = await receive()
        if message["type"] != "http.request":
            return
        seen += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps({"detail": _message(limit)}).encode()
    headers: list[Any] = [(b"content-type", b"application/json"),
                          (b"content-length", str(len(body)).encode()),
                          (b"connection", b"close")]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
