"""What the media server needs from outside the process and from its neighbours.

``MediaSocket`` is the WebSocket to Twilio (Starlette's in production, an in-memory pair in the
benchmark). ``CallLifecycle`` is the call lifecycle's door (``telephony.CallService`` fits it;
the composition root plugs it in, as media and telephony do not import each other).
``Briefing`` gives a call its instructions and greeting (the agent's ``PromptBook`` fits it).
``CallControl`` (hang up, transfer) is the agent's port, implemented by ``twilio_calls``.
"""

from __future__ import annotations

from typing import Protocol

from receptionist.agent import CallContext

__all__ = ["Briefing", "CallLifecycle", "MediaSocket", "SocketClosed"]


class SocketClosed(Exception):
    """The WebSocket is gone (the peer closed it, or we did)."""


class MediaSocket(Protocol):
    async def receive(self) -> str | bytes:
        """The next message; raises ``SocketClosed`` when the socket is closed."""
        ...

    async def send_text(self, data: str) -> None:
        """Send one text frame; raises ``SocketClosed`` when the socket is closed."""
        ...

    async def close(self, code: int = 1000) -> None:
        """Close (idempotent)."""
        ...


class CallLifecycle(Protocol):
    async def stream_started(self, call_sid: str) -> None:
        ...

    async def conversation_started(self, call_sid: str) -> None:
        ...

    async def stream_ended(self, call_sid: str) -> None:
        """The stream is over; everything this call's session had to tell is written."""
        ...

    async def caller_of(self, call_sid: str) -> str | None:
        """The caller's number as the incoming-call webhook gave it."""
        ...


class Briefing(Protocol):
    async def instructions(self, ctx: CallContext) -> str:
        ...

    async def greeting(self, business_id: int) -> str:
        ...
