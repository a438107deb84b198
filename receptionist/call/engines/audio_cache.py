"""Speech synthesized once and replayed: greetings and the agent's fixed prompts.

A greeting must start within half a second of the stream starting, so each business's greeting
(and every fixed line such as "Are you still there?") is synthesized ahead of time and kept as
ready 100 ms μ-law chunks. Shared by every call in the process; bounded, least recently used out.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator

from receptionist.speech.ports import TextToSpeech

__all__ = ["AudioCache", "rechunk"]

CHUNK_BYTES = 800  # 100 ms of 8 kHz μ-law


async def rechunk(chunks: AsyncIterator[bytes], size: int = CHUNK_BYTES) -> AsyncIterator[bytes]:
    """Re-cut a stream of audio into ``size``-byte pieces (the last may be shorter)."""
    pending = bytearray()
    async for chunk in chunks:
        pending += chunk
        while len(pending) >= size:
            yield bytes(pending[:size])
            del pending[:size]
    if pending:
        yield bytes(pending)


class AudioCache:
    def __init__(self, max_entries: int = 512) -> None:
        self._max = max_entries
        self._entries: OrderedDict[tuple[str, str], tuple[bytes, ...]] = OrderedDict()
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}

    def get(self, voice: str, text: str) -> tuple[bytes, ...] | None:
        key = (voice, text)
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    async def synthesize(self, voice: str, tts: TextToSpeech, text: str) -> tuple[bytes, ...]:
        """The chunks for ``text`` in ``voice``, synthesizing them on first use."""
        key = (voice, text)
        found = self.get(voice, text)
        if found is not None:
            return found
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            found = self.get(voice, text)
            if found is None:
                found = tuple([chunk async for chunk in rechunk(tts.synthesize(text))])
                self._entries[key] = found
                while len(self._entries) > self._max:
                    self._entries.popitem(last=False)
        self._locks.pop(key, None)
        return found

    def __len__(self) -> int:
        return len(self._entries)
