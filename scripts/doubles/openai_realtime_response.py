"""One Realtime *response*: from the scripted brain's reply to GA server events.

A response runs as its own task while the connection keeps reading client events, so the client
can cancel it, truncate it or barge in over it just as with the real server. Cancellation is
cooperative (checked between chunks) so that no event is ever half-written to the socket.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import inspect
import math
import re
import zlib
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from . import openai_audio
from .openai_realtime_script import (
    DropConnection,
    FailResponse,
    RealtimeScript,
    RealtimeTurn,
    ResponseFault,
    Stall,
)
from .openai_realtime_wire import JsonObject, new_id
from .openai_script import CallTool, Reply, Say, reply_parts

__all__ = ["ClientGoneError", "Conversation", "Drop", "Emit", "ResponseRun"]

Emit = Callable[[JsonObject], Awaitable[None]]
Drop = Callable[[int, bool], Awaitable[None]]


class ClientGoneError(Exception):
    """The socket closed under a running response; the response just stops."""


class Conversation:
    """The default conversation: items in order, plus how much audio each assistant item has."""

    def __init__(self) -> None:
        self.id = new_id("conv")
        self.items: list[JsonObject] = []
        self.audio_ms: dict[str, float] = {}

    def last_id(self) -> str | None:
        return self.items[-1]["id"] if self.items else None

    def find(self, item_id: str) -> JsonObject | None:
        return next((item for item in self.items if item["id"] == item_id), None)

    def append(self, item: JsonObject) -> str | None:
        previous = self.last_id()
        self.items.append(copy.deepcopy(item))
        return previous

    def insert_after(self, item: JsonObject, previous_item_id: str | None) -> None:
        """``None`` inserts at the start (the protocol's ``"root"``)."""
        index = 0
        if previous_item_id is not None:
            index = next(i for i, it in enumerate(self.items) if it["id"] == previous_item_id) + 1
        self.items.insert(index, copy.deepcopy(item))

    def replace(self, item: JsonObject) -> None:
        for index, existing in enumerate(self.items):
            if existing["id"] == item["id"]:
                self.items[index] = copy.deepcopy(item)

    def previous_id(self, item_id: str) -> str | None:
        ids = [item["id"] for item in self.items]
        position = ids.index(item_id)
        return ids[position - 1] if position else None

    def call_ids(self) -> set[str]:
        return {item["call_id"] for item in self.items if item.get("type") == "function_call"}


def _tool_names(tools: Any) -> set[str]:
    return {tool.get("name", "") for tool in tools or () if isinstance(tool, Mapping)}


class ResponseRun:
    """Generates one response. The session starts :meth:`run` as a task and may :meth:`cancel`."""

    def __init__(
        self,
        *,
        params: JsonObject,
        session: JsonObject,
        conversation: Conversation,
        script: RealtimeScript,
        fault: ResponseFault | None,
        emit: Emit,
        drop: Drop,
    ) -> None:
        self.id = new_id("resp")
        self.cancel_reason: str | None = None
        self.finished = False  # set before response.done goes out, so a reply to it never races
        self.produced_audio = False
        self._params = params
        self._session = session
        self._conversation = conversation
        self._script = script
        self._fault = fault
        self._emit = emit
        self._drop = drop
        self._wake = asyncio.Event()
        self._audio_chunks_sent = 0
        self._in_conversation = params.get("conversation", "auto") != "none"
        self._modalities = params.get("output_modalities") or session["output_modalities"]
        self._tools: list[JsonObject] = list(
            params["tools"] if "tools" in params else session["tools"]
        )
        self._output_audio = copy.deepcopy(session["audio"]["output"])
        self._output_audio.update(params.get("audio", {}).get("output", {}))

    def cancel(self, reason: str) -> None:
        if self.cancel_reason is None and not self.finished:
            self.cancel_reason = reason
            self._wake.set()

    async def run(self) -> None:
        try:
            await self._emit(
                {"type": "response.created", "response": self._describe("in_progress")}
            )
            if isinstance(self._fault, FailResponse):
                error = {
                    "type": "server_error",
                    "code": self._fault.code,
                    "message": self._fault.message,
                }
                await self._finish("failed", [], {"type": "failed", "error": error})
                return
            try:
                parts = reply_parts(await self._ask_brain())
            except Exception as exc:  # a broken script must fail the test, not hang it
                self._script.errors.append(exc)
                error = {"type": "server_error", "code": "double_brain_error", "message": repr(exc)}
                await self._finish("failed", [], {"type": "failed", "error": error})
                return
            outputs: list[JsonObject] = []
            for output_index, part in enumerate(parts):
                await self._checkpoint()
                if self.cancel_reason is not None:
                    break
                if isinstance(part, Say):
                    outputs.append(await self._say(output_index, part.text))
                else:
                    outputs.append(await self._call(output_index, part))
            if self.cancel_reason is not None:
                details = {"type": "cancelled", "reason": self.cancel_reason}
                await self._finish("cancelled", outputs, details)
            else:
                await self._finish("completed", outputs, None)
        except ClientGoneError:
            self.finished = True

    async def _ask_brain(self) -> Reply:
        items = self._params["input"] if "input" in self._params else self._conversation.items
        turn = RealtimeTurn(
            items=tuple(copy.deepcopy(items)),
            instructions=str(self._params.get("instructions", self._session["instructions"])),
            tools=tuple(copy.deepcopy(self._tools)),
            response=copy.deepcopy(self._params),
        )
        reply = self._script.brain(turn)
        if inspect.isawaitable(reply):
            reply = await reply
        for part in reply_parts(reply):
            if isinstance(part, CallTool) and part.name not in _tool_names(self._tools):
                # Usually the app forgot to declare the tool in session.update.
                raise LookupError(
                    f"the brain called {part.name!r}, which the session does not declare "
                    f"(declared: {sorted(_tool_names(self._tools))})"
                )
        return reply

    def _describe(
        self,
        status: str,
        output: list[JsonObject] | None = None,
        details: JsonObject | None = None,
        usage: JsonObject | None = None,
    ) -> JsonObject:
        return {
            "object": "realtime.response",
            "id": self.id,
            "status": status,
            "status_details": details,
            "output": output or [],
            "conversation_id": self._conversation.id if self._in_conversation else None,
            "output_modalities": self._modalities,
            "max_output_tokens": self._params.get(
                "max_output_tokens", self._session["max_output_tokens"]
            ),
            "audio": {"output": self._output_audio},
            "usage": usage,
            "metadata": self._params.get("metadata"),
        }

    async def _finish(
        self, status: str, outputs: list[JsonObject], details: JsonObject | None
    ) -> None:
        text_tokens = sum(len(str(item)) for item in outputs) // 4
        audio_tokens = sum(
            int(self._conversation.audio_ms.get(item["id"], 0) // 50) for item in outputs
        )
        usage = {
            "total_tokens": 100 + text_tokens + audio_tokens,
            "input_tokens": 100,
            "output_tokens": text_tokens + audio_tokens,
            "input_token_details": {"cached_tokens": 0, "text_tokens": 100, "audio_tokens": 0},
            "output_token_details": {"text_tokens": text_tokens, "audio_tokens": audio_tokens},
        }
        self.finished = True
        await self._emit(
            {"type": "response.done", "response": self._describe(status, outputs, details, usage)}
        )

    async def _checkpoint(self) -> None:
        """Where injected faults fire: before each output item and each audio chunk."""
        fault = self._fault
        if not isinstance(fault, DropConnection | Stall):
            return
        if self._audio_chunks_sent < fault.after_audio_chunks:
            return
        self._fault = None
        if isinstance(fault, DropConnection):
            await self._drop(fault.code, fault.abort)
            raise ClientGoneError
        await self._pause(fault.seconds)

    async def _pause(self, seconds: float | None) -> None:
        """Sleep, but wake at once if the response is cancelled."""
        try:
            await asyncio.wait_for(self._wake.wait(), seconds)
        except TimeoutError:
            pass

    async def _add_item(self, output_index: int, item: JsonObject) -> None:
        base = {"response_id": self.id, "output_index": output_index}
        await self._emit({"type": "response.output_item.added", **base, "item": item})
        if self._in_conversation:
            previous = self._conversation.append(item)
            await self._emit(
                {"type": "conversation.item.added", "previous_item_id": previous, "item": item}
            )

    async def _finish_item(self, output_index: int, item: JsonObject) -> None:
        base = {"response_id": self.id, "output_index": output_index}
        await self._emit({"type": "response.output_item.done", **base, "item": item})
        if self._in_conversation:
            self._conversation.replace(item)
            previous = self._conversation.previous_id(item["id"])
            await self._emit(
                {"type": "conversation.item.done", "previous_item_id": previous, "item": item}
            )

    async def _say(self, output_index: int, text: str) -> JsonObject:
        item_id = new_id("item")
        item = {
            "id": item_id,
            "object": "realtime.item",
            "type": "message",
            "role": "assistant",
            "status": "in_progress",
            "content": [],
        }
        await self._add_item(output_index, item)
        audio = "audio" in self._modalities
        part_type, key = ("audio", "transcript") if audio else ("text", "text")
        base = {
            "response_id": self.id,
            "item_id": item_id,
            "output_index": output_index,
            "content_index": 0,
        }
        await self._emit(
            {"type": "response.content_part.added", **base, "part": {"type": part_type, key: ""}}
        )
        if audio:
            said = await self._stream_audio(base, text)
            await self._emit({"type": "response.output_audio.done", **base})
            await self._emit(
                {"type": "response.output_audio_transcript.done", **base, "transcript": said}
            )
        else:
            said = await self._stream_text(base, text)
            await self._emit({"type": "response.output_text.done", **base, "text": said})
        await self._emit(
            {"type": "response.content_part.done", **base, "part": {"type": part_type, key: said}}
        )
        content_type = "output_audio" if audio else "output_text"
        done = {
            **item,
            "status": "incomplete" if self.cancel_reason else "completed",
            "content": [{"type": content_type, key: said}],
        }
        await self._finish_item(output_index, done)
        return done

    async def _stream_text(self, base: JsonObject, text: str) -> str:
        said = ""
        for word in re.findall(r"\S+\s*", text) or [text]:
            await self._checkpoint()
            if self.cancel_reason is not None:
                break
            await self._emit({"type": "response.output_text.delta", **base, "delta": word})
            said += word
        return said

    async def _stream_audio(self, base: JsonObject, text: str) -> str:
        """Audio deltas in fixed-length chunks, with the transcript released in step."""
        audio_format = self._output_audio["format"]["type"]
        per_ms = openai_audio.bytes_per_ms(audio_format)
        duration_ms = openai_audio.spoken_duration_ms(
            text,
            speed=float(self._output_audio.get("speed", 1.0)),
            ms_per_char=self._script.ms_per_char,
        )
        audio = openai_audio.speech_like(duration_ms, audio_format, seed=zlib.crc32(text.encode()))
        step = self._script.audio_chunk_ms * per_ms
        chunks = [audio[i : i + step] for i in range(0, len(audio), step)]
        words = re.findall(r"\S+\s*", text) or [text]
        item_id = base["item_id"]
        self._conversation.audio_ms[item_id] = 0.0
        said, words_sent = "", 0
        loop = asyncio.get_running_loop()
        started = loop.time()
        for index, chunk in enumerate(chunks):
            await self._checkpoint()
            if self.cancel_reason is not None:
                break
            due = math.ceil(len(words) * (index + 1) / len(chunks))
            for word in words[words_sent:due]:
                await self._emit(
                    {"type": "response.output_audio_transcript.delta", **base, "delta": word}
                )
                said += word
            words_sent = max(words_sent, due)
            delta = base64.b64encode(chunk).decode("ascii")
            await self._emit({"type": "response.output_audio.delta", **base, "delta": delta})
            self.produced_audio = True
            self._audio_chunks_sent += 1
            self._conversation.audio_ms[item_id] += len(chunk) / per_ms
            await self._pace(started, (index + 1) * self._script.audio_chunk_ms)
        return said

    async def _pace(self, started: float, audio_sent_ms: float) -> None:
        speed = self._script.audio_speed
        if speed is None:
            await asyncio.sleep(0)  # still let client events (cancel, truncate) in between chunks
            return
        due = started + audio_sent_ms / 1000 / speed
        delay = due - asyncio.get_running_loop().time()
        if delay > 0:
            await self._pause(delay)

    async def _call(self, output_index: int, call: CallTool) -> JsonObject:
        item_id = new_id("item")
        call_id = call.call_id or new_id("call")
        arguments = call.arguments_json()
        item = {
            "id": item_id,
            "object": "realtime.item",
            "type": "function_call",
            "status": "in_progress",
            "name": call.name,
            "call_id": call_id,
            "arguments": "",
        }
        await self._add_item(output_index, item)
        base = {
            "response_id": self.id,
            "item_id": item_id,
            "output_index": output_index,
            "call_id": call_id,
        }
        for start in range(0, len(arguments), 16):
            delta = arguments[start : start + 16]
            await self._emit(
                {"type": "response.function_call_arguments.delta", **base, "delta": delta}
            )
        await self._emit(
            {
                "type": "response.function_call_arguments.done",
                **base,
                "name": call.name,
                "arguments": arguments,
            }
        )
        done = {**item, "status": "completed", "arguments": arguments}
        await self._finish_item(output_index, done)
        return done
