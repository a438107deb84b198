"""What the voice webhooks need from the AI side (filled by the media-stream server)."""

from __future__ import annotations

from typing import Protocol

from receptionist.core import Business

__all__ = ["AiAnswering"]


class AiAnswering(Protocol):
    """Connects a call to the AI receptionist."""

    def available(self, business: Business) -> bool: ...

    async def connect_twiml(self, call_sid: str, business: Business, *,
                            new_stream: bool = False) -> str:
        """``<Connect><Stream>`` TwiML carrying a one-time stream token for this call: the same
        token for a replayed webhook; a new one with ``new_stream`` (back from a transfer)."""
        ...
