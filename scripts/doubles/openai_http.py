"""A local OpenAI REST server for tests, spoken to by the real ``openai`` SDK.

    with OpenAIHttpDouble(brain=my_brain, transcripts=["Monday at ten"]) as api:
        client = AsyncOpenAI(api_key=api.api_key, base_url=api.base_url)

Serves ``POST /v1/chat/completions`` (plain and ``stream: true``), ``/v1/audio/transcriptions``,
``/v1/audio/speech`` and ``/v1/embeddings`` with Starlette under uvicorn on a background thread,
so it works the same from sync and async tests. Faults (:class:`HttpError`, :class:`HttpStall`,
:class:`CutStream`) are queued with :meth:`OpenAIHttpDouble.inject`; every request is recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import math
import socket
import threading
import time
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from . import openai_audio
from .openai_http_chat import (
    ChatBrain,
    ChatTurn,
    check_reply,
    completion,
    completion_chunks,
    default_chat_brain,
    parse_chat_request,
)
from .openai_http_media import (
    TranscriptionRequest,
    byte_chunks,
    embeddings_response,
    parse_transcription_request,
    speech_audio,
    transcription_body,
)
from .openai_http_wire import ApiError
from .openai_script import CallTool, Say, TextScript, reply_parts

__all__ = [
    "CallTool",
    "ChatTurn",
    "CutStream",
    "HttpError",
    "HttpStall",
    "OpenAIHttpDouble",
    "RecordedRequest",
    "Say",
    "TranscriptionRequest",
    "UploadedFile",
]

_SPEECH_CHUNK_BYTES = 4800  # 100 ms of 24 kHz PCM16


@dataclass(frozen=True)
class HttpError:
    """Answer the next matching request with this status (429 adds Retry-After headers)."""

    status: int = 500
    retry_after_s: float | None = None
    message: str | None = None


@dataclass(frozen=True)
class HttpStall:
    """Hold the next matching request this long before answering; a client timeout fires first."""

    seconds: float = 30.0


@dataclass(frozen=True)
class CutStream:
    """Break the connection of the next matching streamed response after ``after_chunks``."""

    after_chunks: int = 1


HttpFault = HttpError | HttpStall | CutStream


@dataclass(frozen=True)
class UploadedFile:
    filename: str
    content_type: str
    data: bytes


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    json: Any  # None unless the body was JSON
    form: dict[str, str]
    files: dict[str, UploadedFile]
    at: float  # time.perf_counter()
    status: int | None = None  # set once answered


class _StreamCutError(Exception):
    """Raised inside a streaming body so uvicorn drops the connection mid-response."""


def _error_response(error: ApiError) -> JSONResponse:
    return JSONResponse(error.body(), status_code=error.status, headers=error.headers)


def _injected_error(fault: HttpError) -> ApiError:
    if fault.status == 429:
        wait_s = fault.retry_after_s if fault.retry_after_s is not None else 1.0
        headers = {
            "retry-after": str(math.ceil(wait_s)),
            "retry-after-ms": str(round(wait_s * 1000)),
        }
        return ApiError(
            429,
            fault.message or "Rate limit reached for requests",
            error_type="requests",
            code="rate_limit_exceeded",
            headers=headers,
        )
    if fault.status >= 500:
        message = "The server had an error while processing your request. Sorry about that!"
        return ApiError(fault.status, fault.message or message, error_type="server_error")
    return ApiError(fault.status, fault.message or f"Injected {fault.status}.")


class OpenAIHttpDouble:
    """OpenAI's REST endpoints used by the cascaded pipeline, on a free loopback port.

    Scripting: ``brain`` (a :class:`ChatTurn` → :class:`Say` / :class:`CallTool` / list),
    ``transcripts`` (a list, or a callable given the :class:`TranscriptionRequest`).
    """

    def __init__(
        self,
        *,
        api_key: str = "test-key",
        brain: ChatBrain = default_chat_brain,
        transcripts: Iterable[str] | Callable[[TranscriptionRequest], str] = (),
        embedding_dimensions: int = 256,
        ms_per_char: float = openai_audio.MS_PER_CHAR,
        stream_fragment_chars: int = 8,
        stream_delay_s: float = 0.0,
    ) -> None:
        self.api_key = api_key
        self.brain = brain
        self.transcripts: TextScript[TranscriptionRequest] = TextScript(transcripts)
        self.embedding_dimensions = embedding_dimensions
        self.ms_per_char = ms_per_char
        self.stream_fragment_chars = stream_fragment_chars
        self.stream_delay_s = stream_delay_s
        self.requests: list[RecordedRequest] = []
        self.errors: list[BaseException] = []
        self._faults: list[tuple[str | None, HttpFault]] = []
        self._faults_lock = threading.Lock()
        # Set by stop() so that stalled requests end with the server instead of holding it open.
        self._wake: asyncio.Event | None = None
        self._wake_loop: asyncio.AbstractEventLoop | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None
        self._routes = {
            "/v1/chat/completions": self._chat,
            "/v1/audio/transcriptions": self._transcription,
            "/v1/audio/speech": self._speech,
            "/v1/embeddings": self._embeddings,
        }
        self.app = Starlette(
            routes=[Route(path, self._endpoint, methods=["POST"]) for path in self._routes]
        )

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the double is not running")
        return self._port

    @property
    def base_url(self) -> str:
        """Pass as ``OpenAI(base_url=…)`` / ``AsyncOpenAI(base_url=…)``."""
        return f"http://127.0.0.1:{self.port}/v1"

    def reset(
        self,
        *,
        brain: ChatBrain = default_chat_brain,
        transcripts: Iterable[str] | Callable[[TranscriptionRequest], str] = (),
    ) -> None:
        """Forget traffic, faults and script, so one running server can serve many tests."""
        self.brain = brain
        self.transcripts = TextScript(transcripts)
        self.requests.clear()
        self.errors.clear()
        with self._faults_lock:
            self._faults.clear()

    def inject(self, fault: HttpFault, *, path: str | None = None) -> None:
        """Queue a fault for the next request to ``path`` (e.g. ``/v1/chat/completions``)."""
        with self._faults_lock:
            self._faults.append((path, fault))

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return [request for request in self.requests if request.path == path]

    def _take_fault(self, path: str) -> HttpFault | None:
        with self._faults_lock:
            for index, (wanted, fault) in enumerate(self._faults):
                if wanted is None or wanted == path:
                    del self._faults[index]
                    return fault
        return None

    # --- request handling ------------------------------------------------------------------

    async def _record(self, request: Request) -> RecordedRequest:
        at = time.perf_counter()
        body = await request.body()
        payload: Any = None
        form: dict[str, str] = {}
        files: dict[str, UploadedFile] = {}
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("multipart/form-data"):
            async with request.form() as parsed:
                for key, value in parsed.multi_items():
                    if isinstance(value, UploadFile):
                        data = await value.read()
                        files[key] = UploadedFile(
                            value.filename or "", value.content_type or "", data
                        )
                    else:
                        form[key] = value
        elif body:
            try:
                payload = json.loads(body)
            except ValueError:
                payload = None
        recorded = RecordedRequest(
            request.method, request.url.path, dict(request.headers), payload, form, files, at
        )
        self.requests.append(recorded)
        return recorded

    async def _endpoint(self, request: Request) -> Response:
        recorded = await self._record(request)
        response = await self._answer(request, recorded)
        recorded.status = response.status_code
        return response

    async def _answer(self, request: Request, recorded: RecordedRequest) -> Response:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return _error_response(
                ApiError(401, "Incorrect API key provided.", code="invalid_api_key")
            )
        fault = self._take_fault(recorded.path)
        if isinstance(fault, HttpError):
            return _error_response(_injected_error(fault))
        if isinstance(fault, HttpStall):
            await self._stall(fault.seconds)
        try:
            response = await self._routes[recorded.path](recorded)
        except ApiError as error:
            return _error_response(error)
        except Exception as exc:  # the test's brain or script failed: report, never invent
            self.errors.append(exc)
            # x-should-retry stops the SDK from calling a broken script again.
            failure = ApiError(
                500,
                f"double script error: {exc!r}",
                error_type="double",
                headers={"x-should-retry": "false"},
            )
            return _error_response(failure)
        if isinstance(fault, CutStream) and isinstance(response, StreamingResponse):
            response.body_iterator = self._cut(response.body_iterator, fault.after_chunks)
        return response

    async def _stall(self, seconds: float) -> None:
        if self._wake is None:
            self._wake_loop, self._wake = asyncio.get_running_loop(), asyncio.Event()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    @staticmethod
    async def _cut(chunks: AsyncIterable[Any], after: int) -> AsyncIterator[Any]:
        sent = 0
        async for chunk in chunks:
            if sent >= after:
                raise _StreamCutError("injected stream cut")
            yield chunk
            sent += 1
        raise _StreamCutError("injected stream cut")

    async def _chat(self, recorded: RecordedRequest) -> Response:
        turn = parse_chat_request(recorded.json)
        reply = self.brain(turn)
        if inspect.isawaitable(reply):
            reply = await reply
        parts = reply_parts(reply)
        check_reply(turn, parts)
        if not turn.body.get("stream"):
            return JSONResponse(completion(turn, parts))
        chunks = list(completion_chunks(turn, parts, fragment_chars=self.stream_fragment_chars))
        return StreamingResponse(self._sse(chunks), media_type="text/event-stream")

    async def _sse(self, chunks: list[Any]) -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield f"data: {json.dumps(chunk)}\n\n".encode()
            await asyncio.sleep(self.stream_delay_s)
        yield b"data: [DONE]\n\n"

    async def _transcription(self, recorded: RecordedRequest) -> Response:
        upload = recorded.files.get("file")
        request = parse_transcription_request(
            recorded.form,
            upload.filename if upload else None,
            upload.content_type if upload else "",
            upload.data if upload else None,
        )
        text = self.transcripts.next(request)
        if request.response_format == "text":
            return PlainTextResponse(text)
        return JSONResponse(transcription_body(request, text))

    async def _speech(self, recorded: RecordedRequest) -> Response:
        audio, media_type = speech_audio(recorded.json, ms_per_char=self.ms_per_char)

        async def body() -> AsyncIterator[bytes]:
            for chunk in byte_chunks(audio, _SPEECH_CHUNK_BYTES):
                yield chunk
                await asyncio.sleep(0)

        return StreamingResponse(body(), media_type=media_type)

    async def _embeddings(self, recorded: RecordedRequest) -> Response:
        body = embeddings_response(recorded.json, default_dimensions=self.embedding_dimensions)
        return JSONResponse(body)

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted sockets inherit this; without it every keep-alive request waits ~40 ms on
        # Nagle + delayed ACK, which adds up across a test suite.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1
        )
        self._server = uvicorn.Server(config)
        self._wake = self._wake_loop = None
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [sock]},
            name="openai-http-double",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the OpenAI HTTP double failed to start")
            time.sleep(0.005)

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        if self._wake_loop is not None and self._wake is not None:
            self._wake_loop.call_soon_threadsafe(self._wake.set)
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._server = None
        self._thread = None

    def __enter__(self) -> OpenAIHttpDouble:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> OpenAIHttpDouble:
        await asyncio.to_thread(self.start)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.stop)
