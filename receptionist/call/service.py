"""The voice service: answers ``/twilio/voice`` for the AI (``AiAnswering``) and serves streams.

``connect_twiml`` mints the call's one-time stream token inside the signed webhook and answers
``<Connect><Stream>`` with it as a ``<Parameter>`` (the URL itself carries no query: Twilio drops
it). ``serve`` runs one ``CallSession`` per accepted WebSocket.
"""

from __future__ import annotations

from twilio.twiml.voice_response import Connect, VoiceResponse

from receptionist.call.ports import MediaSocket
from receptionist.call.session import TOKEN_PARAMETER, CallDeps, CallSession
from receptionist.core import Business, WebhookSigner

__all__ = ["MEDIA_PATH", "VoiceService", "connect_stream_twiml"]

MEDIA_PATH = "/twilio/media"


def connect_stream_twiml(stream_url: str, token: str) -> str:
    vr = VoiceResponse()
    connect = Connect()
    stream = connect.stream(url=stream_url)
    stream.parameter(name=TOKEN_PARAMETER, value=token)
    vr.append(connect)
    return str(vr)


class VoiceService:
    def __init__(self, deps: CallDeps, signer: WebhookSigner) -> None:
        self.deps = deps
        self.signer = signer
        self.active_calls = 0

    @property
    def stream_url(self) -> str:
        return self.signer.ws_url_for(MEDIA_PATH)

    # AiAnswering ---------------------------------------------------------------------------

    def available(self, business: Business) -> bool:
        return self.deps.engines.available()

    async def connect_twiml(self, call_sid: str, business: Business, *,
                            new_stream: bool = False) -> str:
        token = await self.deps.tokens.mint(call_sid, business.id, new_stream=new_stream)
        return connect_stream_twiml(self.stream_url, token)

    # streams -------------------------------------------------------------------------------

    def stream_signature_ok(self, signature: str | None) -> bool:
        """``X-Twilio-Signature`` on the upgrade, when Twilio sends one: signed over the wss URL
        with no parameters. Its absence is allowed (the token is the gate)."""
        if signature is None:
            return True
        return self.signer.is_valid_url(self.stream_url, {}, signature)

    async def serve(self, socket: MediaSocket) -> CallSession:
        session = CallSession(socket, self.deps)
        self.active_calls += 1
        try:
            await session.run()
        finally:
            self.active_calls -= 1
        return session
