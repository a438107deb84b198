"""The call lifecycle: the one place that advances a call and decides its outcome.

Pure: ``advance(state, event) -> Transition``. The webhook service loads the call's state, applies
the event and stores the result (and, when the transition says so, the text-back decision) in one
transaction. Events come from Twilio webhooks (incoming call, ``<Dial>`` result, status callbacks,
fallback URL) and from the media stream (stream started, conversation started, stream ended).

Outcomes — exactly one per call:

- ``answered_by_team``: a team phone picked up (a human, not voicemail);
- ``handled_by_ai``: a conversation with the AI started (greeting heard or caller spoke);
- ``missed``: anything else, with a reason; a missed call gets one text-back, subject to policy.

Once no conversation can happen any more (we are apologising and hanging up), the call is
decided ``missed`` at once, so the text arrives while the caller still holds the phone.

A call whose media stream is live when Twilio reports its end is decided only when the stream
reports its own end: the media server writes "conversation started" before "stream ended", and
the status callback can overtake that write, so deciding on the callback alone could text a
caller who had just talked to the AI. The stream always starts (is stored) before anything is
played to the caller, so a call ending with no stream stored had no conversation.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from receptionist.core import Routing

__all__ = [
    "CallEnded",
    "CallState",
    "ChildLegAnswered",
    "ConversationStarted",
    "DialEnded",
    "Event",
    "FallbackHit",
    "IncomingCall",
    "MissedReason",
    "Outcome",
    "Phase",
    "Plan",
    "StreamEnded",
    "StreamStarted",
    "TransferEnded",
    "Transition",
    "advance",
]


class Outcome(StrEnum):
    ANSWERED_BY_TEAM = "answered_by_team"
    HANDLED_BY_AI = "handled_by_ai"
    MISSED = "missed"


class MissedReason(StrEnum):
    HUNG_UP_WHILE_RINGING = "hung_up_while_ringing"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    FAILED = "failed"
    DIAL_NOT_ANSWERED = "dial_not_answered"
    ANSWERED_BY_MACHINE = "answered_by_machine"
    FALLBACK = "fallback"
    AI_UNAVAILABLE = "ai_unavailable"
    HUNG_UP_BEFORE_GREETING = "hung_up_before_greeting"
    AFTER_HOURS = "after_hours"
    TEXTBACK_ONLY = "textback_only"


class Phase(StrEnum):
    NEW = "new"
    RINGING_TEAM = "ringing_team"
    AI = "ai"
    APOLOGIZING = "apologizing"
    TEAM_CONNECTED = "team_connected"
    ENDED = "ended"


class Plan(StrEnum):
    """What the webhook answers Twilio with."""

    RING_TEAM = "ring_team"  # <Dial> the team's phone(s), action -> /twilio/voice/dial
    CONNECT_AI = "connect_ai"  # <Connect><Stream> to the media server
    APOLOGIZE = "apologize"  # <Say> sorry, we'll text you; <Hangup>
    APOLOGIZE_AFTER_HOURS = "apologize_after_hours"
    HANG_UP = "hang_up"  # nothing more to do (the team took the call)
    NOTHING = "nothing"  # not a webhook that answers with TwiML


@dataclass(frozen=True)
class CallState:
    phase: Phase = Phase.NEW
    routing: Routing | None = None  # None before the incoming call, or a mode this version lacks
    team_answered: bool = False
    stream_started: bool = False
    stream_ended: bool = False
    conversation_started: bool = False
    after_hours: bool = False
    ended_status: str | None = None  # Twilio's final CallStatus, kept while a stream is live
    missed_hint: MissedReason | None = None
    outcome: Outcome | None = None
    missed_reason: MissedReason | None = None


# Events ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IncomingCall:
    routing: Routing | None  # None: a stored mode this version does not know (nothing rings)
    open_now: bool
    skip_ringing_after_hours: bool
    can_ring: bool  # a phone to ring is configured
    ai_available: bool


@dataclass(frozen=True)
class DialEnded:
    dial_status: str  # DialCallStatus
    answered_by: str | None = None


@dataclass(frozen=True)
class ChildLegAnswered:
    answered_by: str | None = None


@dataclass(frozen=True)
class StreamStarted:
    pass


@dataclass(frozen=True)
class ConversationStarted:
    pass


@dataclass(frozen=True)
class StreamEnded:
    """The media server is done with the call's stream (and has written everything before)."""


