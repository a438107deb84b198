"""What the caller has heard: playback tracked by bytes sent and ``mark`` echoes, not wall clock.

Twilio buffers the audio we send and plays it in order; a ``mark`` sent after some audio is echoed
once everything before it has played (or was dropped by ``clear``). So per item (one stretch of
agent speech) we count the μ-law bytes sent (8 bytes = 1 ms) and remember, for each mark, how far
into its item it sits. The newest echo tells how much of an item was certainly played; between
echoes playback advances with the stream clock, never past the next unechoed mark nor past what
was sent — the clamp that keeps a truncation inside the audio the model produced.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

__all__ = ["BYTES_PER_MS", "Playback", "PlayedItem"]

BYTES_PER_MS = 8  # G.711 μ-law at 8 kHz


@dataclass(slots=True)
class _Item:
    item_id: str
    sent: int = 0  # bytes sent to Twilio
    marked: int = 0  # bytes covered by the newest mark sent
    played: int = 0  # bytes certainly played (newest echoed mark)
    played_at_ms: int | None = None  # stream time of that echo


@dataclass(frozen=True, slots=True)
class _Mark:
    name: str
    item_id: str
    offset: int  # item bytes before this mark


@dataclass(frozen=True, slots=True)
class PlayedItem:
    """An item that was still audible when playback was cleared, and how much of it was heard."""

    item_id: str
    played_ms: int
    sent_ms: int


class Playback:
    """One per call. ``sent`` after each media message; ``echoed`` on each mark echo."""

    def __init__(self, mark_every_bytes: int = 800) -> None:
        self._mark_every = mark_every_bytes  # 100 ms: finer marks only add Twilio traffic
        self._items: dict[str, _Item] = {}
        self._pending: deque[_Mark] = deque()
        self._seq = 0
        self.marks_echoed = 0

    @property
    def idle(self) -> bool:
        """Twilio has nothing of ours left to play (every mark sent has come back)."""
        return not self._pending

    def sent(self, item_id: str, size: int) -> str | None:
        """Count ``size`` bytes sent for ``item_id``; returns a mark name to send after them
        when one is due (the item's first audio, then every ``mark_every_bytes``)."""
        item = self._items.get(item_id)
        if item is None:
            item = self._items[item_id] = _Item(item_id)
        first = item.sent == 0
        item.sent += size
        if first or item.sent - item.marked >= self._mark_every:
            return self._mark(item)
        return None

    def flush(self, item_id: str) -> str | None:
        """A mark covering the last unmarked bytes of ``item_id`` (its reply is complete)."""
        item = self._items.get(item_id)
        if item is None or item.sent == item.marked:
            return None
        return self._mark(item)

    def _mark(self, item: _Item) -> str:
        self._seq += 1
        name = f"m{self._seq}"
        item.marked = item.sent
        self._pending.append(_Mark(name, item.item_id, item.sent))
        return name

    def echoed(self, name: str, at_ms: int) -> bool:
        """Record an echo. Marks echo in order, so earlier pending ones are done too. Returns
        False for a mark we no longer expect (already cleared, or never ours)."""
        if not any(mark.name == name for mark in self._pending):
            return False
        while self._pending:
            mark = self._pending.popleft()
            item = self._items.get(mark.item_id)
            if item is not None:
                item.played = max(item.played, mark.offset)
                item.played_at_ms = at_ms
            self.marks_echoed += 1
            if mark.name == name:
                break
        return True

    def played_ms(self, item_id: str, now_ms: int) -> int:
        """How much of ``item_id`` the caller has heard by stream time ``now_ms``."""
        item = self._items.get(item_id)
        if item is None:
            return 0
        heard = item.played
        if item.played_at_ms is not None:
            heard += max(0, now_ms - item.played_at_ms) * BYTES_PER_MS
        next_mark = next((m.offset for m in self._pending if m.item_id == item_id), item.sent)
        return min(heard, next_mark, item.sent) // BYTES_PER_MS

    def audible_items(self) -> list[str]:
        """Items with audio still queued at Twilio, oldest first."""
        seen: list[str] = []
        for mark in self._pending:
            if mark.item_id not in seen:
                seen.append(mark.item_id)
        return seen

    def clear(self, now_ms: int) -> list[PlayedItem]:
        """Twilio was told to drop its queue: forget pending marks (their echoes are ignored)
        and report what was heard of each item that was still audible."""
        heard = [
            PlayedItem(item_id, self.played_ms(item_id, now_ms),
                       self._items[item_id].sent // BYTES_PER_MS)
            for item_id in self.audible_items()
        ]
        self._pending.clear()
        return heard

    def sent_ms(self, item_id: str) -> int:
        item = self._items.get(item_id)
        return item.sent // BYTES_PER_MS if item else 0
