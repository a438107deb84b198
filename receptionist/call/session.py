"""One phone call on the media stream: authenticate it, run its conversation, tear it down.

The session owns everything per call — the socket, the conversation state machine, the engine,
the recorder — and one ``asyncio.TaskGroup`` holding every task of the call (engine, timers,
tools, hang-up). Nothing per call lives in globals or ``app.state``; a call that fails ends alone.

Flow: read ``connected``/``start``; redeem the stream token (a missing, forged, used or expired
one closes the socket before any audio is read or any model is connected); store that the stream
started (before anything is played, which the lifecycle relies on); start the engine; greet.
Then frames go to the engine (audio: the hot path, no lock) or through the conversation (marks,
digits); engine events go through the conversation; the commands it returns are carried out in
order under one lock, slow ones as tasks. Last, store that the stream ended.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from typing import Any

from receptionist.agent import (
    CallRecord,
    CallRecorder,
    EndReason,
    ToolCall,
    ToolResult,
    TurnStages,
)
from receptionist.call import effects
from receptionist.call import twilio_wire as wire
from receptionist.call.conversation import Conversation
from receptionist.call.deps import CallDeps, SessionLimits
from receptionist.call.engines import ConversationEngine
from receptionist.call.events import (
    AgentAudio,
    CallerStartedSpeaking,
    CallerStoppedSpeaking,
    CancelReply,
    CancelTimer,
    ClearPlayback,
    Command,
    DigitPressed,
    EngineFailed,
    Event,
    HangUp,
    MarkPlayed,
    NoteConversationStarted,
    PlayAudio,
    Reconnect,
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
    Transfer,
    TransferFailed,
    TruncateReply,
    TurnMeasured,
)
from receptionist.call.machine_state import Timer
from receptionist.call.ports import MediaSocket, SocketClosed
from receptionist.call.recording import finish_record
from receptionist.call.setup import CallSetup
from receptionist.core import log_event, mask

__all__ = ["CallDeps", "CallSession", "SessionLimits"]  # the first and last from .deps

log = logging.getLogger("receptionist.call.session")

TOKEN_PARAMETER = "token"
POLICY_VIOLATION = 1008


class CallSession:
    def __init__(self, socket: MediaSocket, deps: CallDeps) -> None:
        self.socket = socket
        self.deps = deps
        self.call_sid = ""
        self.stream_sid = ""
        self.setup: CallSetup | None = None
        self.machine = Conversation(deps.conversation)
        self.engine: ConversationEngine | None = None
        self.end_reason = EndReason.CALLER_HUNG_UP
        self.malformed = 0
        self._stream_ms = 0
        self._lock = asyncio.Lock()
        self._tg: asyncio.TaskGroup | None = None
        self._timers: dict[Timer, asyncio.Task[None]] = {}
        self._closers: set[asyncio.Task[None]] = set()
        self._socket_open = True
        self._ended = False
        self._barge_in_at: float | None = None
        self._caller_stopped_at: float | None = None
        self._latencies_ms: list[int] = []
        self._stages: list[TurnStages | None] = []  # beside _latencies_ms, when the engine tells
        self._audio_reply: str | None = None  # reply of the audio being played
        self._latency_reply: str | None = None  # reply whose first audio gave the last latency
        self.recorder: CallRecorder | None = None
        self._stream_life = effects.StreamLifecycle(deps.lifecycle)

    def stream_ms(self) -> int:
        return self._stream_ms

    # --- the call ---------------------------------------------------------------------------

    async def run(self) -> None:
        start = await effects.await_start(self.socket, self.deps.limits)
        if start is None:
            await self._close(POLICY_VIOLATION)
            return
        grant = await self.deps.tokens.redeem(start.custom_parameters.get(TOKEN_PARAMETER),
                                              start.call_sid)
        if grant is None:
            log_event(log, "media.stream_rejected", logging.WARNING, call_sid=start.call_sid,
                      reason="invalid stream token")
            await self._close(POLICY_VIOLATION)
            return
        self.call_sid, self.stream_sid = start.call_sid, start.stream_sid
        started_at = self.deps.clock.now()
        try:
            async with asyncio.TaskGroup() as tg:
                self._tg = tg
                stream_stored = tg.create_task(self.deps.lifecycle.stream_started(self.call_sid))
                self.setup = setup = await self.deps.setups.build(grant)
                self.recorder = CallRecorder(setup.ctx, started_at)
                self.machine = Conversation(replace(
                    self.deps.conversation,
                    can_transfer=self.deps.can_transfer and bool(setup.transfer_to)))
                log_event(log, "media.stream_started", call_sid=self.call_sid,
                          caller=mask(setup.ctx.caller_phone), resumed=grant.resumed)
                await self._start_engine(setup)
                await stream_stored
                await self._dispatch(StreamStarted(setup.greeting, setup.resumed))
                await self._read_frames()
                await self._shutdown()
        except* Exception as group:  # a bug in this call: end it alone, loudly
            for exc in group.exceptions:
                log.error("media.session_crashed call_sid=%s", self.call_sid, exc_info=exc)
            self.end_reason = EndReason.ERROR
        finally:
            try:
                if self.engine is not None:  # after a crash too: never leave a model socket
                    await self.engine.aclose()
                await self._close(1000)
                await self._store_stream_end()
            finally:
                if self.setup is not None:
                    await self._record()

    async def _start_engine(self, setup: CallSetup) -> None:
        engine, failure = await self.deps.engines.start(setup, self._dispatch, self.stream_ms)
        self._use_engine(engine)
        if failure is not None:
            await self._dispatch(EngineFailed(failure, recoverable=False))

    def _use_engine(self, engine: ConversationEngine) -> None:
        self.engine = engine
        assert self._tg is not None
        self._tg.create_task(engine.run(), name=f"engine-{engine.name}")
        log_event(log, "media.engine", call_sid=self.call_sid, engine=engine.name)

    async def _read_frames(self) -> None:
        while not self._ended:
            try:
                message = await self.socket.receive()
            except SocketClosed:
                break
            started = time.perf_counter()
            frame = wire.parse(message) if isinstance(message, str) \
                else wire.Malformed("binary frame")
            if isinstance(frame, wire.Media):
                self._stream_ms = frame.timestamp_ms if frame.timestamp_ms is not None \
                    else self._stream_ms + len(frame.ulaw) // 8
                engine = self.engine
                if engine is not None:  # the engine measures frame in -> model out
                    await engine.send_caller_audio(frame.payload, frame.ulaw, started)
            elif isinstance(frame, wire.Mark):
                await self._dispatch(MarkPlayed(frame.name, self._stream_ms))
            elif isinstance(frame, wire.Dtmf):
                if self.setup is not None and len(self.setup.ctx.digits) < 64:
                    self.setup.ctx.digits.append(frame.digit)
                await self._dispatch(DigitPressed(frame.digit))
            elif isinstance(frame, wire.Stop):
                break
            elif isinstance(frame, wire.Malformed | wire.Start):
                self.malformed += 1
                if self.malformed <= 3:
                    reason = frame.reason if isinstance(frame, wire.Malformed) else "second start"
                    log_event(log, "media.malformed_frame", logging.WARNING,
                              call_sid=self.call_sid, reason=reason)
                if self.malformed > self.deps.limits.max_malformed:
                    self.end_reason = EndReason.MALFORMED_STREAM
                    break

    async def _shutdown(self) -> None:
        self._ended = True
        await self._dispatch(StreamStopped())
        for task in [*self._timers.values(), *self._closers]:
            task.cancel()
        self._timers.clear()
        if self.engine is not None:
            await self.engine.aclose()

    # --- events in, commands out --------------------------------------------------------------

    async def _dispatch(self, event: Event) -> None:
        if isinstance(event, AgentAudio):
            self._audio_reply = event.reply_id
        elif isinstance(event, TurnMeasured):
            if event.reply_id == self._latency_reply and self._stages:
                self._stages[-1] = event.stages
        elif isinstance(event, CallerStartedSpeaking):
            self._barge_in_at = time.perf_counter()
        elif isinstance(event, CallerStoppedSpeaking):
            self._caller_stopped_at = time.perf_counter()
        elif isinstance(event, ToolCompleted) and event.by_engine:
            self._note_tool(event.call, event.result, None)
        async with self._lock:
            for command in self.machine.handle(event):
                await self._execute(command)

    async def _execute(self, command: Command) -> None:
        match command:
            case PlayAudio(payload=payload):
                await self._send(wire.media_message(self.stream_sid, payload))
                if self._caller_stopped_at is not None:
                    self._latencies_ms.append(
                        round((time.perf_counter() - self._caller_stopped_at) * 1000))
                    self._stages.append(None)
                    self._latency_reply = self._audio_reply
                    self._caller_stopped_at = None
            case SendMark(name=name):
                await self._send(wire.mark_message(self.stream_sid, name))
            case ClearPlayback():
                await self._send(wire.clear_message(self.stream_sid))
                if self._barge_in_at is not None and self.deps.metrics is not None:
                    self.deps.metrics.barge_in(time.perf_counter() - self._barge_in_at)
                self._barge_in_at = None
            case Speak(text=text, purpose=purpose):
                if self.engine is not None:
                    await self.engine.speak(text, purpose)
            case TruncateReply(item_id=item_id, audio_end_ms=audio_end_ms):
                if self.engine is not None:
                    await self.engine.truncate(item_id, audio_end_ms)
            case CancelReply(reply_id=reply_id):
                if self.engine is not None:
                    await self.engine.cancel(reply_id)
            case SendToolResult(call=call, result=result, respond=respond):
                if self.engine is not None:
                    await self.engine.send_tool_result(call, result, respond)
            case RunTool(call=call):
                self._spawn(self._run_tool(call))
            case Reconnect(history=history):
                if self.engine is not None:
                    self._spawn(self.engine.reconnect(history))
            case SwitchToFallback(reason=reason):
                await self._switch_to_fallback(reason)
            case TakeMessage(reason=reason):
                self._spawn(self._take_message(reason))
            case HangUp(reason=reason):
                self._closers.add(self._spawn(self._hang_up(reason)))
            case Transfer(reason=reason):
                self._spawn(self._transfer(reason))
            case NoteConversationStarted():
                self._spawn(self._store_conversation_start())
            case StartTimer(name=name, seconds=seconds):
                self._start_timer(name, seconds)
            case CancelTimer(name=name):
                timer = self._timers.pop(name, None)
                if timer is not None:
                    timer.cancel()

    def _spawn(self, coro: Any) -> asyncio.Task[None]:
        assert self._tg is not None
        return self._tg.create_task(coro)

    def _start_timer(self, name: Timer, seconds: float) -> None:
        old = self._timers.pop(name, None)
        if old is not None:
            old.cancel()
        if not self._ended:
            self._timers[name] = self._spawn(self._fire(name, seconds))

    async def _fire(self, name: Timer, seconds: float) -> None:
        await asyncio.sleep(seconds)
        self._timers.pop(name, None)
        await self._dispatch(TimerFired(name))

    # --- the socket ---------------------------------------------------------------------------

    async def _send(self, text: str) -> None:
        if not self._socket_open:
            return
        try:
            await self.socket.send_text(text)
        except SocketClosed:
            self._socket_open = False

    async def _close(self, code: int) -> None:
        if self._socket_open:
            self._socket_open = False
            await self.socket.close(code)

    # --- slow commands (tasks) -----------------------------------------------------------------

    async def _store_conversation_start(self) -> None:
        await self._stream_life.conversation_started(self.call_sid)

    async def _store_stream_end(self) -> None:
        await self._stream_life.stream_ended(
            self.call_sid, conversation_started=self.machine.conversation_started)

    async def _switch_to_fallback(self, reason: str) -> None:
        old = self.engine
        self._use_engine(self.deps.engines.fallback(self._dispatch, self.stream_ms))
        log_event(log, "media.degraded", logging.WARNING, call_sid=self.call_sid, reason=reason)
        if old is not None:
            self._spawn(old.aclose())

    async def _run_tool(self, call: ToolCall) -> None:
        assert self.setup is not None
        result, duration_ms = await effects.run_tool(self.deps.toolbox, self.setup.ctx, call,
                                                     call_sid=self.call_sid)
        self._note_tool(call, result, duration_ms)
        log_event(log, "media.tool", call_sid=self.call_sid, tool=call.name, ok=result.ok,
                  action=result.action)
        await self._dispatch(ToolCompleted(call, result))

    def _note_tool(self, call: ToolCall, result: ToolResult, duration_ms: int | None) -> None:
        if self.recorder is not None:
            self.recorder.tool(call, result, self._stream_ms, duration_ms)

    async def _take_message(self, reason: str) -> None:
        if self.setup is not None:
            await self.deps.messages.take(self.setup.ctx, self.machine.history, reason)

    async def _hang_up(self, reason: str) -> None:
        self.end_reason = EndReason.AGENT_HUNG_UP
        await effects.hang_up(self.deps.call_control, self.call_sid, reason)
        # Twilio sends ``stop`` after a REST hang-up; without REST (or if it never comes),
        # closing the socket ends <Connect>, and with no verb after it the call.
        await asyncio.sleep(self.deps.limits.close_after_hang_up_s)
        await self._close(1000)

    async def _transfer(self, reason: str) -> None:
        setup = self.setup
        assert setup is not None
        failed = await effects.transfer(self.deps.call_control, self.call_sid, setup.transfer_to,
                                ring_seconds=setup.ring_seconds, reason=reason)
        if failed is not None:
            await self._dispatch(TransferFailed(failed))
            return
        self.end_reason = EndReason.TRANSFERRED
        # The call now runs the <Dial>: Twilio stops this stream. Closing it ourselves later is
        # harmless, as the call no longer runs <Connect>.
        closer = self._spawn(self._close_later(self.deps.limits.close_after_transfer_s))
        self._closers.add(closer)

    async def _close_later(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
        await self._close(1000)

    # --- after the call -------------------------------------------------------------------------

    def record(self) -> CallRecord | None:
        """The call's transcript (with per-turn latency), tools and end, as recorded so far."""
        if self.recorder is None:
            return None
        return finish_record(self.recorder, self.machine.history, self._latencies_ms,
                             stages=self._stages,
                             ended_at=self.deps.clock.now(), end_reason=self.end_reason,
                             engine=self.engine.name if self.engine else None,
                             degraded=self.machine.fallback)

    async def _record(self) -> None:
        record = self.record()
        if record is None or self.deps.store_record is None:
            return
        try:
            await self.deps.store_record(record)
        except Exception as exc:  # a lost record must not hide the call's end
            log.error("media.record_failed call_sid=%s", self.call_sid, exc_info=exc)