@dataclass(frozen=True)
class FallbackHit:
    pass


@dataclass(frozen=True)
class TransferEnded:
    """The ``<Dial>`` the AI transferred the caller to has ended (its ``action`` request)."""

    dial_status: str  # DialCallStatus
    answered_by: str | None = None


@dataclass(frozen=True)
class CallEnded:
    call_status: str  # the parent leg's final CallStatus
    answered_by: str | None = None


Event = (IncomingCall | DialEnded | ChildLegAnswered | StreamStarted | ConversationStarted
         | StreamEnded | FallbackHit | CallEnded | TransferEnded)


@dataclass(frozen=True)
class Transition:
    state: CallState
    plan: Plan = Plan.NOTHING
    decided: bool = False  # the outcome was set by this transition (write it, maybe text back)

    @property
    def texts_back(self) -> bool:
        return self.decided and self.state.outcome is Outcome.MISSED


_TERMINAL = {"completed", "busy", "no-answer", "failed", "canceled"}


def is_machine(answered_by: str | None) -> bool:
    return bool(answered_by) and (answered_by or "").startswith(("machine", "fax"))


def advance(state: CallState, event: Event) -> Transition:
    """Apply one event. Events after the outcome is decided never change it."""
    match event:
        case IncomingCall():
            return _incoming(state, event)
        case DialEnded():
            return _dial_ended(state, event)
        case ChildLegAnswered(answered_by=by):
            if state.outcome is None and not is_machine(by):
                return Transition(replace(state, team_answered=True,
                                          phase=Phase.TEAM_CONNECTED))
            return Transition(state)
        case StreamStarted():
            if state.phase is Phase.ENDED:  # a stream Twilio opened as the call ended
                return Transition(replace(state, stream_started=True))
            return Transition(replace(state, stream_started=True, stream_ended=False,
                                      phase=Phase.AI))
        case ConversationStarted():
            if state.outcome is not None or state.conversation_started:
                return Transition(state)
            phase = Phase.ENDED if state.phase is Phase.ENDED else Phase.AI
            return Transition(replace(state, conversation_started=True, phase=phase))
        case StreamEnded():
            return _stream_ended(state)
        case FallbackHit():
            if state.outcome is not None:
                return Transition(state, Plan.APOLOGIZE)
            return _missed_now(state, MissedReason.FALLBACK, Plan.APOLOGIZE)
        case CallEnded():
            return _call_ended(state, event)
        case TransferEnded():
            return _transfer_ended(state, event)
    raise TypeError(f"unknown event {event!r}")


def _incoming(state: CallState, ev: IncomingCall) -> Transition:
    if state.phase is not Phase.NEW:  # a retried webhook: answer the same way, change nothing
        return Transition(state, _replay_plan(state))
    state = replace(state, routing=ev.routing, after_hours=not ev.open_now)
    mode = ev.routing
    if mode is Routing.TEXTBACK:
        return _missed_now(state, MissedReason.TEXTBACK_ONLY, _apology(state))
    after_hours_skip = not ev.open_now and ev.skip_ringing_after_hours
    if mode is not None and mode.rings_first and ev.can_ring and not after_hours_skip:
        return Transition(replace(state, phase=Phase.RINGING_TEAM), Plan.RING_TEAM)
    if mode is not None and mode.uses_ai:
        return _to_ai(state, ev.ai_available)
    reason = MissedReason.AFTER_HOURS if after_hours_skip else MissedReason.DIAL_NOT_ANSWERED
    return _missed_now(state, reason, _apology(state))


def _dial_ended(state: CallState, ev: DialEnded) -> Transition:
    if state.outcome is not None:
        return Transition(state, Plan.HANG_UP)
    status = ev.dial_status.lower()
    if status in ("completed", "answered") and not is_machine(ev.answered_by):
        state = replace(state, team_answered=True, phase=Phase.TEAM_CONNECTED)
        return Transition(state, Plan.HANG_UP)
    if is_machine(ev.answered_by):
        hint = MissedReason.ANSWERED_BY_MACHINE
    elif status == "canceled":
        hint = MissedReason.HUNG_UP_WHILE_RINGING
    else:
        hint = MissedReason.DIAL_NOT_ANSWERED
    state = replace(state, missed_hint=hint)
    if hint is MissedReason.HUNG_UP_WHILE_RINGING:  # the caller is gone: nobody to hand over
        return _missed_now(state, hint, Plan.HANG_UP)
    if state.routing is Routing.RING_THEN_AI:
        return _to_ai(state, ai_available=True)
    return _missed_now(state, hint, _apology(state))


