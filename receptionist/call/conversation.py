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

from receptionist.agent import CallAction, Turn, transfer_refused
from receptionist.call import events as ev  # the events it handles, the commands it returns
from receptionist.call.machine_state import (
    CallerTurn,
    PendingAction,
    Purpose,
    Recovery,
    Replies,
    Silence,
    Timer,
)
from receptionist.call.playback import Playback
from receptionist.call.policy import ConversationConfig, Phase, SpokenTexts
from receptionist.call.transcript import Transcript

__all__ = ["Conversation", "ConversationConfig", "Phase", "SpokenTexts"]



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
        self._replies = Replies()
        self._tool_reply: dict[str, str] = {}  # call_id -> reply that asked for it
        self._caller = CallerTurn()
        self._silence = Silence()
        self._pending: PendingAction | None = None
        self._recovery = Recovery()
        self._outstanding: list[ev.Speak] = []  # asked of the engine, reply not started yet
        self._now_ms = 0  # newest stream time seen on any event

    # --- the one entry point -----------------------------------------------------------------

    def handle(self, event: ev.Event) -> list[ev.Command]:
        if self.phase is Phase.ENDED and not isinstance(event, ev.MarkPlayed):
            return []
        out: list[ev.Command] = []
        match event:
            case ev.AgentAudio():
                self._on_audio(event, out)
                return out  # the hot path: nothing below can change on audio alone
            case ev.TurnMeasured():
                return out  # figures for the call record (the session keeps them)
            case ev.MarkPlayed(name=name, at_ms=at_ms):
                self._now_ms = max(self._now_ms, at_ms)
                if self.playback.echoed(name, at_ms) and not self.conversation_started:
                    self._start_conversation(out)
            case ev.StreamStarted():
                self._on_stream_started(event, out)
            case ev.StreamStopped():
                self.phase = Phase.ENDED
                return out
            case ev.ReplyStarted():
                self._on_reply_started(event, out)
            case ev.AgentSaid():
                self._on_agent_said(event)
            case ev.ReplyFinished():
                self._on_reply_finished(event, out)
            case ev.CallerStartedSpeaking(at_ms=at_ms):
                self._now_ms = max(self._now_ms, at_ms)
                self._caller.speaking = True
                self._silence.prompts = 0
                self._disarm_silence(out)
                if not self.conversation_started:
                    self._start_conversation(out)
                if self.phase is Phase.TALKING:
                    self._cut(at_ms, out)
            case ev.CallerStoppedSpeaking(at_ms=at_ms):
                self._caller.speaking = False
                self._caller.last_stop_ms = at_ms
                self._caller.awaiting_reply = self.phase is Phase.TALKING
            case ev.CallerSaid():
                self._on_caller_said(event, out)
            case ev.ToolRequested(reply_id=reply_id, call=call):
                self._tool_reply[call.call_id] = reply_id
                out.append(ev.RunTool(call))
            case ev.ToolCompleted():
                self._on_tool_completed(event, out)
            case ev.DigitPressed(digit=digit):
                self._on_digit(digit, out)
            case ev.TimerFired(name=name):
                self._on_timer(name, out)
            case ev.EngineFailed():
                self._on_engine_failed(event, out)
            case ev.EngineRecovered():
                self._recovery.reconnecting = False
                if self.phase is Phase.TALKING and (self._recovery.apologize
                                                    or self._caller.awaiting_reply):
                    self._say(self.texts.recovered, Purpose.RECOVERED, out)
                self._recovery.apologize = False
            case ev.TransferFailed():
                if self.phase is Phase.TRANSFERRING:
                    self.phase = Phase.TALKING
                    self._pending = None
                    self._say(self.texts.transfer_failed, Purpose.TRANSFER_FAILED, out)
        self._settle(out)
        return out

    # --- properties the session and tests read ------------------------------------------------

    @property
    def busy(self) -> bool:
        """The agent is speaking, about to, or waiting on a tool or the caller."""
        return (self._replies.active is not None or not self.playback.idle or bool(self._tool_reply)
                or self._caller.speaking or self._recovery.reconnecting or bool(self._outstanding))

    @property
    def active_reply(self) -> str | None:
        return self._replies.active

    @property
    def history(self) -> list[Turn]:
        """The conversation so far, both sides, in order."""
        return self.transcript.turns

    # --- handlers -----------------------------------------------------------------------------

    def _on_stream_started(self, event: ev.StreamStarted, out: list[ev.Command]) -> None:
        if self.phase is not Phase.STARTING:
            return
        self.phase = Phase.TALKING
        out.append(ev.StartTimer(Timer.MAX_CALL, self.config.max_call_s))
        if self._recovery.failed_before_start:
            self._degrade("engine unavailable at start", out)
            return
        if self.config.session_cap_s:
            out.append(ev.StartTimer(Timer.SESSION_CAP, self.config.session_cap_s))
        self._say(self.texts.resumed if event.resumed else event.greeting, Purpose.GREETING, out)

    def _on_audio(self, event: ev.AgentAudio, out: list[ev.Command]) -> None:
        if event.reply_id in self._replies.cancelled or self.phase is Phase.ENDED:
            return
        reply = self._replies.get(event.reply_id)
        if reply is None:  # an engine that skipped ev.ReplyStarted
            reply = self._replies.start(event.reply_id, None)
            self._replies.active = event.reply_id
        if not reply.has_audio:
            reply.has_audio = True
        if not reply.items or reply.items[-1] != event.item_id:
            reply.items.append(event.item_id)
        out.append(ev.PlayAudio(event.item_id, event.payload, event.size))
        mark = self.playback.sent(event.item_id, event.size)
        if mark is not None:
            out.append(ev.SendMark(mark))

    def _on_reply_started(self, event: ev.ReplyStarted, out: list[ev.Command]) -> None:
        self._replies.start(event.reply_id, event.purpose)
        if event.purpose is not None:
            for index, asked in enumerate(self._outstanding):
                if asked.purpose == event.purpose:
                    del self._outstanding[index]
                    break
        self._caller.awaiting_reply = False
        self._disarm_silence(out)
        if event.purpose is None and self.phase in (Phase.ENDING, Phase.TRANSFERRING):
            # The model answering the caller while we say goodbye or transfer: not now.
            self._replies.cancel(event.reply_id)
            out.append(ev.CancelReply(event.reply_id))
            return
        self._replies.active = event.reply_id

    def _on_agent_said(self, event: ev.AgentSaid) -> None:
        self._now_ms = max(self._now_ms, event.at_ms)
        if event.reply_id in self._replies.cancelled and not self.transcript.knows(event.item_id):
            return
        self.transcript.agent(event.item_id, event.text, event.at_ms)

    def _on_reply_finished(self, event: ev.ReplyFinished, out: list[ev.Command]) -> None:
        reply = self._replies.get(event.reply_id)
        if reply is not None:
            reply.active = False
            for item_id in reply.items:
                mark = self.playback.flush(item_id)
                if mark is not None and event.reply_id not in self._replies.cancelled:
                    out.append(ev.SendMark(mark))
        if self._replies.active == event.reply_id:
            self._replies.active = None
        if event.status == "failed" and event.reply_id not in self._replies.cancelled:
            self._on_engine_failed(ev.EngineFailed("the model's reply failed", True), out)

    def _on_caller_said(self, event: ev.CallerSaid, out: list[ev.Command]) -> None:
        self._now_ms = max(self._now_ms, event.at_ms)
        self._caller.speaking = False
        text = event.text.strip()
        if not text:
            self._caller.awaiting_reply = False
            return
        # A transcript can arrive after the reply began: date the turn by the end of speech.
        at_ms = self._caller.last_stop_ms if self._caller.last_stop_ms is not None \
            and self._caller.last_stop_ms <= event.at_ms else event.at_ms
        self._caller.last_stop_ms = None
        self.transcript.caller(text, at_ms)
        if not self.conversation_started:
            self._start_conversation(out)

    def _on_tool_completed(self, event: ev.ToolCompleted, out: list[ev.Command]) -> None:
        call, result = event.call, event.result
        reply_id = self._tool_reply.pop(call.call_id, None) or event.reply_id
        action = result.action
        if action == CallAction.TRANSFER and not self.config.can_transfer:
            result = transfer_refused()
            action = None
            if event.by_engine:
                self._say(self.texts.no_transfer, Purpose.NO_TRANSFER, out)
                return
        if action is None:
            if not event.by_engine:
                out.append(ev.SendToolResult(call, result, respond=True))
            return
        if not event.by_engine:
            out.append(ev.SendToolResult(call, result, respond=False))
        if self.phase not in (Phase.TALKING,):
            return
        if action == CallAction.HANG_UP:
            self._pending = PendingAction(CallAction.HANG_UP, f"tool {call.name}",
                                          self.texts.goodbye, reply_id)
            self.phase = Phase.ENDING
            out.append(ev.StartTimer(Timer.HANGUP_DEADLINE, self.config.hangup_grace_s))
        elif action == CallAction.TRANSFER:
            self._pending = PendingAction(CallAction.TRANSFER, f"tool {call.name}",
                                          self.texts.transfer, reply_id)
            self.phase = Phase.TRANSFERRING

    def _on_digit(self, digit: str, out: list[ev.Command]) -> None:
        if digit != "0" or self.phase is not Phase.TALKING:
            return
        self._cut(None, out)
        if self.config.can_transfer:
            self._pending = PendingAction(CallAction.TRANSFER, "caller pressed 0")
            self.phase = Phase.TRANSFERRING
            self._say(self.texts.transfer, Purpose.TRANSFER, out)
        else:
            self._say(self.texts.no_transfer, Purpose.NO_TRANSFER, out)

    def _on_timer(self, name: Timer, out: list[ev.Command]) -> None:
        if name == Timer.SILENCE:
            self._silence.armed = False
            if self.phase is not Phase.TALKING or self.busy:
                return
            if self._silence.prompts == 0:
                self._silence.prompts = 1
                self._say(self.texts.still_there, Purpose.STILL_THERE, out)
            else:
                self._begin_ending(self.texts.silence_goodbye, "caller silent", out)
        elif name == Timer.MAX_CALL:
            if self.phase in (Phase.TALKING, Phase.STARTING):
                self._cut(None, out)
                self._begin_ending(self.texts.time_limit, "maximum call length", out)
        elif name == Timer.HANGUP_DEADLINE:
            if self.phase is Phase.ENDING:
                reason = self._pending.reason if self._pending is not None else ""
                self._hang_up(reason or "goodbye did not finish", out)
        elif name == Timer.SESSION_CAP:
            self._recovery.when_idle = True

    def _on_engine_failed(self, event: ev.EngineFailed, out: list[ev.Command]) -> None:
        if self.phase is Phase.STARTING:
            self._recovery.failed_before_start = True
            self.fallback = True
            out.append(ev.SwitchToFallback(event.reason))
            return
        if self.fallback:
            self._hang_up(f"fallback failed: {event.reason}", out)
            return
        if (event.recoverable and self._recovery.reconnects < self.config.max_reconnects
                and self.phase is Phase.TALKING):
            self._recovery.reconnects += 1
            self._recovery.reconnecting = True
            self._recovery.apologize = self._replies.active is not None or bool(self._outstanding)
            self._outstanding.clear()
            self._drop_active(out, cancel=False)
            out.append(ev.Reconnect(tuple(self.history), event.reason))
            return
        self.fallback = True
        self._recovery.reconnecting = False
        self._drop_active(out, cancel=False)
        out.append(ev.SwitchToFallback(event.reason))
        outstanding, self._outstanding = self._outstanding, []
        if self.phase in (Phase.ENDING, Phase.TRANSFERRING):
            for asked in outstanding:  # the fallback voice says what the engine could not
                self._say(asked.text, asked.purpose, out)
            return
        self._cut(None, out)
        self._degrade(event.reason, out)

    # --- helpers ------------------------------------------------------------------------------

    def _degrade(self, reason: str, out: list[ev.Command]) -> None:
        out.append(ev.TakeMessage(reason, tuple(self.history)))
        self._begin_ending(self.texts.apology, f"degraded: {reason}", out)

    def _start_conversation(self, out: list[ev.Command]) -> None:
        self.conversation_started = True
        out.append(ev.NoteConversationStarted())

    def _say(self, text: str, purpose: Purpose, out: list[ev.Command]) -> None:
        speak = ev.Speak(text, purpose)
        self._outstanding.append(speak)
        out.append(speak)

    def _cut(self, at_ms: int | None, out: list[ev.Command]) -> None:
        """Stop the agent mid-sentence (barge-in, DTMF, time limit)."""
        if not self.playback.idle:
            now_ms = at_ms if at_ms is not None else self._now_ms
            out.append(ev.ClearPlayback())
            for played in self.playback.clear(now_ms):
                out.append(ev.TruncateReply(played.item_id, played.played_ms))
                self.transcript.heard_only(played.item_id, played.played_ms, played.sent_ms)
        self._drop_active(out, cancel=True)

    def _drop_active(self, out: list[ev.Command], *, cancel: bool) -> None:
        reply_id = self._replies.drop_active()
        if reply_id is not None and cancel:
            out.append(ev.CancelReply(reply_id))

    def _begin_ending(self, text: str, reason: str, out: list[ev.Command]) -> None:
        self.phase = Phase.ENDING
        self._pending = PendingAction(CallAction.HANG_UP, reason)
        self._disarm_silence(out)
        self._say(text, Purpose.GOODBYE, out)
        out.append(ev.StartTimer(Timer.HANGUP_DEADLINE, self.config.hangup_grace_s))

    def _hang_up(self, reason: str, out: list[ev.Command]) -> None:
        self.phase = Phase.ENDED
        self._pending = None
        out.append(ev.CancelTimer(Timer.SILENCE))
        out.append(ev.HangUp(reason))

    def _disarm_silence(self, out: list[ev.Command]) -> None:
        if self._silence.armed:
            self._silence.armed = False
            out.append(ev.CancelTimer(Timer.SILENCE))

    def _settle(self, out: list[ev.Command]) -> None:
        """After every event: act on what is due once the agent has stopped talking."""
        if self.phase in (Phase.ENDED, Phase.STARTING) or self.busy:
            return
        pending = self._pending
        if pending is not None:
            if pending.words and not self._replies.spoke_since(pending.reply_id):
                words, pending.words = pending.words, None
                hang_up = pending.action is CallAction.HANG_UP
                purpose = Purpose.GOODBYE if hang_up else Purpose.TRANSFER
                self._say(words, purpose, out)
                return
            if pending.action == CallAction.HANG_UP:
                self._hang_up(pending.reason, out)
            elif self.phase is Phase.TRANSFERRING:
                self._pending = None
                out.append(ev.Transfer(pending.reason))
            return
        if self._recovery.when_idle and not self.fallback:
            self._recovery.when_idle = False
            self._recovery.reconnecting = True
            out.append(ev.Reconnect(tuple(self.history), "session cap"))
            out.append(ev.StartTimer(Timer.SESSION_CAP, self.config.session_cap_s or 3300.0))
            return
        if (self.phase is Phase.TALKING and not self._caller.awaiting_reply
                and not self._silence.armed):
            self._silence.armed = True
            out.append(ev.StartTimer(Timer.SILENCE, self.config.silence_timeout_s))
