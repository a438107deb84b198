"""``WS /twilio/media``: Twilio's bidirectional Media Stream.

A bad ``X-Twilio-Signature`` on the upgrade is refused before the WebSocket is accepted (HTTP
403); otherwise the socket is accepted and handed to a call session, which closes it at once if
the stream token is missing or wrong.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.websockets import WebSocketState

from receptionist.call.ports import SocketClosed
from receptionist.call.service import MEDIA_PATH
from receptionist.core import log_event
from receptionist.core.principal import TwilioSigned
from receptionist.deps import VoiceDep

__all__ = ["StarletteMediaSocket", "router"]

log = logging.getLogger("receptionist.call.routes")


router = APIRouter()  # the voice runtime is released with the app's services


class StarletteMediaSocket:
    """``MediaSocket`` over Starlette's WebSocket (text or binary frames, clean closes)."""

    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket

    async def receive(self) -> str | bytes:
        try:
            message = await self.websocket.receive()
        except (WebSocketDisconnect, RuntimeError) as exc:
            raise SocketClosed from exc
        if message["type"] == "websocket.disconnect":
            raise SocketClosed
        text = message.get("text")
        if text is not None:
            return str(text)
        return bytes(message.get("bytes") or b"")

    async def send_text(self, data: str) -> None:
        if self.websocket.application_state is not WebSocketState.CONNECTED:
            raise SocketClosed
        try:
            await self.websocket.send_text(data)
        except (WebSocketDisconnect, RuntimeError, OSError) as exc:
            raise SocketClosed from exc

    async def close(self, code: int = 1000) -> None:
        if self.websocket.application_state is WebSocketState.CONNECTED \
                and self.websocket.client_state is WebSocketState.CONNECTED:
            try:
                await self.websocket.close(code)
            except (WebSocketDisconnect, RuntimeError, OSError):
                return


@router.websocket(MEDIA_PATH, dependencies=[TwilioSigned])  # checked below, before accept
async def media_stream(websocket: WebSocket, voice: VoiceDep) -> None:
    signature = websocket.headers.get("x-twilio-signature")
    if voice is None or not voice.stream_signature_ok(signature):
        log_event(log, "media.upgrade_rejected", logging.WARNING,
                  reason="no voice service" if voice is None else "bad signature")
        await websocket.close(code=1008)
        return
    await websocket.accept()
    await voice.serve(StarletteMediaSocket(websocket))
