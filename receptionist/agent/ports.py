"""What the conversation needs from the agent, and what the agent needs from the world.

The call machinery (engines, the conversation state machine) codes against ``Brain`` and
``ToolBox``; the agent's tools code against ``KnowledgeLookup``, ``Scheduler``, ``Messenger`` and
``CallControl`` so the composition root can plug in the real subsystems (knowledge,
calendar_sync, textback, telephony) or small fakes. Signatures use our own types only.

Errors a brain raises::

    BrainError                    root; ``transient`` says whether a retry / another try may work
     ├── BrainUnavailable         transient: timeout, 5xx, connection refused, rate limit
     └── BrainRejected            permanent: bad key, unknown model, malformed request
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "BookingChange",
    "BookingOutcome",
    "Brain",
    "BrainError",
    "BrainRejected",
    "BrainReply",
    "BrainUnavailable",
    "BusinessProfile",
    "CallAction",
    "CallContext",
    "CallControl",
    "KnowledgeHit",
    "KnowledgeLookup",
    "Messenger",
    "Scheduler",
    "SchedulerError",
    "Slot",
    "SlotOffer",
    "StreamingBrain",
    "TeamNote",
    "ToolBox",
    "ToolCall",
    "ToolResult",
    "Turn",
    "UpcomingBooking",
]

class CallAction(StrEnum):
    """What a tool or a brain asks the call to do once the reply has been spoken. The values
    are stored with each tool call of a call record."""

    HANG_UP = "hang_up"
    TRANSFER = "transfer"


# --- what flows between the conversation and the agent ---------------------------------------


@dataclass(frozen=True)
class ToolCall:
    """A request to run one tool; ``arguments`` are untrusted (model or caller supplied)."""

    call_id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class ToolResult:
    """What a tool returns. ``data`` is JSON-serialisable and goes back to the model as is.

    ``action`` asks the conversation to do something after the reply is spoken, or is None.
    """

    ok: bool
    data: dict[str, Any]
    error: str | None = None
    action: CallAction | None = None

    def to_model_json(self) -> dict[str, Any]:
        """The payload a model sees (Chat Completions ``tool`` message / Realtime output)."""
        out: dict[str, Any] = {"ok": self.ok, **self.data}
        if self.error:
            out["error"] = self.error
        return out


@dataclass
class CallContext:
    """Per-call facts a tool may rely on. Built by the call machinery, one per call."""

    call_sid: str
    business_id: int
    business_name: str
    caller_phone: str | None
    timezone: str
    digits: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Turn:
    """One spoken turn; ``at_ms`` is milliseconds since the stream started."""

    role: str  # "agent" | "caller"
    text: str
    at_ms: int


@dataclass(frozen=True)
class BrainReply:
    """A brain's answer to one caller turn: what to say, the tools it ran, and an action."""

    text: str
    tool_calls: list[tuple[ToolCall, ToolResult]]
    action: CallAction | None


class ToolBox(Protocol):
    def schemas(self) -> list[dict[str, Any]]:
        """Tool definitions in Chat Completions form (``{"type": "function", "function": …}``)."""
        ...

    async def run(self, ctx: CallContext, call: ToolCall) -> ToolResult:
        """Validate and run one call; never raises for bad arguments or a failing backend."""
        ...


class Brain(Protocol):
    async def reply(self, ctx: CallContext, history: list[Turn], caller_text: str) -> BrainReply:
        """Answer one caller turn. May raise ``BrainError`` (then degrade to the local brain).

        ``history`` is the conversation so far, without ``caller_text``.
        """
        ...


@runtime_checkable
class StreamingBrain(Brain, Protocol):
    """A brain that can hand over its reply sentence by sentence (pipeline: TTS starts early).

    Yields ``str`` sentences as they complete, then exactly one final ``BrainReply`` whose
    ``text`` is the whole reply. Errors are raised as in ``reply``; sentences already yielded
    have been spoken, so an engine that falls back should not repeat them.
    """

    def stream(
        self, ctx: CallContext, history: list[Turn], caller_text: str
    ) -> AsyncIterator[str | BrainReply]:
        ...


class BrainError(Exception):
    """A brain could not produce a reply."""

    transient: bool = False


class BrainUnavailable(BrainError):
    """Timeout, 5xx, dropped connection, rate limit: another try or another brain may work."""

    transient = True


class BrainRejected(BrainError):
    """Bad key, unknown model, malformed request: retrying the same thing will not help."""

    transient = False


# --- what the agent's tools need from the subsystems --------------------------------------------


@dataclass(frozen=True)
class KnowledgeHit:
    url: str
    title: str
    text: str
    score: float
    heading: str = ""  # the section the passage is in: "Treatments > Paediatric dentistry"


@dataclass(frozen=True)
class BusinessProfile:
    """The facts a receptionist may state: from the website crawl and the owner's settings."""

    name: str
    # each {"name", "price"?, "duration_min"?, "description"?}
    services: list[dict[str, Any]] = field(default_factory=list)
    hours_text: str | None = None
    hours: dict[str, list[list[str]]] | None = None  # WeeklyHours JSON ({"mon": [["09:00", …]]})
    address: str | None = None
    phone: str | None = None
    booking_link: str | None = None
    faqs: list[dict[str, str]] = field(default_factory=list)  # {"question", "answer"}
    greeting: str | None = None
    description: str | None = None
    website: str | None = None


