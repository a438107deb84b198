"""A local OpenAI Realtime (GA) server for tests, spoken to by the real ``openai`` SDK.

    async with OpenAIRealtimeDouble(brain=my_brain, transcripts=["I'd like a booking"]) as rt:
        client = AsyncOpenAI(api_key=rt.api_key, base_url=rt.base_url)
        async with client.realtime.connect(model="gpt-realtime") as conn: ...

The SDK turns ``base_url`` ``http://127.0.0.1:PORT/v1`` into
``ws://127.0.0.1:PORT/v1/realtime?model=…`` and connects with ``websockets``; this server answers
on exactly that path. ``async with`` runs it on the test's event loop; ``with`` runs it on a
thread with its own loop, for sync tests or for code that blocks its loop.

What the model "hears" is scripted (``transcripts``) and what it "says" comes from ``brain``; the
double produces the GA events around them. Every client event is recorded with a
``time.perf_counter()`` timestamp; see :class:`ReceivedEvent`.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from . import openai_audio
from .openai_realtime_records import (
    RealtimeConnectionRecord,
    ReceivedEvent,
    SentEvent,
    Truncation,
)
from .openai_realtime_response import ClientGoneError
from .openai_realtime_script import (
    DropConnection,
    FailResponse,
    RealtimeBrain,
    RealtimeScript,
    RealtimeTurn,
    RejectHandshake,
    ResponseFault,
    SendError,
    Stall,
    default_brain,
)
from .openai_realtime_session import RealtimeSession
from .openai_realtime_wire import JsonObject, new_id
from .openai_script import CallTool, Say, TextScript

__all__ = [
    "CallTool",
    "DropConnection",
    "FailResponse",
    "OpenAIRealtimeDouble",
    "RealtimeConnectionRecord",
    "RealtimeTurn",
    "ReceivedEvent",
    "RejectHandshake",
    "Say",
    "SendError",
    "SentEvent",
    "Stall",
    "Truncation",
]

_PATH = "/v1/realtime"
_POLL_S = 0.005


def _json_response(connection: ServerConnection, status: int, body: JsonObject) -> Response:
    response = connection.respond(status, json.dumps(body))
    del response.headers["Content-Type"]
    response.headers["Content-Type"] = "application/json"
    return response


class OpenAIRealtimeDouble:
    """The Realtime GA WebSocket API on a free loopback port.

    Scripting: ``brain`` (conversation → :class:`Say` / :class:`CallTool` / list of them),
    ``transcripts`` (what the caller said, one per committed turn: a list or a callable given the
    turn's audio bytes), :meth:`inject` for faults. Pacing: audio deltas of ``audio_chunk_ms``,
    sent as fast as possible or at ``audio_speed`` × real time.
    """

    def __init__(
        self,
        *,
        api_key: str = "test-key",
        brain: RealtimeBrain = default_brain,
        transcripts: Iterable[str] | Callable[[bytes], str] = (),
        audio_chunk_ms: int = 20,
        audio_speed: float | None = None,
        ms_per_char: float = openai_audio.MS_PER_CHAR,
    ) -> None:
        self.api_key = api_key
        self.script = RealtimeScript(
            brain=brain,
            transcripts=TextScript(transcripts),
            audio_chunk_ms=audio_chunk_ms,
            audio_speed=audio_speed,
            ms_per_char=ms_per_char,
        )
        self.connections: list[RealtimeConnectionRecord] = []
        self.received: list[ReceivedEvent] = []
        self.sent: list[SentEvent] = []
        self.truncations: list[Truncation] = []
        self._handshake_faults: list[RejectHandshake] = []
        self._accepted: dict[ServerConnection, RealtimeConnectionRecord] = {}
        self._server: Server | None = None
        self._port: int | None = None
        self._thread: threading.Thread | None = None
        self._thread_loop: asyncio.AbstractEventLoop | None = None
        self._thread_stop: asyncio.Event | None = None

    # --- addresses and scripting -----------------------------------------------------------

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the double is not running")
        return self._port

    @property
    def base_url(self) -> str:
        """Pass as ``AsyncOpenAI(base_url=…)``."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}{_PATH}"

    @property
    def brain(self) -> RealtimeBrain:
        return self.script.brain

    @brain.setter
    def brain(self, brain: RealtimeBrain) -> None:
        self.script.brain = brain

    @property
    def transcripts(self) -> TextScript[bytes]:
        return self.script.transcripts

    @property
    def errors(self) -> list[BaseException]:
        """Script problems (brain raised, transcripts ran out): a passing test has none."""
        return self.script.errors

    def reset(
        self,
        *,
        brain: RealtimeBrain = default_brain,
        transcripts: Iterable[str] | Callable[[bytes], str] = (),
    ) -> None:
        """Forget traffic, faults and script, so one running server can serve many tests."""
        self.script.brain = brain
        self.script.transcripts = TextScript(transcripts)
        self.script.faults.clear()
        self.script.errors.clear()
        self._handshake_faults.clear()
        for records in (self.connections, self.received, self.sent, self.truncations):
            records.clear()

    def inject(self, fault: ResponseFault | RejectHandshake) -> None:
        """Queue a fault for the next response (or, for :class:`RejectHandshake`, connection)."""
        if isinstance(fault, RejectHandshake):
            self._handshake_faults.append(fault)
        else:
            self.script.faults.append(fault)

    # --- recorded traffic ------------------------------------------------------------------

    def received_of(self, event_type: str) -> list[ReceivedEvent]:
        return [event for event in self.received if event.type == event_type]

    def sent_of(self, event_type: str) -> list[SentEvent]:
        return [event for event in self.sent if event.type == event_type]

    async def wait_for_received(
        self, event_type: str, *, count: int = 1, timeout_s: float = 2.0
    ) -> list[ReceivedEvent]:
        """Wait until the server has received ``count`` client events of this type."""
        deadline = time.monotonic() + timeout_s
        while len(found := self.received_of(event_type)) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(found)} of {count} {event_type!r} received")
            await asyncio.sleep(_POLL_S)
        return found

    def wait_for_received_sync(
        self, event_type: str, *, count: int = 1, timeout_s: float = 2.0
    ) -> list[ReceivedEvent]:
        """As :meth:`wait_for_received`, for sync tests using the threaded server."""
        deadline = time.monotonic() + timeout_s
        while len(found := self.received_of(event_type)) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(found)} of {count} {event_type!r} received")
            time.sleep(_POLL_S)
        return found

    # --- server ----------------------------------------------------------------------------

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        url = urlsplit(request.path)
        query = parse_qs(url.query)
        record = RealtimeConnectionRecord(
            id=len(self.connections),
            path=request.path,
            model=query.get("model", [""])[0],
            headers={key.lower(): value for key, value in request.headers.raw_items()},
            status=101,
            opened_at=time.perf_counter(),
        )
        self.connections.append(record)
        response = self._refusal(connection, request, url.path, query)
        if response is not None:
            record.status = response.status_code
            return response
        self._accepted[connection] = record
        return None

    def _refusal(
        self,
        connection: ServerConnection,
        request: Request,
        path: str,
        query: dict[str, list[str]],
    ) -> Response | None:
        def error(status: int, message: str, code: str | None) -> Response:
            body = {
                "error": {
                    "message": message,
                    "type": "invalid_request_error",
                    "param": None,
                    "code": code,
                }
            }
            return _json_response(connection, status, body)

        if path != _PATH:
            return error(404, f"Invalid URL (GET {path})", None)
        if request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return error(401, "Incorrect API key provided.", "invalid_api_key")
        if "realtime=v1" in request.headers.get("OpenAI-Beta", ""):
            # That header selects the beta protocol, whose event names differ from GA.
            return error(400, "This double speaks only the Realtime GA protocol.", None)
        if "model" not in query and "call_id" not in query:
            return error(400, "Missing required parameter: 'model'.", "missing_required_parameter")
        if self._handshake_faults:
            fault = self._handshake_faults.pop(0)
            return error(fault.status, f"Injected handshake failure ({fault.status}).", None)
        return None

    async def _handle(self, connection: ServerConnection) -> None:
        record = self._accepted.pop(connection)
        send_lock = asyncio.Lock()

        async def emit(event: JsonObject) -> None:
            wire = {"type": event["type"], "event_id": new_id("event"), **event}
            # One lock so the recorded order is the order on the wire.
            async with send_lock:
                self.sent.append(SentEvent(record.id, wire["type"], wire, time.perf_counter()))
                try:
                    await connection.send(json.dumps(wire))
                except ConnectionClosed as exc:
                    raise ClientGoneError from exc

        async def drop(code: int, abort: bool) -> None:
            if abort:
                connection.transport.abort()
            else:
                await connection.close(code=code, reason="injected failure")

        def on_truncate(item_id: str, content_index: int, audio_end_ms: int) -> None:
            self.truncations.append(
                Truncation(record.id, item_id, content_index, audio_end_ms, time.perf_counter())
            )

        session = RealtimeSession(
            model=record.model, script=self.script, emit=emit, drop=drop, on_truncate=on_truncate
        )
        record.session = session
        try:
            await session.open()
            async for message in connection:
                at = time.perf_counter()
                try:
                    event: Any = json.loads(message)
                except ValueError:
                    event = message
                event_type = event.get("type", "") if isinstance(event, dict) else ""
                self.received.append(ReceivedEvent(record.id, str(event_type), event, at))
                await session.handle(event)
        except (ConnectionClosed, ClientGoneError):
            pass
        except Exception as exc:  # a bug in the double: keep it for the test, then let it log
            self.script.errors.append(exc)
            raise
        finally:
            await session.close()
            record.closed_at = time.perf_counter()
            record.close_code = connection.close_code

    async def start_async(self) -> None:
        self._server = await serve(
            self._handle,
            "127.0.0.1",
            0,
            process_request=self._process_request,
            max_size=16 * 2**20,  # the API accepts appends of up to 15 MiB
            compression=None,
        )
        self._port = next(iter(self._server.sockets)).getsockname()[1]

    async def stop_async(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> OpenAIRealtimeDouble:
        await self.start_async()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop_async()

    # --- threaded mode ---------------------------------------------------------------------

    def start(self) -> None:
        """Run the server on a background thread with its own event loop."""
        ready = threading.Event()
        failure: list[BaseException] = []

        async def main() -> None:
            self._thread_loop = asyncio.get_running_loop()
            self._thread_stop = asyncio.Event()
            try:
                await self.start_async()
            except BaseException as exc:
                failure.append(exc)
                raise
            finally:
                ready.set()
            await self._thread_stop.wait()
            await self.stop_async()

        self._thread = threading.Thread(
            target=asyncio.run, args=(main(),), name="openai-realtime-double", daemon=True
        )
        self._thread.start()
        ready.wait(timeout=10)
        if failure:
            raise RuntimeError("the Realtime double failed to start") from failure[0]

    def stop(self) -> None:
        if self._thread is None or self._thread_loop is None or self._thread_stop is None:
            return
        self._thread_loop.call_soon_threadsafe(self._thread_stop.set)
        self._thread.join(timeout=10)
        self._thread = None

    def __enter__(self) -> OpenAIRealtimeDouble:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
