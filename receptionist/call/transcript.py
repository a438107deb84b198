"""The words of one call as both sides heard them, in order. No I/O.

Agent turns are keyed by the item they were spoken in, so a later, fuller transcript replaces the
earlier one and a barge-in can cut a turn down to what was played. Caller turns are dated by the
end of their speech, because a transcript may arrive after the agent has already begun to answer.
"""

from __future__ import annotations

from receptionist.agent import Turn

__all__ = ["Transcript"]


class Transcript:
    def __init__(self) -> None:
        self.turns: list[Turn] = []
        self._agent_items: dict[str, int] = {}  # item_id -> index in turns

    def __len__(self) -> int:
        return len(self.turns)

    def knows(self, item_id: str) -> bool:
        return item_id in self._agent_items

    def agent(self, item_id: str, text: str, at_ms: int) -> None:
        turn = Turn("agent", text, at_ms)
        index = self._agent_items.get(item_id)
        if index is None:
            self._agent_items[item_id] = len(self.turns)
            self.turns.append(turn)
        else:
            self.turns[index] = turn

    def caller(self, text: str, at_ms: int) -> None:
        index = len(self.turns)
        while index and self.turns[index - 1].at_ms > at_ms:
            index -= 1
        self.turns.insert(index, Turn("caller", text, at_ms))
        for item_id, position in self._agent_items.items():
            if position >= index:
                self._agent_items[item_id] = position + 1

    def heard_only(self, item_id: str, played_ms: int, sent_ms: int) -> None:
        """Cut an agent turn to the share of its audio that was played, at a word."""
        index = self._agent_items.get(item_id)
        if index is None or sent_ms <= 0 or played_ms >= sent_ms:
            return
        turn = self.turns[index]
        keep = int(len(turn.text) * played_ms / sent_ms)
        cut = turn.text[:keep].rsplit(" ", 1)[0] if keep < len(turn.text) else turn.text
        self.turns[index] = Turn("agent", (cut + "…") if cut else "…", turn.at_ms)
