"""The engine of last resort: it only speaks fixed lines with a local voice.

When the model is gone for good the conversation apologises, takes a message and says goodbye;
this is what says it. Without any working voice it still reports each line as a (silent) reply,
so the conversation moves on to hanging up instead of waiting for audio that will never come.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import logging

from receptionist.agent import ToolCall, ToolResult, Turn
from receptionist.call.engines.audio_cache import AudioCache
from receptionist.call.engines.base import Clock, Emit
from receptionist.call.engines.pipeline import Voice
from receptionist.call.events import (
    AgentAudio,
    AgentSaid,
    EngineFailed,
    ReplyFinished,
    ReplyStarted,
)
from receptionist.call.machine_state import Purpose
from receptionist.core import log_event
from receptionist.speech import SpeechError

__all__ = ["FallbackEngine"]

log = logging.getLogger("receptionist.agent.fallback")
_ids = itertools.count(1)


class FallbackEngine:
    name = "fallback"

    def __init__(self, *, emit: Emit, clock: Clock, voice: Voice | None,
                 cache: AudioCache) -> None:
        self._emit = emit
        self._clock = clock
        self._voice = voice
        self._cache = cache
        self._lines: asyncio.Queue[tuple[str, str, Purpose] | None] = asyncio.Queue()
        self._current: tuple[str, asyncio.Task[None]] | None = None
        self._closed = False

    async def start(self) -> None:
        """Nothing to start."""

    async def run(self) -> None:
        async with asyncio.TaskGroup() as tg:
            while not self._closed:
                line = await self._lines.get()
                if line is None:
                    return
                reply_id, text, purpose = line
                task = tg.create_task(self._say(reply_id, text, purpose))
                self._current = (reply_id, task)
                await asyncio.wait([task])
                self._current = None
                if task.cancelled():
                    await self._emit(ReplyFinished(reply_id, "cancelled"))

    async def _say(self, reply_id: str, text: str, purpose: Purpose) -> None:
        await self._emit(ReplyStarted(reply_id, purpose))
        if self._voice is not None:
            try:
                chunks = await self._cache.synthesize(self._voice.key, self._voice.tts, text)
            except SpeechError as exc:
                log_event(log, "fallback.tts_failed", logging.ERROR, error=repr(exc))
                chunks = ()
            for chunk in chunks:
                await self._emit(AgentAudio(reply_id, reply_id,
                                            base64.b64encode(chunk).decode("ascii"), len(chunk)))
        await self._emit(AgentSaid(reply_id, reply_id, text, self._clock()))
        await self._emit(ReplyFinished(reply_id))

    async def send_caller_audio(self, payload: str, ulaw: bytes,
                                arrived_at: float | None = None) -> None:
        """Nobody is listening any more."""

    async def speak(self, text: str, purpose: Purpose) -> None:
        self._lines.put_nowait((f"f{next(_ids)}", text, purpose))

    async def cancel(self, reply_id: str) -> None:
        if self._current is not None and self._current[0] == reply_id:
            self._current[1].cancel()

    async def truncate(self, item_id: str, audio_end_ms: int) -> None:
        """Fixed lines keep no memory."""

    async def send_tool_result(self, call: ToolCall, result: ToolResult, respond: bool) -> None:
        """There is no model to tell."""

    async def reconnect(self, history: tuple[Turn, ...]) -> None:
        await self._emit(EngineFailed("the fallback voice cannot reconnect", recoverable=False))

    async def aclose(self) -> None:
        self._closed = True
        if self._current is not None:
            self._current[1].cancel()
        self._lines.put_nowait(None)