def _transfer_ended(state: CallState, ev: TransferEnded) -> Transition:
    """After an AI transfer: a person answered (the team took the call), or the caller comes
    back to the AI, which takes a message. The conversation already started, so a transfer
    nobody answered is never a missed call."""
    if state.outcome is not None:
        return Transition(state, Plan.HANG_UP)
    status = ev.dial_status.lower()
    if status in ("completed", "answered") and not is_machine(ev.answered_by):
        return Transition(replace(state, team_answered=True, phase=Phase.TEAM_CONNECTED),
                          Plan.HANG_UP)
    return Transition(replace(state, phase=Phase.AI), Plan.CONNECT_AI)


def _call_ended(state: CallState, ev: CallEnded) -> Transition:
    status = ev.call_status.lower()
    if state.outcome is not None or status not in _TERMINAL or state.ended_status is not None:
        return Transition(state)
    ended = replace(state, phase=Phase.ENDED, ended_status=status)
    stream_live = state.stream_started and not state.stream_ended
    if stream_live and not (state.team_answered or state.conversation_started):
        return Transition(ended)  # the stream's end decides: see the module's docstring
    return _decide(ended, _reason_from_status(state, status, ev.answered_by))


def _stream_ended(state: CallState) -> Transition:
    if state.outcome is not None or state.stream_ended:
        return Transition(state)
    state = replace(state, stream_ended=True)
    if state.ended_status is None:  # the call goes on (a transfer): nothing to decide yet
        return Transition(state)
    return _decide(state, _reason_from_status(state, state.ended_status, None))


def _decide(ended: CallState, reason: MissedReason) -> Transition:
    if ended.team_answered:
        return Transition(replace(ended, outcome=Outcome.ANSWERED_BY_TEAM), decided=True)
    if ended.conversation_started:
        return Transition(replace(ended, outcome=Outcome.HANDLED_BY_AI), decided=True)
    return Transition(replace(ended, outcome=Outcome.MISSED, missed_reason=reason), decided=True)


def _reason_from_status(state: CallState, status: str, answered_by: str | None) -> MissedReason:
    if is_machine(answered_by):
        return MissedReason.ANSWERED_BY_MACHINE
    if status == "canceled" or (status == "completed" and state.phase is Phase.RINGING_TEAM):
        return MissedReason.HUNG_UP_WHILE_RINGING
    if status == "no-answer":
        return MissedReason.NO_ANSWER
    if status == "busy":
        return MissedReason.BUSY
    if status == "failed":
        return MissedReason.FAILED
    if state.stream_started or state.phase is Phase.AI:
        return MissedReason.HUNG_UP_BEFORE_GREETING
    if state.missed_hint is not None:
        return state.missed_hint
    return MissedReason.HUNG_UP_WHILE_RINGING


def _to_ai(state: CallState, ai_available: bool) -> Transition:
    if not ai_available:
        return _missed_now(state, MissedReason.AI_UNAVAILABLE, _apology(state))
    return Transition(replace(state, phase=Phase.AI), Plan.CONNECT_AI)


def _missed_now(state: CallState, reason: MissedReason, plan: Plan) -> Transition:
    decided = replace(state, phase=Phase.APOLOGIZING, outcome=Outcome.MISSED,
                      missed_reason=reason)
    return Transition(decided, plan, decided=True)


def _apology(state: CallState) -> Plan:
    return Plan.APOLOGIZE_AFTER_HOURS if state.after_hours else Plan.APOLOGIZE


def _replay_plan(state: CallState) -> Plan:
    return {
        Phase.RINGING_TEAM: Plan.RING_TEAM,
        Phase.AI: Plan.CONNECT_AI,
        Phase.APOLOGIZING: _apology(state),
    }.get(state.phase, Plan.HANG_UP)