class KnowledgeLookup(Protocol):
    async def search(
        self, business_id: int, question: str, k: int = 3
    ) -> tuple[list[KnowledgeHit], float]:
        """Passages best answering ``question`` and a confidence in [0, 1]."""
        ...

    async def profile(self, business_id: int) -> BusinessProfile:
        ...

    async def site_text(self, business_id: int) -> tuple[list[str], list[str]]:
        """(site-wide text: headers, footers, sidebars; the pages' passages), for the names a
        caller may say; empty before an onboard."""
        ...


@dataclass(frozen=True)
class Slot:
    """A bookable time. ``slot_id`` round-trips through the model (the local start,
    ``2026-03-10T15:00``, so a model that lost it can still name it)."""

    slot_id: str
    start: datetime
    end: datetime
    service: str
    label: str  # spoken form in the business's time zone, e.g. "Tuesday the 10th at 3 pm"


@dataclass(frozen=True)
class SlotOffer:
    """Free times to offer a caller. ``requested_free`` answers "is the exact time the caller
    named free?" (None when they named none); ``message`` says the offer in one sentence."""

    slots: tuple[Slot, ...]
    requested_free: bool | None = None
    message: str = ""


@dataclass(frozen=True)
class BookingOutcome:
    """What happened to a booking request, cancellation or move.

    ``status``: "booked" (also a move done), "cancelled", "taken" (not free: see
    ``alternatives``), "requested" (the calendar was unreachable and the team will confirm by
    text — already recorded), "not_found", "ambiguous" (several bookings: ``candidates``).
    ``message`` is a sentence the agent can say; ``notified`` means the calendar already queued
    the team's and caller's texts.
    """

    status: str
    service: str = ""
    label: str = ""
    booking_id: str | None = None
    previous_label: str | None = None
    alternatives: tuple[Slot, ...] = ()
    candidates: tuple[str, ...] = ()
    message: str = ""
    notified: bool = False


@dataclass(frozen=True)
class UpcomingBooking:
    booking_id: str
    service: str
    label: str
    start: datetime


class SchedulerError(Exception):
    """The calendar could not be reached, or the request cannot be understood.

    ``transient`` True: down / timeout. False: the request itself was wrong (unknown service,
    a day that is not a day) and ``str(err)`` says why in words a caller can hear.
    """

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


@runtime_checkable
class Scheduler(Protocol):
    async def services(self, business_id: int) -> list[str]:
        ...

    async def find_slots(
        self, business_id: int, service: str, when: str, *, limit: int = 3
    ) -> SlotOffer:
        """Free slots for ``service`` around ``when`` ("next Tuesday after 3", "soonest")."""
        ...

    async def book(
        self, business_id: int, service: str, slot_id: str, *, name: str, phone: str | None,
        call_sid: str | None = None,
    ) -> BookingOutcome:
        """Book after re-checking the slot is free."""
        ...

    async def upcoming(self, business_id: int, *, phone: str) -> list[UpcomingBooking]:
        ...

    async def cancel(self, business_id: int, *, phone: str,
                     booking_id: str | None = None) -> BookingOutcome:
        """Cancel the caller's booking (their only one, or ``booking_id``)."""
        ...

    async def reschedule(self, business_id: int, *, phone: str, slot_id: str,
                         booking_id: str | None = None) -> BookingOutcome:
        """Move the caller's booking (their only one, or ``booking_id``) to ``slot_id``."""
        ...


@dataclass(frozen=True)
class TeamNote:
    """Something the team must act on: a message taken, or a request the agent could not finish.

    ``kind``: "message" (take_message), "callback_request" (a tool failed, e.g. the calendar was
    down, and the team should confirm by text), "transfer_missed" (nobody picked up).
    """

    kind: str
    reason: str
    name: str | None = None
    urgency: str = "normal"  # "normal" | "urgent"


@dataclass(frozen=True)
class BookingChange:
    """A booking the agent made, cancelled or moved; the team and the caller are texted."""

    change: str  # "booked" | "cancelled" | "rescheduled"
    booking_id: str
    service: str
    label: str  # spoken start, e.g. "Tuesday March 10 at 3 pm"
    name: str | None = None
    previous_label: str | None = None  # rescheduled: the old time


class Messenger(Protocol):
    """Stores what the team must know and texts people, through the outbox, in one transaction."""

    async def take_message(self, ctx: CallContext, note: TeamNote) -> int:
        """Store ``note`` and text the team members who receive "messages"; returns how many."""
        ...

    async def booking_changed(self, ctx: CallContext, change: BookingChange) -> bool:
        """Text the team ("bookings") and the caller a confirmation (and note a conversion for a
        new booking), in one transaction. True when the caller's confirmation was queued."""
        ...

    async def text_caller(self, ctx: CallContext, *, body: str, kind: str) -> bool:
        """Queue a text to the caller during the call (not a text-back); False if impossible."""
        ...


class CallControl(Protocol):
    """Ends or redirects a live call (Twilio REST; a recording no-op by default)."""

    async def hang_up(self, call_sid: str) -> None:
        ...

    async def transfer(self, call_sid: str, to_numbers: list[str], *, timeout_s: int) -> None:
        ...
