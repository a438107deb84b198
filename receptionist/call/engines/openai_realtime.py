"""The ``realtime`` engine: OpenAI Realtime (GA) speech-to-speech over the ``openai`` SDK.

Audio passes through as ``audio/pcmu`` base64 both ways: Twilio's inbound payloads are appended
untouched and the model's deltas go back to Twilio untouched. The server's VAD detects turns and
interruptions; our tools are Realtime function calls whose results go back as
``function_call_output`` items. Only one response may run at a time, so requests for a new one
(speaking a fixed text, answering after tool results) wait for ``response.done``.

A dropped socket, a stalled response or a server error is reported as a recoverable
``EngineFailed``; ``reconnect`` opens a fresh session seeded with the conversation so far (also
used before the provider's session time limit). Works against any compatible endpoint through
``OPENAI_BASE_URL`` (tests use a local double speaking the GA protocol).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import deque
from typing import Any

import openai
from websockets.exceptions import ConnectionClosed, WebSocketException

from receptionist.agent import ToolCall, ToolResult, Turn
from receptionist.call.engines.base import Clock, Emit, EngineUnavailable, summarize_history
from receptionist.call.engines.metrics import BridgeMetrics
from receptionist.call.engines.realtime_wire import (
    BENIGN_ERROR_CODES,
    append_audio,
    parse_tool_call,
    realtime_tools,
    session_config,
    speak_request,
    translate,
)
from receptionist.call.events import (
    AgentAudio,
    EngineFailed,
    EngineRecovered,
    ReplyFinished,
    ReplyStarted,
    ToolRequested,
)
from receptionist.call.machine_state import Purpose
from receptionist.core import log_event

__all__ = ["RealtimeEngine"]

log = logging.getLogger("receptionist.agent.realtime")

_CONNECT_ERRORS = (openai.OpenAIError, OSError, TimeoutError, WebSocketException)
_SEND_ERRORS = (ConnectionClosed, OSError, openai.OpenAIError)


class RealtimeEngine:
    name = "realtime"

    def __init__(
        self, client: openai.AsyncOpenAI, *, emit: Emit, clock: Clock, model: str, voice: str,
        transcription_model: str, instructions: str, tool_schemas: list[dict[str, Any]],
        connect_timeout_s: float = 8.0, stall_timeout_s: float = 10.0,
        metrics: BridgeMetrics | None = None, call_sid: str = "",
        max_backlog_frames: int = 500,
    ) -> None:
        self._client = client
        self._emit = emit
        self._clock = clock
        self._model = model
        self._voice = voice
        self._transcription_model = transcription_model
        self._instructions = instructions
        self._tools = realtime_tools(tool_schemas)
        self._connect_timeout_s = connect_timeout_s
        self._stall_timeout_s = stall_timeout_s
        self._metrics = metrics
        self._call_sid = call_sid
        self._conn: Any = None
        self._audio: deque[tuple[str, float]] = deque()  # caller audio waiting for the model
        self._audio_ready = asyncio.Event()
        self._max_backlog = max_backlog_frames
        self.dropped_frames = 0
        self._changed = asyncio.Event()
        self._closed = False
        self._reset_turn_state()

    def _reset_turn_state(self) -> None:
        self._response: str | None = None  # the response running now
        self._requesting: dict[str, Any] | None = None  # sent response.create, not created yet
        self._requested_at = 0.0
        self._queue: deque[dict[str, Any]] = deque()  # response.create params waiting
        self._calls: set[str] = set()  # function calls of this session awaiting output
        self._known_calls: set[str] = set()
        self._respond_after_tools = False
        self._items: set[str] = set()  # assistant audio items of this session

    # --- connection --------------------------------------------------------------------------

    async def _open(self, instructions: str) -> Any:
        # The handshake is bounded by wait_for; pings are the SDK's defaults (websockets').
        manager = self._client.realtime.connect(
            model=self._model,
            websocket_connection_options={"max_size": 16 * 2**20, "compression": None})
        try:
            conn: Any = await asyncio.wait_for(manager.enter(), self._connect_timeout_s)
        except _CONNECT_ERRORS as exc:
            raise EngineUnavailable(f"cannot connect to the Realtime API: {exc!r}") from exc
        try:
            await conn.send({"type": "session.update", "session": session_config(
                model=self._model, voice=self._voice,
                transcription_model=self._transcription_model, instructions=instructions,
                tools=self._tools)})
        except _SEND_ERRORS as exc:
            with contextlib.suppress(*_SEND_ERRORS):
                await conn.close()
            raise EngineUnavailable("the Realtime session could not be configured") from exc
        return conn

    async def start(self) -> None:
        self._conn = await self._open(self._instructions)
        log_event(log, "realtime.connected", call_sid=self._call_sid, model=self._model)

    async def reconnect(self, history: tuple[Turn, ...]) -> None:
        old, self._conn = self._conn, None
        self._reset_turn_state()
        if old is not None:
            with contextlib.suppress(*_SEND_ERRORS):
                await old.close()
        summary = summarize_history(history)
        instructions = self._instructions
        if summary:
            instructions += ("\n\nThis phone call is already in progress; you are taking over "
                             "from where it was cut. Do not greet the caller again. The "
                             "conversation so far:\n" + summary)
        try:
            conn = await self._open(instructions)
        except EngineUnavailable as exc:
            log_event(log, "realtime.reconnect_failed", logging.WARNING,
                      call_sid=self._call_sid, error=str(exc))
            await self._emit(EngineFailed(f"reconnect failed: {exc}", recoverable=False))
            return
        if self._closed:
            with contextlib.suppress(*_SEND_ERRORS):
                await conn.close()
            return
        self._conn = conn
        self._changed.set()
        log_event(log, "realtime.reconnected", call_sid=self._call_sid, turns=len(history))
        await self._emit(EngineRecovered())

    async def aclose(self) -> None:
        self._closed = True
        conn, self._conn = self._conn, None
        self._changed.set()
        if conn is not None:
            with contextlib.suppress(*_SEND_ERRORS):
                await conn.close()

    # --- reading ------------------------------------------------------------------------------

    async def run(self) -> None:
        async with asyncio.TaskGroup() as tg:
            sender = tg.create_task(self._send_audio())
            await self._read_connections()
            sender.cancel()

    async def _read_connections(self) -> None:
        while not self._closed:
            conn = self._conn
            if conn is None:
                self._changed.clear()
                if self._conn is None and not self._closed:
                    await self._changed.wait()
                continue
            reason = await self._read(conn)
            if self._closed:
                return
            if conn is self._conn:  # not replaced by a reconnect meanwhile
                self._conn = None
                with contextlib.suppress(*_SEND_ERRORS):
                    await conn.close()
                log_event(log, "realtime.lost", logging.WARNING, call_sid=self._call_sid,
                          reason=reason)
                await self._emit(EngineFailed(reason, recoverable=True))

    def _deadline_s(self) -> float | None:
        """A response is owed: silence longer than this is a stall."""
        if self._response is not None or self._requesting is not None:
            return self._stall_timeout_s
        return None

    async def _read(self, conn: Any) -> str:
        metrics = self._metrics
        while True:
            try:
                timeout = self._deadline_s()
                if timeout is None:
                    raw = await conn.recv_bytes()
                else:
                    raw = await asyncio.wait_for(conn.recv_bytes(), timeout)
            except TimeoutError:
                return "the model stopped responding"
            except ConnectionClosed as exc:
                return f"connection closed ({exc.rcvd.code if exc.rcvd else 1006})"
            except (OSError, openai.OpenAIError) as exc:
                return f"connection failed ({type(exc).__name__})"
            started = time.perf_counter()
            try:
                event = json.loads(raw)
            except ValueError:
                continue
            if not isinstance(event, dict):
                continue
            kind = event.get("type")
            if kind == "response.output_audio.delta":  # the hot path
                audio = translate(event, 0)
                if isinstance(audio, AgentAudio) and audio.size:
                    self._items.add(audio.item_id)
                    await self._emit(audio)
                    if metrics is not None:
                        metrics.outbound(time.perf_counter() - started)
                continue
            failure = await self._on_event(kind, event)
            if failure is not None:
                return failure

    async def _on_event(self, kind: Any, event: dict[str, Any]) -> str | None:
        if kind == "response.function_call_arguments.done":
            call = parse_tool_call(event)
            self._calls.add(call.call_id)
            self._known_calls.add(call.call_id)
            await self._emit(ToolRequested(str(event.get("response_id", "")), call))
            return None
        if kind == "error":
            return await self._on_error(event.get("error") or {})
        ours = translate(event, self._clock())
        if isinstance(ours, ReplyStarted):
            self._response, self._requesting = ours.reply_id, None
        elif isinstance(ours, ReplyFinished):
            if self._response == ours.reply_id:
                self._response = None
            await self._emit(ours)
            await self._next_response()
            return None
        if ours is not None:
            await self._emit(ours)
        return None

    async def _on_error(self, error: dict[str, Any]) -> str | None:
        code = error.get("code")
        if code == "conversation_already_has_active_response" and self._requesting is not None:
            self._queue.appendleft(self._requesting)  # try again once the running one is done
            self._requesting = None
            return None
        if code in BENIGN_ERROR_CODES:
            return None
        log_event(log, "realtime.error", logging.WARNING, call_sid=self._call_sid,
                  code=code, error_type=error.get("type"), message=error.get("message"))
        if error.get("type") == "server_error":
            return f"the model reported a server error ({code})"
        return None

    # --- writing ------------------------------------------------------------------------------

    async def _send(self, event: dict[str, Any]) -> None:
        """A client event, already in wire form. ``send_raw``: the SDK's typed ``send`` spends
        ~0.4 ms transforming each dict, under the call's lock, during barge-ins."""
        conn = self._conn
        if conn is None:
            return
        try:
            await conn.send_raw(json.dumps(event))
        except _SEND_ERRORS as exc:  # the reader notices and reports the loss
            log_event(log, "realtime.send_failed", logging.DEBUG, call_sid=self._call_sid,
                      error=type(exc).__name__)

    async def send_caller_audio(self, payload: str, ulaw: bytes,
                                arrived_at: float | None = None) -> None:
        """Forward one frame. Sent at once in the common case; when the model link is
        backed up, queued for the sender task instead, so that a slow model never holds up
        reading Twilio (marks, DTMF, ``stop``). Past ``max_backlog`` frames the oldest go."""
        conn = self._conn
        if conn is None:
            return  # reconnecting: this audio is lost, the caller will be asked to repeat
        arrived = arrived_at or time.perf_counter()
        if self._audio or _backed_up(conn):
            if len(self._audio) >= self._max_backlog:
                self._audio.popleft()
                self.dropped_frames += 1
            self._audio.append((payload, arrived))
            self._audio_ready.set()
            return
        try:
            await conn.send_raw(append_audio(payload))
        except _SEND_ERRORS:
            return  # the reader notices the loss and reports it
        if self._metrics is not None:
            self._metrics.inbound(time.perf_counter() - arrived)

    async def _send_audio(self) -> None:
        metrics = self._metrics
        while True:
            await self._audio_ready.wait()
            self._audio_ready.clear()
            while self._audio:
                payload, arrived_at = self._audio.popleft()
                conn = self._conn
                if conn is None:
                    continue
                try:
                    await conn.send_raw(append_audio(payload))
                except _SEND_ERRORS:
                    continue  # the reader notices the loss and reports it
                if metrics is not None:
                    metrics.inbound(time.perf_counter() - arrived_at)

    async def _request(self, params: dict[str, Any]) -> None:
        if self._response is not None or self._requesting is not None:
            self._queue.append(params)
            return
        self._requesting = params
        self._requested_at = time.monotonic()
        await self._send({"type": "response.create", "response": params} if params
                         else {"type": "response.create"})

    async def _next_response(self) -> None:
        if self._respond_after_tools and not self._calls:
            self._respond_after_tools = False
            self._queue.append({})
        if self._queue and self._response is None and self._requesting is None:
            await self._request(self._queue.popleft())

    async def speak(self, text: str, purpose: Purpose) -> None:
        await self._request(speak_request(text, purpose))

    async def truncate(self, item_id: str, audio_end_ms: int) -> None:
        if item_id in self._items:
            await self._send({"type": "conversation.item.truncate", "item_id": item_id,
                              "content_index": 0, "audio_end_ms": max(0, int(audio_end_ms))})

    async def cancel(self, reply_id: str) -> None:
        if self._response == reply_id:
            await self._send({"type": "response.cancel", "response_id": reply_id})

    async def send_tool_result(self, call: ToolCall, result: ToolResult, respond: bool) -> None:
        output = json.dumps(result.to_model_json(), default=str)
        if call.call_id in self._known_calls:
            self._calls.discard(call.call_id)
            await self._send({"type": "conversation.item.create", "item": {
                "type": "function_call_output", "call_id": call.call_id, "output": output}})
        else:  # asked for before a reconnect: the new session never saw the call
            await self._send({"type": "conversation.item.create", "item": {
                "type": "message", "role": "system",
                "content": [{"type": "input_text",
                             "text": f"Result of {call.name}: {output}"}]}})
        if respond:
            self._respond_after_tools = True
            await self._next_response()


def _backed_up(conn: Any) -> bool:
    """The model link's write buffer is past its high-water mark, so a send would wait for the
    model to read. websockets keeps that as ``paused`` on the SDK's inner connection; read it
    defensively (an SDK without it just means "not known to be backed up")."""
    return bool(getattr(getattr(conn, "_connection", None), "paused", False))
