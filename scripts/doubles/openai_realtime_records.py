"""What the Realtime double records about its traffic, for test assertions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .openai_realtime_session import RealtimeSession
from .openai_realtime_wire import JsonObject

__all__ = ["RealtimeConnectionRecord", "ReceivedEvent", "SentEvent", "Truncation"]


@dataclass(frozen=True)
class ReceivedEvent:
    connection_id: int
    type: str  # "" when the message was not a JSON object with a type
    payload: Any
    at: float  # time.perf_counter()


@dataclass(frozen=True)
class SentEvent:
    connection_id: int
    type: str
    payload: JsonObject
    at: float


@dataclass(frozen=True)
class Truncation:
    connection_id: int
    item_id: str
    content_index: int
    audio_end_ms: int
    at: float


@dataclass
class RealtimeConnectionRecord:
    """One upgrade attempt; ``status`` is 101 when the WebSocket was accepted."""

    id: int
    path: str
    model: str
    headers: dict[str, str]
    status: int
    opened_at: float
    closed_at: float | None = None
    close_code: int | None = None
    session: RealtimeSession | None = field(default=None, repr=False)

    @property
    def config(self) -> JsonObject:
        """The effective session config (what the last ``session.updated`` reported)."""
        return self.session.config if self.session is not None else {}

    @property
    def items(self) -> list[JsonObject]:
        return self.session.conversation.items if self.session is not None else []

    @property
    def input_audio(self) -> bytes:
        return bytes(self.session.input_audio) if self.session is not None else b""
