"""What a test scripts into the Realtime double: the brain, caller transcripts and faults."""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from . import openai_audio
from .openai_realtime_wire import JsonObject
from .openai_script import Reply, Say, TextScript

__all__ = [
    "DropConnection",
    "FailResponse",
    "RealtimeBrain",
    "RealtimeScript",
    "RealtimeTurn",
    "RejectHandshake",
    "ResponseFault",
    "SendError",
    "Stall",
    "default_brain",
]


@dataclass(frozen=True)
class RealtimeTurn:
    """What the brain sees when a response starts. ``items`` are GA conversation items, oldest
    first; user audio items carry the scripted transcript, as if the model had heard it."""

    items: tuple[JsonObject, ...]
    instructions: str
    tools: tuple[JsonObject, ...]
    response: JsonObject  # the response.create parameters; {} for a VAD-triggered response

    @property
    def last_item(self) -> JsonObject | None:
        return self.items[-1] if self.items else None

    @property
    def last_user_text(self) -> str | None:
        for item in reversed(self.items):
            if item.get("type") == "message" and item.get("role") == "user":
                texts = [
                    part.get("text") or part.get("transcript") or "" for part in item["content"]
                ]
                return " ".join(text for text in texts if text)
        return None

    @property
    def last_tool_output(self) -> str | None:
        last = self.last_item
        if last is not None and last.get("type") == "function_call_output":
            return str(last.get("output"))
        return None


RealtimeBrain = Callable[[RealtimeTurn], Reply | Awaitable[Reply]]


def default_brain(turn: RealtimeTurn) -> Reply:
    """Greets, then echoes the caller; acknowledges tool results."""
    if turn.last_tool_output is not None:
        return Say("All done.")
    heard = turn.last_user_text
    if heard is None:
        return Say("Hello, thanks for calling. How can I help?")
    return Say(f"You said: {heard}")


@dataclass(frozen=True)
class DropConnection:
    """Close the socket during the next response, after ``after_audio_chunks`` audio deltas.

    A close code other than 1000 makes the SDK raise; ``abort`` cuts TCP with no close frame.
    """

    after_audio_chunks: int = 0
    code: int = 1011
    abort: bool = False


@dataclass(frozen=True)
class Stall:
    """Go quiet during the next response for ``seconds`` (``None``: until it is cancelled or the
    connection closes). Client events are still read and answered meanwhile."""

    after_audio_chunks: int = 0
    seconds: float | None = None


@dataclass(frozen=True)
class FailResponse:
    """End the next response at once with ``status: "failed"``, as on a server-side error."""

    code: str = "server_error"
    message: str = "The server had an error while processing your request."


@dataclass(frozen=True)
class SendError:
    """Refuse the next ``response.create`` (or VAD turn) with an ``error`` event, no response."""

    code: str | None = "server_error"
    message: str = "The server had an error while processing your request."
    error_type: str = "server_error"


ResponseFault = DropConnection | Stall | FailResponse | SendError


@dataclass
class RealtimeScript:
    """Everything a test scripts into the Realtime double, shared by all its connections."""

    brain: RealtimeBrain = default_brain
    transcripts: TextScript[bytes] = field(default_factory=TextScript)
    audio_chunk_ms: int = 20
    audio_speed: float | None = None  # None: as fast as possible; 1.0: real time
    ms_per_char: float = openai_audio.MS_PER_CHAR
    faults: deque[ResponseFault] = field(default_factory=deque)
    errors: list[BaseException] = field(default_factory=list)

    def take_fault(self) -> ResponseFault | None:
        try:
            return self.faults.popleft()
        except IndexError:
            return None


@dataclass(frozen=True)
class RejectHandshake:
    """Refuse the next WebSocket upgrade with this HTTP status; the SDK raises ``InvalidStatus``."""

    status: int = 503
