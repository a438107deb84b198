"""The conversation machine's state in named parts: its timers, why it asks for a reply, the
caller's turn and silence, the replies it has seen, the call action waiting for the agent to
finish speaking, and where an engine recovery stands."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from receptionist.agent import CallAction

__all__ = [
    "CallerTurn", "PendingAction", "Purpose", "Recovery", "Replies", "Reply", "Silence", "Timer",
]


class Timer(StrEnum):
    """The machine's timers; the session keys its tasks by these (they are strings on the wire
    between the two, so a test's ``TimerFired("silence")`` still matches)."""

    SILENCE = "silence"
    MAX_CALL = "max_call"
    SESSION_CAP = "session_cap"
    HANGUP_DEADLINE = "hangup"


class Purpose(StrEnum):
    """Why the machine asked the engine to speak; the engine hands it back on ``ReplyStarted``
    (through the provider's response metadata), so the values travel as strings."""

    GREETING = "greeting"
    STILL_THERE = "still_there"
    GOODBYE = "goodbye"
    TRANSFER = "transfer"
    NO_TRANSFER = "no_transfer"
    TRANSFER_FAILED = "transfer_failed"
    RECOVERED = "recovered"

    @classmethod
    def of(cls, value: object) -> Purpose | None:
        """The purpose an engine reported; None for the model's own reply or anything else."""
        try:
            return cls(value) if isinstance(value, str) else None
        except ValueError:
            return None


@dataclass(slots=True)
class PendingAction:
    """Hang up or transfer, carried out once the agent has stopped talking."""

    action: CallAction
    reason: str
    words: str | None = None  # to say before the action, if the agent has not said any
    reply_id: str | None = None  # the reply that asked for it


@dataclass(slots=True)
class Recovery:
    """Reconnecting a failed or capped engine session with the conversation so far."""

    reconnects: int = 0
    reconnecting: bool = False
    when_idle: bool = False  # the provider's session cap: reconnect at the next quiet moment
    failed_before_start: bool = False
    apologize: bool = False  # something was cut off: say so once the engine is back


@dataclass(slots=True)
class CallerTurn:
    """Where the caller's turn stands, as the speech events tell it."""

    speaking: bool = False
    awaiting_reply: bool = False  # the caller stopped talking; no reply has started yet
    last_stop_ms: int | None = None  # when they stopped, to date a transcript that comes later


@dataclass(slots=True)
class Silence:
    """The caller-silence timer: whether it runs, and how often we asked "still there?"."""

    armed: bool = False
    prompts: int = 0


@dataclass(slots=True)
class Reply:
    purpose: Purpose | None
    active: bool = True
    has_audio: bool = False
    items: list[str] = field(default_factory=list)


class Replies:
    """Every reply of the call by id, the one being spoken, and those cancelled."""

    def __init__(self) -> None:
        self.by_id: dict[str, Reply] = {}
        self.active: str | None = None
        self.cancelled: set[str] = set()

    def get(self, reply_id: str) -> Reply | None:
        return self.by_id.get(reply_id)

    def start(self, reply_id: str, purpose: Purpose | None) -> Reply:
        reply = self.by_id[reply_id] = Reply(purpose)
        return reply

    def cancel(self, reply_id: str) -> None:
        self.cancelled.add(reply_id)
        reply = self.by_id.get(reply_id)
        if reply is not None:
            reply.active = False

    def drop_active(self) -> str | None:
        """Stop the reply being spoken; its id, or None if none was."""
        if self.active is None:
            return None
        reply_id, self.active = self.active, None
        self.cancel(reply_id)
        return reply_id

    def spoke_since(self, reply_id: str | None) -> bool:
        """Whether that reply, or any later one not cancelled, has produced audio."""
        reply = self.by_id.get(reply_id or "")
        if reply is not None and reply.has_audio:
            return True
        ids = list(self.by_id)
        if reply_id in ids:
            later = ids[ids.index(reply_id) + 1:]
            return any(self.by_id[r].has_audio and r not in self.cancelled for r in later)
        return False
