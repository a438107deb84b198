"""What the agent says on its own initiative, and the limits of a call. No I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["ConversationConfig", "Phase", "SpokenTexts"]


class Phase(StrEnum):
    STARTING = "starting"  # stream accepted, greeting not asked for yet
    TALKING = "talking"
    ENDING = "ending"  # a goodbye is playing; hang up once it has
    TRANSFERRING = "transferring"  # a transfer notice is playing, or the transfer is under way
    ENDED = "ended"


@dataclass(frozen=True)
class SpokenTexts:
    """What the agent says on its own initiative (not from the model)."""

    still_there: str = "Are you still there?"
    goodbye: str = "Thanks for calling. Goodbye!"
    silence_goodbye: str = "I'll let you go for now. Thanks for calling, goodbye!"
    time_limit: str = ("I'm sorry, we've reached the time limit for this call. The team will "
                       "follow up with you. Goodbye!")
    transfer: str = "Sure, I'm connecting you to the team now. Please hold."
    no_transfer: str = ("I'm sorry, nobody can take the call right now, but I can take a message "
                        "for the team. What would you like me to tell them?")
    transfer_failed: str = ("I'm sorry, I couldn't reach anyone just now. I can take a message "
                            "for the team. What would you like me to tell them?")
    resumed: str = ("Sorry, nobody could pick up just now. I can take a message for the team. "
                    "What would you like me to tell them?")
    apology: str = ("I'm sorry, I'm having technical trouble. I've passed your call to the team "
                    "and you'll get a text from us shortly. Goodbye!")
    recovered: str = "Sorry about that, I lost you for a moment. Could you say that again?"


@dataclass(frozen=True)
class ConversationConfig:
    silence_timeout_s: float = 9.0
    max_call_s: float = 900.0
    session_cap_s: float | None = None  # reconnect the model before its session limit
    can_transfer: bool = False
    max_reconnects: int = 2
    hangup_grace_s: float = 20.0  # hang up anyway if a goodbye never finishes playing
    texts: SpokenTexts = field(default_factory=SpokenTexts)
