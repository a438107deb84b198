"""The conversation state machine, event by event, without sockets or clocks."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from receptionist.agent.ports import ToolCall, ToolResult
from receptionist.call.conversation import Conversation, ConversationConfig, Phase
from receptionist.call.events import (
    AgentAudio,
    AgentSaid,
    CallerSaid,
    CallerStartedSpeaking,
    CallerStoppedSpeaking,
    CancelReply,
    CancelTimer,
    ClearPlayback,
    Command,
    DigitPressed,
    EngineFailed,
    EngineRecovered,
    HangUp,
    MarkPlayed,
    NoteConversationStarted,
    PlayAudio,
    Reconnect,
    ReplyFinished,
    ReplyStarted,
    RunTool,
    SendMark,
    SendToolResult,
    Speak,
    StartTimer,
    StreamStarted,
    StreamStopped,
    SwitchToFallback,
    TakeMessage,
    TimerFired,
    ToolCompleted,
    ToolRequested,
    Transfer,
    TransferFailed,
    TruncateReply,
)

GREETING = "Thanks for calling Greenfield Plumbing. How can I help?"


def audio(reply: str, item: str, n_bytes: int = 800) -> AgentAudio:
    return AgentAudio(reply, item, base64.b64encode(b"\xff" * n_bytes).decode(), n_bytes)


def of(commands: list[Command], kind: type) -> list[Any]:
    return [c for c in commands if isinstance(c, kind)]


class Call:
    """A conversation plus the marks it has sent, echoed on request like Twilio would."""

    def __init__(self, **config: Any) -> None:
        self.machine = Conversation(ConversationConfig(**config))
        self.marks: list[str] = []
        self.log: list[Command] = []

    def __call__(self, event: Any) -> list[Command]:
        out = self.machine.handle(event)
        self.marks += [c.name for c in of(out, SendMark)]
        self.log += out
        return out

    def play_all(self, at_ms: int = 0) -> list[Command]:
        out: list[Command] = []
        while self.marks:
            out += self(MarkPlayed(self.marks.pop(0), at_ms))
        return out

    def greet(self) -> list[Command]:
        out = self(StreamStarted(GREETING))
        out += self(ReplyStarted("r0", "greeting"))
        out += self(audio("r0", "i0"))
        out += self(AgentSaid("r0", "i0", GREETING, 100))
        out += self(ReplyFinished("r0"))
        return out

    def reply(self, reply_id: str, item_id: str, chunks: int = 1, *,
              purpose: str | None = None, finish: bool = True) -> list[Command]:
        out = self(ReplyStarted(reply_id, purpose))
        for _ in range(chunks):
            out += self(audio(reply_id, item_id))
        if finish:
            out += self(ReplyFinished(reply_id))
        return out


def test_stream_start_greets_and_caps_the_call() -> None:
    call = Call(max_call_s=300)
    out = call(StreamStarted(GREETING))
    assert StartTimer("max_call", 300) in out
    assert Speak(GREETING, "greeting") in out
    assert call.machine.phase is Phase.TALKING


def test_resumed_stream_offers_to_take_a_message() -> None:
    call = Call()
    out = call(StreamStarted(GREETING, resumed=True))
    assert [s.purpose for s in of(out, Speak)] == ["greeting"]
    assert "message" in of(out, Speak)[0].text


def test_audio_is_played_and_marked_every_100_ms() -> None:
    call = Call()
    call(StreamStarted(GREETING))
    call(ReplyStarted("r0", "greeting"))
    first = call(audio("r0", "i0", 160))
    assert isinstance(first[0], PlayAudio) and first[0].size == 160
    assert len(of(first, SendMark)) == 1  # the item's first audio is marked at once
    assert of(call(audio("r0", "i0", 160)), SendMark) == []
    assert len(of(call(audio("r0", "i0", 800)), SendMark)) == 1


def test_first_greeting_mark_echo_starts_the_conversation_once() -> None:
    call = Call()
    call.greet()
    assert of(call.log, NoteConversationStarted) == []
    out = call(MarkPlayed(call.marks.pop(0), 100))
    assert of(out, NoteConversationStarted) == [NoteConversationStarted()]
    call(audio("r1", "i1"))
    assert of(call.play_all(), NoteConversationStarted) == []


def test_caller_speech_starts_the_conversation_even_before_the_greeting_plays() -> None:
    call = Call()
    call(StreamStarted(GREETING))
    out = call(CallerStartedSpeaking(40))
    assert NoteConversationStarted() in out


def test_unknown_and_cleared_marks_are_ignored() -> None:
    call = Call()
    call.greet()
    assert call(MarkPlayed("m999", 10)) == []
    assert not call.machine.conversation_started
    pending = list(call.marks)
    call(CallerStartedSpeaking(20))  # clears: Twilio will echo the pending marks anyway
    assert all(call(MarkPlayed(name, 30)) == [] for name in pending)


def test_barge_in_clears_truncates_at_what_was_played_and_cancels() -> None:
    call = Call()
    call.greet()
    call.play_all(at_ms=500)
    call(CallerSaid("Do you fix water heaters?", 3000))
    call.reply("r1", "i1", chunks=5, finish=False)  # 500 ms sent, reply still running
    call(MarkPlayed(call.marks.pop(0), 4000))  # the first 100 ms of i1 played at 4.0 s
    out = call(CallerStartedSpeaking(4150))
    assert out[0] == ClearPlayback() or ClearPlayback() in out
    (truncate,) = of(out, TruncateReply)
    assert truncate.item_id == "i1"
    # 100 ms certain + 150 ms of stream time since, but never past the next unechoed mark.
    assert truncate.audio_end_ms == 200
    assert CancelReply("r1") in out
    # Audio still arriving for the cancelled reply is dropped.
    assert call(audio("r1", "i1")) == []


def test_truncation_never_exceeds_the_audio_sent() -> None:
    call = Call()
    call.greet()
    call.play_all(0)
    call.reply("r1", "i1", chunks=1, finish=True)  # 100 ms sent, one mark
    call(MarkPlayed(call.marks.pop(0), 1000))
    call.reply("r2", "i2", chunks=1, finish=False)
    out = call(CallerStartedSpeaking(60_000))  # a minute later: clamp to the 100 ms sent
    assert of(out, TruncateReply) == [TruncateReply("i2", 0)]


def test_no_barge_in_when_nothing_is_audible() -> None:
    call = Call()
    call.greet()
    call.play_all(1000)
    out = call(CallerStartedSpeaking(2000))
    assert of(out, ClearPlayback) == [] and of(out, TruncateReply) == []


def test_transcripts_keep_only_what_was_heard() -> None:
    call = Call()
    call.greet()
    call.play_all(0)
    call(CallerSaid("hello", 900))
    call.reply("r1", "i1", chunks=10, finish=False)  # 1 s sent
    call(AgentSaid("r1", "i1", "one two three four five six seven eight nine ten", 1000))
    call(MarkPlayed(call.marks[0], 1500))
    call.marks.clear()
    call(CallerStartedSpeaking(1500))
    text = call.machine.history[-1].text
    assert text.endswith("…") and len(text) < 20


def test_late_caller_transcript_is_placed_before_the_reply() -> None:
    call = Call()
    call.greet()
    call.play_all(0)
    call(CallerStartedSpeaking(1000))
    call(CallerStoppedSpeaking(2000))
    call.reply("r1", "i1")
    call(AgentSaid("r1", "i1", "We open at nine.", 2100))
    call(CallerSaid("When do you open?", 2500))
    assert [t.role for t in call.machine.history] == ["agent", "caller", "agent"]


def test_tool_call_runs_and_its_result_goes_back_to_the_model() -> None:
    call = Call()
    call.greet()
    lookup = ToolCall("c1", "business_info", {"topic": "hours"})
    assert call(ToolRequested("r1", lookup)) == [RunTool(lookup)]
    result = ToolResult(True, {"hours": "9 to 5"})
    assert SendToolResult(lookup, result, respond=True) in call(ToolCompleted(lookup, result))


def test_end_call_hangs_up_after_the_goodbye_has_played() -> None:
    call = Call()
    call.greet()
    call.play_all(0)
    end = ToolCall("c9", "end_call", {})
    call(ReplyStarted("r5"))
    call(audio("r5", "i5"))  # "Goodbye!" spoken in the same response
    call(ToolRequested("r5", end))
    out = call(ToolCompleted(end, ToolResult(True, {}, action="hang_up")))
    assert SendToolResult(end, ToolResult(True, {}, action="hang_up"), respond=False) in out
    assert call.machine.phase is Phase.ENDING
    assert of(call(ReplyFinished("r5")), HangUp) == []  # still playing
    assert len(of(call.play_all(100), HangUp)) == 1


def test_end_call_without_words_says_goodbye_first() -> None:
    call = Call()
    call.greet()
    call.play_all(0)
    end = ToolCall("c9", "end_call", {})
    call(ReplyStarted("r5"))
    call(ToolRequested("r5", end))
    call(ToolCompleted(end, ToolResult(True, {}, action="hang_up")))
    out = call(ReplyFinished("r5"))
    assert [s.purpose for s in of(out, Speak)] == ["goodbye"]
    call.reply("r6", "i6", purpose="goodbye")
    assert len(of(call.play_all(), HangUp)) == 1


def test_pipeline_tools_report_results_without_sending_them_back() -> None:
    call = Call()
    call.greet()
    call.play_all(0)
    call(ReplyStarted("p1"))
    end = ToolCall("c1", "end_call", {})
    out = call(ToolCompleted(end, ToolResult(True, {}, action="hang_up"), by_engine=True,
                             reply_id="p1"))
    assert of(out, SendToolResult) == []
    call(audio("p1", "p1"))
    call(ReplyFinished("p1"))
    assert len(of(call.play_all(), HangUp)) == 1
    assert of(call.log, Speak)[-1].purpose == "greeting"  # no second goodbye


def test_dtmf_zero_transfers_after_the_notice() -> None:
    call = Call(can_transfer=True)
    call.greet()
    call.reply("r1", "i1", finish=False)
    out = call(DigitPressed("0"))
    assert ClearPlayback() in out and CancelReply("r1") in out
    assert [s.purpose for s in of(out, Speak)] == ["transfer"]
    assert of(out, Transfer) == []
    call(ReplyFinished("r1", "cancelled"))
    call.reply("r2", "i2", purpose="transfer")
    assert of(call.play_all(), Transfer) == [Transfer("caller pressed 0")]
    assert call.machine.phase is Phase.TRANSFERRING


def test_dtmf_zero_without_transfer_offers_a_message() -> None:
    call = Call(can_transfer=False)
    call.greet()
    call.play_all()
    out = call(DigitPressed("0"))
    assert [s.purpose for s in of(out, Speak)] == ["no_transfer"]
    assert call.machine.phase is Phase.TALKING


def test_other_digits_do_nothing() -> None:
    call = Call(can_transfer=True)
    call.greet()
    assert call(DigitPressed("5")) == []


def test_transfer_tool_and_failure_come_back_to_the_conversation() -> None:
    call = Call(can_transfer=True)
    call.greet()
    call.play_all()
    human = ToolCall("c2", "transfer_to_human", {"reason": "wants the owner"})
    call(ReplyStarted("r2"))
    call(audio("r2", "i2"))
    call(ToolRequested("r2", human))
    call(ToolCompleted(human, ToolResult(True, {}, action="transfer")))
    call(ReplyFinished("r2"))
    assert len(of(call.play_all(), Transfer)) == 1
    out = call(TransferFailed("Twilio refused"))
    assert [s.purpose for s in of(out, Speak)] == ["transfer_failed"]
    assert call.machine.phase is Phase.TALKING


def test_transfer_tool_when_transfers_are_impossible_tells_the_model() -> None:
    call = Call(can_transfer=False)
    call.greet()
    human = ToolCall("c2", "transfer_to_human", {})
    call(ToolRequested("r2", human))
    (sent,) = of(call(ToolCompleted(human, ToolResult(True, {}, action="transfer"))),
                 SendToolResult)
    assert not sent.result.ok and sent.respond


def test_silence_asks_once_then_says_goodbye_and_hangs_up() -> None:
    call = Call(silence_timeout_s=8)
    call.greet()
    out = call.play_all()
    assert StartTimer("silence", 8) in out
    out = call(TimerFired("silence"))
    assert [s.purpose for s in of(out, Speak)] == ["still_there"]
    call.reply("r1", "i1", purpose="still_there")
    assert StartTimer("silence", 8) in call.play_all()
    out = call(TimerFired("silence"))
    assert [s.purpose for s in of(out, Speak)] == ["goodbye"]
    call.reply("r2", "i2", purpose="goodbye")
    assert len(of(call.play_all(), HangUp)) == 1
    assert call.machine.phase is Phase.ENDED


def test_caller_speech_resets_the_silence_prompt() -> None:
    call = Call(silence_timeout_s=8)
    call.greet()
    call.play_all()
    call(TimerFired("silence"))
    call.reply("r1", "i1", purpose="still_there")
    call.play_all()
    out = call(CallerStartedSpeaking(9000))
    assert CancelTimer("silence") in out
    call(CallerStoppedSpeaking(9500))
    call(CallerSaid("yes, sorry", 9600))
    call.reply("r2", "i2")
    call.play_all()
    assert [s.purpose for s in of(call(TimerFired("silence")), Speak)] == ["still_there"]


def test_max_call_length_cuts_in_and_says_goodbye() -> None:
    call = Call()
    call.greet()
    call.reply("r1", "i1", finish=False)
    out = call(TimerFired("max_call"))
    assert ClearPlayback() in out and CancelReply("r1") in out
    assert [s.purpose for s in of(out, Speak)] == ["goodbye"]
    call.reply("r2", "i2", purpose="goodbye")
    assert len(of(call.play_all(), HangUp)) == 1


def test_hang_up_deadline_when_the_goodbye_never_plays() -> None:
    call = Call()
    call.greet()
    call.play_all()
    call(TimerFired("max_call"))
    assert of(call(TimerFired("hangup")), HangUp) == [HangUp("maximum call length")]


def test_model_replies_are_refused_while_saying_goodbye() -> None:
    call = Call()
    call.greet()
    call.play_all()
    call(TimerFired("max_call"))
    assert call(ReplyStarted("r9", None)) == [CancelReply("r9")]


def test_recoverable_failure_reconnects_then_apologises() -> None:
    call = Call()
    call.greet()
    call.play_all()
    call(CallerSaid("Can I book?", 2000))
    call.reply("r1", "i1", finish=False)
    out = call(EngineFailed("socket dropped", recoverable=True))
    (reconnect,) = of(out, Reconnect)
    assert [t.role for t in reconnect.history] == ["agent", "caller"]
    assert call.machine.busy
    out = call(EngineRecovered())
    assert [s.purpose for s in of(out, Speak)] == ["recovered"]


def test_failed_reply_counts_as_a_failure() -> None:
    call = Call()
    call.greet()
    call.play_all()
    call(ReplyStarted("r1"))
    assert len(of(call(ReplyFinished("r1", "failed")), Reconnect)) == 1


def test_unrecoverable_failure_takes_a_message_and_ends_politely() -> None:
    call = Call(max_reconnects=1)
    call.greet()
    call.play_all()
    call(CallerSaid("My sink is leaking", 2000))
    call(EngineFailed("dropped", recoverable=True))
    out = call(EngineFailed("reconnect failed", recoverable=False))
    assert of(out, SwitchToFallback) and of(out, TakeMessage)
    assert [s.purpose for s in of(out, Speak)] == ["goodbye"]
    assert "text" in of(out, Speak)[0].text
    call.reply("f1", "f1", purpose="goodbye")
    assert len(of(call.play_all(), HangUp)) == 1


def test_engine_unavailable_at_start_apologises_instead_of_greeting() -> None:
    call = Call()
    assert of(call(EngineFailed("no model")), SwitchToFallback)
    out = call(StreamStarted(GREETING))
    assert of(out, TakeMessage)
    assert [s.purpose for s in of(out, Speak)] == ["goodbye"]


def test_failure_while_saying_goodbye_finishes_the_goodbye_with_the_fallback() -> None:
    call = Call()
    call.greet()
    call.play_all()
    call(TimerFired("max_call"))
    out = call(EngineFailed("dropped", recoverable=True))
    assert of(out, SwitchToFallback)
    assert [s.purpose for s in of(out, Speak)] == ["goodbye"]
    assert of(out, TakeMessage) == []


def test_session_cap_reconnects_when_idle() -> None:
    call = Call(session_cap_s=3300)
    call.greet()
    assert of(call(TimerFired("session_cap")), Reconnect) == []  # the greeting is playing
    out = call.play_all()
    assert len(of(out, Reconnect)) == 1
    assert StartTimer("session_cap", 3300) in out


def test_nothing_happens_after_the_stream_stops() -> None:
    call = Call()
    call.greet()
    call(StreamStopped())
    assert call(CallerStartedSpeaking(1)) == []
    assert call(TimerFired("silence")) == []
    assert call.machine.phase is Phase.ENDED


@pytest.mark.parametrize("chunks", [1, 3, 17])
def test_every_sent_mark_is_accounted_for(chunks: int) -> None:
    call = Call()
    call.greet()
    call.reply("r1", "i1", chunks=chunks)
    call.play_all()
    assert call.machine.playback.idle
