"""What a conversation engine is to the call session, and how engines fail.

An engine turns the caller's audio into the agent's audio: the OpenAI Realtime model end to end,
or a pipeline of VAD, STT, a brain and TTS. It reports what happens through ``emit`` as
``receptionist.call.events`` events and carries out the engine-facing commands (speak,
truncate, cancel, tool results, reconnect). The session owns the tasks: it runs ``run()`` in the
call's TaskGroup and calls the other methods from its command loop.

Errors::

    EngineError                 root
    ├── EngineUnavailable       could not start (no key, connect refused, model files missing)
    └── EngineLost              a running engine broke (dropped socket, provider 5xx)

Inside a call, methods never raise for provider trouble: a broken engine emits ``EngineFailed``
and the conversation decides (reconnect, degrade). ``start()`` raises ``EngineUnavailable``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from receptionist.agent import ToolCall, ToolResult, Turn
from receptionist.call.events import Event
from receptionist.call.machine_state import Purpose

__all__ = [
    "Clock",
    "ConversationEngine",
    "Emit",
    "EngineError",
    "EngineLost",
    "EngineUnavailable",
    "summarize_history",
]

Emit = Callable[[Event], Awaitable[None]]
Clock = Callable[[], int]  # stream milliseconds now


class EngineError(Exception):
    """Root of the engines' errors."""


class EngineUnavailable(EngineError):
    """The engine could not be started for this call."""


class EngineLost(EngineError):
    """A running engine broke."""


class ConversationEngine(Protocol):
    name: str

    async def start(self) -> None:
        """Connect and configure; raises ``EngineUnavailable``. Call once, before ``run``."""
        ...

    async def run(self) -> None:
        """Serve the engine until ``aclose``; emits events, never raises for provider errors."""
        ...

    async def send_caller_audio(self, payload: str, ulaw: bytes,
                                arrived_at: float | None = None) -> None:
        """One inbound frame: base64 and decoded μ-law (8 kHz), and when it arrived
        (``time.perf_counter``). The hot path: never waits on a provider."""
        ...

    async def speak(self, text: str, purpose: Purpose) -> None:
        """Say ``text`` as the next reply (``ReplyStarted`` carries ``purpose``)."""
        ...

    async def truncate(self, item_id: str, audio_end_ms: int) -> None:
        """The caller heard only ``audio_end_ms`` of ``item_id``."""
        ...

    async def cancel(self, reply_id: str) -> None:
        ...

    async def send_tool_result(self, call: ToolCall, result: ToolResult, respond: bool) -> None:
        ...

    async def reconnect(self, history: tuple[Turn, ...]) -> None:
        """Start a fresh session seeded with ``history``; emits ``EngineRecovered`` or
        ``EngineFailed(recoverable=False)``."""
        ...

    async def aclose(self) -> None:
        """Release everything; ``run`` returns soon after. Idempotent."""
        ...


def summarize_history(history: tuple[Turn, ...] | list[Turn], *, max_chars: int = 4000) -> str:
    """The conversation so far as plain lines, newest kept when too long; seeds a new session."""
    lines = [f"{'Caller' if turn.role == 'caller' else 'You'}: {turn.text}" for turn in history
             if turn.text.strip()]
    kept: list[str] = []
    total = 0
    for line in reversed(lines):
        if total + len(line) > max_chars:
            break
        kept.append(line)
        total += len(line) + 1
    return "\n".join(reversed(kept))
