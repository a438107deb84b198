"""Every lifecycle transition, without a server."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from receptionist.core import Routing
from receptionist.telephony.lifecycle import (
    CallEnded,
    CallState,
    ChildLegAnswered,
    ConversationStarted,
    DialEnded,
    FallbackHit,
    IncomingCall,
    MissedReason,
    Outcome,
    Phase,
    Plan,
    StreamEnded,
    StreamStarted,
    advance,
)


def incoming(routing="ring_then_textback", open_now=True, skip=True, can_ring=True, ai=False):
    return IncomingCall(Routing(routing), open_now, skip, can_ring, ai)


def run(*events):
    state, transitions = CallState(), []
    for ev in events:
        t = advance(state, ev)
        transitions.append(t)
        state = t.state
    return state, transitions


@pytest.mark.parametrize("event,plan", [
    (incoming(), Plan.RING_TEAM),
    (incoming(can_ring=False), Plan.APOLOGIZE),
    (incoming(routing="textback"), Plan.APOLOGIZE),
    (incoming(open_now=False), Plan.APOLOGIZE_AFTER_HOURS),
    (incoming(open_now=False, skip=False), Plan.RING_TEAM),
    (incoming(routing="ai", ai=True), Plan.CONNECT_AI),
    (incoming(routing="ai", ai=False), Plan.APOLOGIZE),
    (incoming(routing="ring_then_ai", ai=True, open_now=False), Plan.CONNECT_AI),
])
def test_routing_plans(event, plan):
    assert advance(CallState(), event).plan is plan


@pytest.mark.parametrize("events,outcome,reason", [
    ([incoming(), CallEnded("canceled")], Outcome.MISSED, MissedReason.HUNG_UP_WHILE_RINGING),
    ([incoming(), CallEnded("completed")], Outcome.MISSED, MissedReason.HUNG_UP_WHILE_RINGING),
    ([incoming(), CallEnded("no-answer")], Outcome.MISSED, MissedReason.NO_ANSWER),
    ([incoming(), CallEnded("busy")], Outcome.MISSED, MissedReason.BUSY),
    ([incoming(), CallEnded("failed")], Outcome.MISSED, MissedReason.FAILED),
    ([incoming(), DialEnded("no-answer")], Outcome.MISSED, MissedReason.DIAL_NOT_ANSWERED),
    ([incoming(), DialEnded("busy")], Outcome.MISSED, MissedReason.DIAL_NOT_ANSWERED),
    ([incoming(), DialEnded("completed", "machine_end_beep")], Outcome.MISSED,
     MissedReason.ANSWERED_BY_MACHINE),
    ([incoming(), FallbackHit()], Outcome.MISSED, MissedReason.FALLBACK),
    ([FallbackHit()], Outcome.MISSED, MissedReason.FALLBACK),
    ([incoming(routing="textback")], Outcome.MISSED, MissedReason.TEXTBACK_ONLY),
    ([incoming(open_now=False)], Outcome.MISSED, MissedReason.AFTER_HOURS),
    ([incoming(routing="ai")], Outcome.MISSED, MissedReason.AI_UNAVAILABLE),
    ([incoming(), DialEnded("completed"), CallEnded("completed")], Outcome.ANSWERED_BY_TEAM,
     None),
    ([incoming(), ChildLegAnswered(), CallEnded("completed")], Outcome.ANSWERED_BY_TEAM, None),
    ([incoming(), ChildLegAnswered("machine_start"), CallEnded("completed")], Outcome.MISSED,
     MissedReason.HUNG_UP_WHILE_RINGING),
    ([incoming(routing="ai", ai=True), StreamStarted(), CallEnded("completed"), StreamEnded()],
     Outcome.MISSED, MissedReason.HUNG_UP_BEFORE_GREETING),
    ([incoming(routing="ai", ai=True), StreamStarted(), StreamEnded(), CallEnded("completed")],
     Outcome.MISSED, MissedReason.HUNG_UP_BEFORE_GREETING),
    ([incoming(routing="ai", ai=True), CallEnded("completed")], Outcome.MISSED,
     MissedReason.HUNG_UP_BEFORE_GREETING),
    ([incoming(routing="ai", ai=True), StreamStarted(), ConversationStarted(),
      CallEnded("completed")], Outcome.HANDLED_BY_AI, None),
    ([incoming(routing="ring_then_ai", ai=True), DialEnded("no-answer"), StreamStarted(),
      ConversationStarted(), CallEnded("completed")], Outcome.HANDLED_BY_AI, None),
    ([incoming(routing="ring_then_ai", ai=True), DialEnded("no-answer"), StreamStarted(),
      CallEnded("completed"), StreamEnded()], Outcome.MISSED,
     MissedReason.HUNG_UP_BEFORE_GREETING),
    # The status callback overtook the media server's writes: they still decide.
    ([incoming(routing="ai", ai=True), StreamStarted(), CallEnded("completed"),
      ConversationStarted(), StreamEnded()], Outcome.HANDLED_BY_AI, None),
])
def test_outcomes(events, outcome, reason):
    state, transitions = run(*events)
    assert (state.outcome, state.missed_reason) == (outcome, reason)
    assert sum(t.decided for t in transitions) == 1


def test_a_call_ending_while_its_stream_is_live_waits_for_the_stream():
    state, (*_, ended) = run(incoming(routing="ai", ai=True), StreamStarted(),
                             CallEnded("completed"), CallEnded("completed"))
    assert not ended.decided and state.outcome is None and state.phase is Phase.ENDED


def test_a_stream_ending_for_a_transfer_decides_nothing():
    state, (*_, ended) = run(incoming(routing="ai", ai=True), StreamStarted(),
                             ConversationStarted(), StreamEnded())
    assert not ended.decided and state.stream_ended and state.outcome is None


def test_ring_then_ai_goes_to_ai_when_nobody_answers():
    _, (_, dial) = run(incoming(routing="ring_then_ai", ai=True), DialEnded("no-answer"))
    assert dial.plan is Plan.CONNECT_AI and not dial.decided


def test_caller_hanging_up_during_dial_is_missed_even_with_ai_next():
    state, (_, dial) = run(incoming(routing="ring_then_ai", ai=True), DialEnded("canceled"))
    assert dial.decided and state.missed_reason is MissedReason.HUNG_UP_WHILE_RINGING


def test_retried_incoming_webhook_replays_the_plan():
    state, (first, again) = run(incoming(), incoming())
    assert first.plan is again.plan is Plan.RING_TEAM and state.phase is Phase.RINGING_TEAM


EVENTS = st.sampled_from([
    incoming(), incoming(routing="ai", ai=True), incoming(routing="textback"),
    DialEnded("no-answer"), DialEnded("completed"), DialEnded("completed", "machine_start"),
    ChildLegAnswered(), StreamStarted(), ConversationStarted(), StreamEnded(), FallbackHit(),
    CallEnded("completed"), CallEnded("canceled"), CallEnded("ringing"),
])


@given(st.lists(EVENTS, max_size=12))
def test_any_sequence_decides_at_most_once_and_never_changes(events):
    state, decided_outcome = CallState(), None
    for ev in events:
        t = advance(state, ev)
        if decided_outcome is not None:
            assert not t.decided and t.state.outcome is decided_outcome
        if t.decided:
            decided_outcome = t.state.outcome
        state = t.state
    if decided_outcome is Outcome.MISSED:
        assert state.missed_reason is not None


@pytest.mark.parametrize("at", [0, 1, 2])
def test_a_conversation_is_never_missed_whenever_the_status_callback_lands(at):
    """The media server writes stream started, conversation started, stream ended, in that
    order; Twilio's final status callback may land anywhere among them."""
    media = [ConversationStarted(), StreamEnded()]
    events = [incoming(routing="ai", ai=True), StreamStarted(), *media[:at],
              CallEnded("completed"), *media[at:]]
    state, transitions = run(*events)
    assert state.outcome is Outcome.HANDLED_BY_AI
    assert sum(t.decided for t in transitions) == 1
