"""The per-call conversation as a sans-I/O state machine: ``handle(event) -> list[Command]``.

It decides turn-taking and call control, whatever engine produces the speech:

- greeting at stream start; *conversation started* on the first mark echo or caller speech;
- barge-in: the caller talks over the agent -> clear Twilio's queue, truncate each audible item at
  what was actually played (clamped to what was sent), cancel the reply in flight;
- tools: a model's function call -> ``RunTool``; its result -> back to the model, or an action
  (hang up / transfer) carried out once the agent has finished speaking;
- DTMF "0" -> transfer (or an apology and a message when nobody can take calls);
- silence -> "are you still there?" -> goodbye; a maximum call length; a provider session cap;
- engine failure -> one reconnect with the conversation so far, then an apology, a message for
  the team and a text to the caller, and a polite hang-up.

Every transition is a plain method call; tests drive it without sockets or clocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from receptionist.agent import ACTION_HANG_UP, ACTION_TRANSFER, ToolResult, Turn
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
    Event,
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
from receptionist.call.playback import Playback
from receptionist.call.policy import ConversationConfig, Phase, SpokenTexts
from receptionist.call.transcript import Transcript

__all__ = ["Conversation", "ConversationConfig", "Phase", "SpokenTexts"]

SILENCE, MAX_CALL, SESSION_CAP, HANGUP_DEADLINE = "silence", "max_call", "session_cap", "hangup"


@dataclass(slots=True)
class _Reply:
    purpose: str | None
    active: bool = True
    has_audio: bool = False
    items: list[str] = field(default_factory=list)


class Conversation:
    """One call's turn-taking and call control. Feed events; carry out the commands returned."""

    def __init__(self, config: ConversationConfig | None = None) -> None:
        self.config = config or ConversationConfig()
        self.texts = self.config.texts
        self.phase = Phase.STARTING
        self.playback = Playback()
        self.transcript = Transcript()
        self.conversation_started = False
        self.fallback = False
        self._replies: dict[str, _Reply] = {}
        self._active: str | None = None
        self._cancelled: set[str] = set()
        self._tool_reply: dict[str, str] = {}  # call_id -> reply that asked for it
        self._caller_speaking = False
        self._awaiting_reply = False
        self._silence_armed = False
        self._silence_prompts = 0
        self._pending: str | None = None  # ACTION_HANG_UP | ACTION_TRANSFER
        self._pending_reason = ""
        self._pending_needs_words: str | None = None  # text to say before the action, if unsaid
        self._action_reply: str | None = None
        self._reconnects = 0
        self._reconnecting = False
        self._reconnect_when_idle = False
        self._failed_before_start = False
        self._apologize_on_recover = False
        self._outstanding: list[Speak] = []  # asked of the engine, reply not started yet
        self._now_ms = 0  # newest stream time seen on any event
        self._last_stop_ms: int | None = None

    # --- the one entry point -----------------------------------------------------------------

    def handle(self, event: Event) -> list[Command]:
        if self.phase is Phase.ENDED and not isinstance(event, MarkPlayed):
            return []
        out: list[Command] = []
        match event:
            case AgentAudio():
                self._on_audio(event, out)
                return out  # the hot path: nothing below can change on audio alone
            case MarkPlayed(name=name, at_ms=at_ms):
                self._now_ms = max(self._now_ms, at_ms)
                if self.playback.echoed(name, at_ms) and not self.conversation_started:
                    self._start_conversation(out)
            case StreamStarted():
                self._on_stream_started(event, out)
            case StreamStopped():
                self.phase = Phase.ENDED
                return out
            case ReplyStarted():
                self._on_reply_started(event, out)
            case AgentSaid():
                self._on_agent_said(event)
            case ReplyFinished():
                self._on_reply_finished(event, out)
            case CallerStartedSpeaking(at_ms=at_ms):
                self._now_ms = max(self._now_ms, at_ms)
                self._caller_speaking = True
                self._silence_prompts = 0
                self._disarm_silence(out)
                if not self.conversation_started:
                    self._start_conversation(out)
                if self.phase is Phase.TALKING:
                    self._cut(at_ms, out)
            case CallerStoppedSpeaking(at_ms=at_ms):
                self._caller_speaking = False
                self._last_stop_ms = at_ms
                self._awaiting_reply = self.phase is Phase.TALKING
            case CallerSaid():
                self._on_caller_said(event, out)
            case ToolRequested(reply_id=reply_id, call=call):
                self._tool_reply[call.call_id] = reply_id
                out.append(RunTool(call))
            case ToolCompleted():
                self._on_tool_completed(event, out)
            case DigitPressed(digit=digit):
                self._on_digit(digit, out)
            case TimerFired(name=name):
                self._on_timer(name, out)
            case EngineFailed():
                self._on_engine_failed(event, out)
            case EngineRecovered():
                self._reconnecting = False
                if self.phase is Phase.TALKING and (self._apologize_on_recover
                                                    or self._awaiting_reply):
                    self._say(self.texts.recovered, "recovered", out)
                self._apologize_on_recover = False
            case TransferFailed():
                if self.phase is Phase.TRANSFERRING:
                    self.phase = Phase.TALKING
                    self._pending = None
                    self._say(self.texts.transfer_failed, "transfer_failed", out)
        self._settle(out)
        return out

    # --- properties the session and tests read ------------------------------------------------

    @property
    def busy(self) -> bool:
        """The agent is speaking, about to, or waiting on a tool or the caller."""
        return (self._active is not None or not self.playback.idle or bool(self._tool_reply)
                or self._caller_speaking or self._reconnecting or bool(self._outstanding))

    @property
    def active_reply(self) -> str | None:
        return self._active

    @property
    def history(self) -> list[Turn]:
        """The conversation so far, both sides, in order."""
        return self.transcript.turns

    # --- handlers -----------------------------------------------------------------------------

    def _on_stream_started(self, event: StreamStarted, out: list[Command]) -> None:
        if self.phase is not Phase.STARTING:
            return
        self.phase = Phase.TALKING
        out.append(StartTimer(MAX_CALL, self.config.max_call_s))
        if self._failed_before_start:
            self._degrade("engine unavailable at start", out)
            return
        if self.config.session_cap_s:
            out.append(StartTimer(SESSION_CAP, self.config.session_cap_s))
        self._say(self.texts.resumed if event.resumed else event.greeting, "greeting", out)

    def _on_audio(self, event: AgentAudio, out: list[Command]) -> None:
        if event.reply_id in self._cancelled or self.phase is Phase.ENDED:
            return
        reply = self._replies.get(event.reply_id)
        if reply is None:  # an engine that skipped ReplyStarted
            reply = self._replies[event.reply_id] = _Reply(None)
            self._active = event.reply_id
        if not reply.has_audio:
            reply.has_audio = True
        if not reply.items or reply.items[-1] != event.item_id:
            reply.items.append(event.item_id)
        out.append(PlayAudio(event.item_id, event.payload, event.size))
        mark = self.playback.sent(event.item_id, event.size)
        if mark is not None:
            out.append(SendMark(mark))

    def _on_reply_started(self, event: ReplyStarted, out: list[Command]) -> None:
        self._replies[event.reply_id] = _Reply(event.purpose)
        if event.purpose is not None:
            for index, asked in enumerate(self._outstanding):
                if asked.purpose == event.purpose:
                    del self._outstanding[index]
                    break
        self._awaiting_reply = False
        self._disarm_silence(out)
        if event.purpose is None and self.phase in (Phase.ENDING, Phase.TRANSFERRING):
            # The model answering the caller while we say goodbye or transfer: not now.
            self._cancelled.add(event.reply_id)
            self._replies[event.reply_id].active = False
            out.append(CancelReply(event.reply_id))
            return
        self._active = event.reply_id

    def _on_agent_said(self, event: AgentSaid) -> None:
        self._now_ms = max(self._now_ms, event.at_ms)
        if event.reply_id in self._cancelled and not self.transcript.knows(event.item_id):
            return
        self.transcript.agent(event.item_id, event.text, event.at_ms)

    def _on_reply_finished(self, event: ReplyFinished, out: list[Command]) -> None:
        reply = self._replies.get(event.reply_id)
        if reply is not None:
            reply.active = False
            for item_id in reply.items:
                mark = self.playback.flush(item_id)
                if mark is not None and event.reply_id not in self._cancelled:
                    out.append(SendMark(mark))
        if self._active == event.reply_id:
            self._active = None
        if event.status == "failed" and event.reply_id not in self._cancelled:
            self._on_engine_failed(EngineFailed("the model's reply failed", True), out)

    def _on_caller_said(self, event: CallerSaid, out: list[Command]) -> None:
        self._now_ms = max(self._now_ms, event.at_ms)
        self._caller_speaking = False
        text = event.text.strip()
        if not text:
            self._awaiting_reply = False
            return
        # A transcript can arrive after the reply began: date the turn by the end of speech.
        at_ms = self._last_stop_ms if self._last_stop_ms is not None \
            and self._last_stop_ms <= event.at_ms else event.at_ms
        self._last_stop_ms = None
        self.transcript.caller(text, at_ms)
        if not self.conversation_started:
            self._start_conversation(out)

    def _on_tool_completed(self, event: ToolCompleted, out: list[Command]) -> None:
        call, result = event.call, event.result
        reply_id = self._tool_reply.pop(call.call_id, None) or event.reply_id
        action = result.action
        if action == ACTION_TRANSFER and not self.config.can_transfer:
            result = ToolResult(False, {}, "Nobody can take the call right now; offer to take a "
                                "message for the team instead.")
            action = None
            if event.by_engine:
                self._say(self.texts.no_transfer, "no_transfer", out)
                return
        if action is None:
            if not event.by_engine:
                out.append(SendToolResult(call, result, respond=True))
            return
        if not event.by_engine:
            out.append(SendToolResult(call, result, respond=False))
        if self.phase not in (Phase.TALKING,):
            return
        if action == ACTION_HANG_UP:
            self._set_pending(ACTION_HANG_UP, f"tool {call.name}", self.texts.goodbye, reply_id)
            self.phase = Phase.ENDING
            out.append(StartTimer(HANGUP_DEADLINE, self.config.hangup_grace_s))
        elif action == ACTION_TRANSFER:
            self._set_pending(ACTION_TRANSFER, f"tool {call.name}", self.texts.transfer, reply_id)
            self.phase = Phase.TRANSFERRING

    def _on_digit(self, digit: str, out: list[Command]) -> None:
        if digit != "0" or self.phase is not Phase.TALKING:
            return
        self._cut(None, out)
        if self.config.can_transfer:
            self._set_pending(ACTION_TRANSFER, "caller pressed 0", None, None)
            self.phase = Phase.TRANSFERRING
            self._say(self.texts.transfer, "transfer", out)
        else:
            self._say(self.texts.no_transfer, "no_transfer", out)

    def _on_timer(self, name: str, out: list[Command]) -> None:
        if name == SILENCE:
            self._silence_armed = False
            if self.phase is not Phase.TALKING or self.busy:
                return
            if self._silence_prompts == 0:
                self._silence_prompts = 1
                self._say(self.texts.still_there, "still_there", out)
            else:
                self._begin_ending(self.texts.silence_goodbye, "caller silent", out)
        elif name == MAX_CALL:
            if self.phase in (Phase.TALKING, Phase.STARTING):
                self._cut(None, out)
                self._begin_ending(self.texts.time_limit, "maximum call length", out)
        elif name == HANGUP_DEADLINE:
            if self.phase is Phase.ENDING:
                self._hang_up(self._pending_reason or "goodbye did not finish", out)
        elif name == SESSION_CAP:
            self._reconnect_when_idle = True

    def _on_engine_failed(self, event: EngineFailed, out: list[Command]) -> None:
        if self.phase is Phase.STARTING:
            self._failed_before_start = True
            self.fallback = True
            out.append(SwitchToFallback(event.reason))
            return
        if self.fallback:
            self._hang_up(f"fallback failed: {event.reason}", out)
            return
        if (event.recoverable and self._reconnects < self.config.max_reconnects
                and self.phase is Phase.TALKING):
            self._reconnects += 1
            self._reconnecting = True
            self._apologize_on_recover = self._active is not None or bool(self._outstanding)
            self._outstanding.clear()
            self._drop_active(out, cancel=False)
            out.append(Reconnect(tuple(self.history), event.reason))
            return
        self.fallback = True
        self._reconnecting = False
        self._drop_active(out, cancel=False)
        out.append(SwitchToFallback(event.reason))
        outstanding, self._outstanding = self._outstanding, []
        if self.phase in (Phase.ENDING, Phase.TRANSFERRING):
            for asked in outstanding:  # the fallback voice says what the engine could not
                self._say(asked.text, asked.purpose, out)
            return
        self._cut(None, out)
        self._degrade(event.reason, out)

    # --- helpers ------------------------------------------------------------------------------

    def _degrade(self, reason: str, out: list[Command]) -> None:
        out.append(TakeMessage(reason, tuple(self.history)))
        self._begin_ending(self.texts.apology, f"degraded: {reason}", out)

    def _start_conversation(self, out: list[Command]) -> None:
        self.conversation_started = True
        out.append(NoteConversationStarted())

    def _say(self, text: str, purpose: str, out: list[Command]) -> None:
        speak = Speak(text, purpose)
        self._outstanding.append(speak)
        out.append(speak)

    def _cut(self, at_ms: int | None, out: list[Command]) -> None:
        """Stop the agent mid-sentence (barge-in, DTMF, time limit)."""
        if not self.playback.idle:
            now_ms = at_ms if at_ms is not None else self._now_ms
            out.append(ClearPlayback())
            for played in self.playback.clear(now_ms):
                out.append(TruncateReply(played.item_id, played.played_ms))
                self.transcript.heard_only(played.item_id, played.played_ms, played.sent_ms)
        self._drop_active(out, cancel=True)

    def _drop_active(self, out: list[Command], *, cancel: bool) -> None:
        if self._active is None:
            return
        reply_id, self._active = self._active, None
        self._cancelled.add(reply_id)
        self._replies[reply_id].active = False
        if cancel:
            out.append(CancelReply(reply_id))

    def _set_pending(self, action: str, reason: str, words: str | None,
                     reply_id: str | None) -> None:
        self._pending = action
        self._pending_reason = reason
        self._pending_needs_words = words
        self._action_reply = reply_id

    def _begin_ending(self, text: str, reason: str, out: list[Command]) -> None:
        self.phase = Phase.ENDING
        self._set_pending(ACTION_HANG_UP, reason, None, None)
        self._disarm_silence(out)
        self._say(text, "goodbye", out)
        out.append(StartTimer(HANGUP_DEADLINE, self.config.hangup_grace_s))

    def _hang_up(self, reason: str, out: list[Command]) -> None:
        self.phase = Phase.ENDED
        self._pending = None
        out.append(CancelTimer(SILENCE))
        out.append(HangUp(reason))

    def _disarm_silence(self, out: list[Command]) -> None:
        if self._silence_armed:
            self._silence_armed = False
            out.append(CancelTimer(SILENCE))

    def _words_said_for_action(self) -> bool:
        reply = self._replies.get(self._action_reply or "")
        if reply is not None and reply.has_audio:
            return True
        # Any reply that started after the action was requested and spoke counts as well.
        ids = list(self._replies)
        if self._action_reply in ids:
            later = ids[ids.index(self._action_reply) + 1:]
            return any(self._replies[r].has_audio and r not in self._cancelled for r in later)
        return False

    def _settle(self, out: list[Command]) -> None:
        """After every event: act on what is due once the agent has stopped talking."""
        if self.phase in (Phase.ENDED, Phase.STARTING) or self.busy:
            return
        if self._pending is not None:
            if self._pending_needs_words and not self._words_said_for_action():
                words, self._pending_needs_words = self._pending_needs_words, None
                purpose = "goodbye" if self._pending == ACTION_HANG_UP else "transfer"
                self._say(words, purpose, out)
                return
            if self._pending == ACTION_HANG_UP:
                self._hang_up(self._pending_reason, out)
            elif self.phase is Phase.TRANSFERRING:
                self._pending = None
                out.append(Transfer(self._pending_reason))
            return
        if self._reconnect_when_idle and not self.fallback:
            self._reconnect_when_idle = False
            self._reconnecting = True
            out.append(Reconnect(tuple(self.history), "session cap"))
            out.append(StartTimer(SESSION_CAP, self.config.session_cap_s or 3300.0))
            return
        if (self.phase is Phase.TALKING and not self._awaiting_reply
                and not self._silence_armed):
            self._silence_armed = True
            out.append(StartTimer(SILENCE, self.config.silence_timeout_s))
