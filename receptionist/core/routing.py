"""How a business's calls are answered, and what its team members can be told about.

Kept apart from :mod:`receptionist.core.tenancy` (the tables) so the command line can offer
these as option choices without loading SQLAlchemy.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["NOTIFY_KINDS", "Routing"]

NOTIFY_KINDS = ("replies", "bookings", "messages")


class Routing(StrEnum):
    AI = "ai"
    RING_THEN_AI = "ring_then_ai"
    RING_THEN_TEXTBACK = "ring_then_textback"
    TEXTBACK = "textback"

    @property
    def label(self) -> str:
        """How the settings page names the mode to an owner."""
        return _LABELS[self]

    @property
    def uses_ai(self) -> bool:
        """The AI receptionist answers, at once or after the team's phones rang out."""
        return self in (Routing.AI, Routing.RING_THEN_AI)

    @property
    def rings_first(self) -> bool:
        """The team's phones ring before anything else happens."""
        return self in (Routing.RING_THEN_AI, Routing.RING_THEN_TEXTBACK)


_LABELS = {
    Routing.AI: "The AI receptionist answers at once",
    Routing.RING_THEN_AI: "Ring the team, then the AI answers",
    Routing.RING_THEN_TEXTBACK: "Ring the team, then text back",
    Routing.TEXTBACK: "Text back only",
}
