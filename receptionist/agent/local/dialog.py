"""What the local brain remembers about one conversation, as types: the task in progress, the
question it is waiting on, the slots it offered, the booking it found, the message it is taking.

A ``Dialog`` belongs to one conversation (a call or a text conversation) and dies with it; the
text channel keeps it between two turns as JSON (``to_json`` / ``from_json``), so the stored
shape is flat and stable, and reading it back never trusts a key it does not know.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

__all__ = [
    "QUESTIONS",
    "Awaiting",
    "Dialog",
    "ExistingBooking",
    "KnownService",
    "MessageNote",
    "OfferedSlot",
    "Task",
]


class Task(StrEnum):
    """What the caller and the agent are doing together."""

    BOOK = "book"
    MESSAGE = "message"
    CANCEL = "cancel"
    RESCHEDULE = "reschedule"


class Awaiting(StrEnum):
    """The question the agent just asked, so the next words are heard as its answer."""

    SERVICE = "service"
    WHEN = "when"
    CHOICE = "choice"
    NAME = "name"
    CONFIRM = "confirm"
    MESSAGE_NAME = "message_name"
    REASON = "reason"
    CONFIRM_CANCEL = "confirm_cancel"
    ANYTHING_ELSE = "anything_else"
    OFFER_MESSAGE = "offer_message"
    OFFER_BOOKING = "offer_booking"
    OFFER_DIRECTIONS = "offer_directions"
    OFFER_TRANSFER = "offer_transfer"

    @property
    def wants_words(self) -> bool:
        """A one-word answer is an answer here ("Dana", "Tuesday", "haircut"), not a miss."""
        return self in _WANTS_WORDS


_WANTS_WORDS = frozenset({Awaiting.NAME, Awaiting.MESSAGE_NAME, Awaiting.SERVICE, Awaiting.WHEN,
                          Awaiting.REASON, Awaiting.CHOICE})

QUESTIONS: dict[Awaiting, str] = {
    Awaiting.SERVICE: "What would you like to book?",
    Awaiting.WHEN: "What day and time would suit you?",
    Awaiting.CHOICE: "Which time would you like?",
    Awaiting.NAME: "Can I get your name?",
    Awaiting.CONFIRM: "Shall I book it?",
    Awaiting.MESSAGE_NAME: "Can I get your name?",
    Awaiting.REASON: "What would you like me to pass on?",
    Awaiting.CONFIRM_CANCEL: "Shall I cancel it?",
}


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value)


def _optional_text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return None if value is None else str(value)


@dataclass(frozen=True)
class OfferedSlot:
    """A free time the ``find_slots`` tool offered (its JSON, typed)."""

    slot: str  # the calendar's id for it, handed back to ``book``
    label: str  # as it is said: "Tuesday the 9th at 3 pm"
    service: str = ""
    start: str = ""  # ISO 8601, with its offset

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> OfferedSlot:
        return cls(_text(data, "slot"), _text(data, "label"), _text(data, "service"),
                   _text(data, "start"))

    def local_start(self, timezone: str) -> tuple[int, int, int] | None:
        """(weekday, hour, minute) in the business's time zone, to match "the 3 pm one"."""
        try:
            start = datetime.fromisoformat(self.start)
        except ValueError:
            return None
        if start.tzinfo is not None:
            start = start.astimezone(ZoneInfo(timezone))
        return start.weekday(), start.hour, start.minute


@dataclass(frozen=True)
class ExistingBooking:
    """The caller's own upcoming booking, as the ``cancel_or_reschedule`` lookup found it."""

    booking_id: str | None
    service: str = ""
    label: str = ""
    start: str = ""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ExistingBooking:
        return cls(_optional_text(data, "booking_id"), _text(data, "service"),
                   _text(data, "label"), _text(data, "start"))


@dataclass(frozen=True)
class KnownService:
    """A service the business offers, as ``business_info`` lists it."""

    name: str
    price: str | None = None
    duration_min: int | None = None
    bookable: bool = False

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> KnownService:
        minutes = data.get("duration_min")
        return cls(_text(data, "name"), _optional_text(data, "price") or None,
                   minutes if isinstance(minutes, int) else None, bool(data.get("bookable")))


@dataclass
class MessageNote:
    """The message being taken for the team (the caller's name is the dialog's, kept across
    tasks)."""

    reason: str | None = None
    urgent: bool = False


@dataclass
class Dialog:
    """What the local brain remembers about one conversation."""

    task: Task | None = None
    awaiting: Awaiting | None = None
    service: str | None = None
    when: str | None = None
    offered: list[OfferedSlot] = field(default_factory=list)
    chosen: OfferedSlot | None = None
    name: str | None = None
    note: MessageNote = field(default_factory=MessageNote)
    existing: ExistingBooking | None = None
    services: list[KnownService] | None = None  # loaded once per conversation
    last_service: str | None = None  # the service talked about last ("how much is that?")
    misses: int = 0
    last_reply: str = ""

    def reset_task(self) -> None:
        """The task is done or dropped; who the caller is and what was said stay."""
        self.task = self.awaiting = self.service = self.when = self.chosen = None
        self.existing = None
        self.offered = []
        self.note = MessageNote()

    def to_json(self) -> dict[str, Any]:
        """The flat JSON the text channel stores between turns (the message note's fields at
        the top, as ``reason`` and ``urgent``)."""
        return {
            "task": None if self.task is None else self.task.value,
            "awaiting": None if self.awaiting is None else self.awaiting.value,
            "service": self.service,
            "when": self.when,
            "offered": [asdict(s) for s in self.offered],
            "chosen": None if self.chosen is None else asdict(self.chosen),
            "name": self.name,
            "reason": self.note.reason,
            "urgent": self.note.urgent,
            "existing": None if self.existing is None else asdict(self.existing),
            "services": None if self.services is None else [asdict(s) for s in self.services],
            "last_service": self.last_service,
            "misses": self.misses,
            "last_reply": self.last_reply,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Dialog:
        """Take up ``to_json`` state; unknown keys, and values of the wrong kind, are left out."""
        if not data:
            return cls()
        services = _records(data.get("services"))
        misses = data.get("misses")
        return cls(
            task=_member(Task, data.get("task")),
            awaiting=_member(Awaiting, data.get("awaiting")),
            service=_optional_text(data, "service"),
            when=_optional_text(data, "when"),
            offered=[OfferedSlot.from_json(s) for s in _records(data.get("offered")) or []],
            chosen=OfferedSlot.from_json(data["chosen"]) if isinstance(
                data.get("chosen"), Mapping) else None,
            name=_optional_text(data, "name"),
            note=MessageNote(_optional_text(data, "reason"), bool(data.get("urgent"))),
            existing=ExistingBooking.from_json(data["existing"]) if isinstance(
                data.get("existing"), Mapping) else None,
            services=None if services is None else [KnownService.from_json(s) for s in services],
            last_service=_optional_text(data, "last_service"),
            misses=misses if isinstance(misses, int) else 0,
            last_reply=_text(data, "last_reply"),
        )


_E = TypeVar("_E", bound=StrEnum)


def _member(kind: type[_E], value: Any) -> _E | None:
    try:
        return kind(value) if value is not None else None
    except ValueError:
        return None


def _records(value: Any) -> list[Mapping[str, Any]] | None:
    if not isinstance(value, list):
        return None
    return [v for v in value if isinstance(v, Mapping)]
