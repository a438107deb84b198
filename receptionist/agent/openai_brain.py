"""A brain on any OpenAI-compatible Chat Completions endpoint, with the shared tools.

One caller turn = at most ``max_rounds`` completions: the model may call tools (run through the
``ToolBox``, results appended as ``role: "tool"`` messages, every call answered), then speaks.
The last round forbids tools so a turn always ends in words. Replies stream: sentences are
handed over as they complete (``stream``) so speech can start before the model has finished.

Errors are translated at this edge: timeouts, dropped connections, 429 and 5xx become
``BrainUnavailable`` (transient: the engine degrades to the local brain); bad keys, unknown
models and rejected requests become ``BrainRejected``. Only this module imports ``openai``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any, Protocol

import openai
from openai import AsyncOpenAI

from receptionist.agent.ports import (
    BrainError,
    BrainRejected,
    BrainReply,
    BrainUnavailable,
    CallAction,
    CallContext,
    ToolBox,
    ToolCall,
    ToolResult,
    Turn,
)
from receptionist.agent.tools import fail
from receptionist.core import Settings, complete_sentences, log_event

__all__ = ["InstructionsSource", "OpenAIChatBrain", "build_client", "translate_error"]

log = logging.getLogger("receptionist.agent.openai_brain")

_FALLBACK_WORDS = "Sorry, let me get someone from the team to help with that."


class InstructionsSource(Protocol):
    async def instructions(self, ctx: CallContext) -> str: ...


def build_client(settings: Settings, *, timeout_s: float = 15.0) -> AsyncOpenAI:
    """One client per process (the voice engines share it). SDK retries are off: a caller is
    waiting, so a failure goes straight to the channel, which degrades to the local brain."""
    if settings.openai_api_key is None:
        raise ValueError("RECEPTIONIST_OPENAI_API_KEY is not set")
    return AsyncOpenAI(api_key=settings.openai_api_key.get_secret_value(),
                       base_url=settings.openai_base_url or None, timeout=timeout_s,
                       max_retries=0)


def translate_error(exc: BaseException) -> BrainError:
    """An SDK exception as our transient/permanent brain error."""
    if isinstance(exc, openai.APITimeoutError | openai.APIConnectionError | TimeoutError):
        return BrainUnavailable(f"chat model unreachable: {type(exc).__name__}")
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        if status in (408, 409, 429) or status >= 500:
            return BrainUnavailable(f"chat model answered {status}")
        return BrainRejected(f"chat model refused the request ({status}): {exc.message}")
    if isinstance(exc, openai.APIError):  # an error event inside a stream
        return BrainUnavailable(f"chat model error: {exc.message}")
    return BrainRejected(f"chat model failed: {exc!r}")


class _Sentences:
    """Splits streamed text into whole sentences, by the kernel's sentence rule."""

    def __init__(self) -> None:
        self.buffer = ""

    def feed(self, text: str) -> list[str]:
        done, self.buffer = complete_sentences(self.buffer + text)
        return done

    def flush(self) -> list[str]:
        rest, self.buffer = self.buffer.strip(), ""
        return [rest] if rest else []


class OpenAIChatBrain:
    """``Brain`` and ``StreamingBrain`` over Chat Completions with tool calling."""

    name = "openai"

    def __init__(
        self,
        client: AsyncOpenAI,
        tools: ToolBox,
        instructions: InstructionsSource,
        *,
        model: str = "gpt-4o-mini",
        max_rounds: int = 4,
        timeout_s: float = 15.0,
        temperature: float | None = 0.3,
        max_tokens: int | None = None,
        history_turns: int = 24,
        stream: bool = True,
    ) -> None:
        if max_rounds < 1:
            raise ValueError("max_rounds must be at least 1")
        self.client = client
        self.tools = tools
        self.instructions = instructions
        self.model = model
        self.max_rounds = max_rounds
        self.timeout_s = timeout_s
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.history_turns = history_turns
        self.streaming = stream

    @classmethod
    def from_settings(cls, settings: Settings, tools: ToolBox, instructions: InstructionsSource,
                      *, request_timeout_s: float = 8.0, **kwargs: Any) -> OpenAIChatBrain:
        """A brain on ``RECEPTIONIST_OPENAI_API_KEY`` / ``RECEPTIONIST_OPENAI_BASE_URL``.

        The SDK's own retries are off: a live caller is waiting, so a failure goes to the
        engine (which degrades) instead of being retried behind its back.
        """
        if settings.openai_api_key is None:
            raise BrainRejected("no OpenAI API key configured (RECEPTIONIST_OPENAI_API_KEY)")
        client = AsyncOpenAI(
            api_key=settings.openai_api_key.get_secret_value(),
            base_url=settings.openai_base_url or None,
            timeout=request_timeout_s,
            max_retries=0,
        )
        return cls(client, tools, instructions, **kwargs)

    async def aclose(self) -> None:
        await self.client.close()

    # --- Brain ------------------------------------------------------------------------------

    async def reply(self, ctx: CallContext, history: list[Turn], caller_text: str) -> BrainReply:
        async for item in self.stream(ctx, history, caller_text):
            if isinstance(item, BrainReply):
                return item
        raise BrainUnavailable("the chat model produced no reply")  # pragma: no cover

    async def stream(
        self, ctx: CallContext, history: list[Turn], caller_text: str
    ) -> AsyncIterator[str | BrainReply]:
        started = time.perf_counter()
        # One budget for the model's part of this turn; tools keep their own timeouts.
        # Applied around each await, never around a ``yield`` (the consumer's time is its own).
        deadline = asyncio.get_running_loop().time() + self.timeout_s
        spoken: list[str] = []
        done: list[tuple[ToolCall, ToolResult]] = []
        action: CallAction | None = None
        try:
            messages = await self._messages(ctx, history, caller_text)
            for round_no in range(self.max_rounds):
                last = round_no == self.max_rounds - 1 or action is not None
                calls: list[dict[str, Any]] = []
                said: list[str] = []
                async for piece in self._complete(messages, calls, deadline, allow_tools=not last):
                    said.append(piece)
                    yield piece
                spoken += said
                if not calls:
                    break
                messages.append(_assistant_message(" ".join(said), calls))
                for raw in calls:
                    call, result = await self._run_tool(ctx, raw)
                    done.append((call, result))
                    action = action or result.action
                    messages.append({"role": "tool", "tool_call_id": raw["id"],
                                     "content": json.dumps(result.to_model_json())})
                if action is not None and spoken:
                    break  # the words that go with the action were said; act now
        except (openai.OpenAIError, TimeoutError) as exc:
            error = translate_error(exc)
            log_event(log, "agent.brain.failed", logging.WARNING, call_sid=ctx.call_sid,
                      transient=error.transient, error=str(error),
                      ms=round((time.perf_counter() - started) * 1000))
            raise error from exc
        text = " ".join(spoken).strip()
        if not text and action is None:
            text = _FALLBACK_WORDS
            yield text
        log_event(log, "agent.brain.reply", call_sid=ctx.call_sid, tools=len(done),
                  action=action, ms=round((time.perf_counter() - started) * 1000))
        yield BrainReply(text=text, tool_calls=done, action=action)

    # --- one completion -------------------------------------------------------------------

    async def _messages(self, ctx: CallContext, history: list[Turn], caller_text: str
                        ) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": await self.instructions.instructions(ctx)}
        ]
        for turn in history[-self.history_turns :]:
            if not turn.text.strip():
                continue
            role = "assistant" if turn.role == "agent" else "user"
            messages.append({"role": role, "content": turn.text})
        messages.append({"role": "user", "content": caller_text})
        return messages

    def _request(self, messages: list[dict[str, Any]], allow_tools: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "tools": self.tools.schemas(),
            "tool_choice": "auto" if allow_tools else "none",
        }
        if self.temperature is not None:
            body["temperature"] = self.temperature
        if self.max_tokens is not None:
            body["max_tokens"] = self.max_tokens
        return body

    async def _complete(self, messages: list[dict[str, Any]], calls: list[dict[str, Any]],
                        deadline: float, *, allow_tools: bool) -> AsyncIterator[str]:
        """Yield the reply's sentences; fill ``calls`` with its tool calls."""
        body = self._request(messages, allow_tools)
        if not self.streaming:
            async with asyncio.timeout_at(deadline):
                response = await self.client.chat.completions.create(**body)
            message = response.choices[0].message if response.choices else None
            if message is None:
                return
            if message.content:
                for sentence in _Sentences().feed(message.content + " ") or [message.content]:
                    yield sentence
            for tc in message.tool_calls or []:
                fn = getattr(tc, "function", None)
                if fn is not None:
                    calls.append({"id": tc.id, "name": fn.name, "arguments": fn.arguments or ""})
            return
        splitter = _Sentences()
        by_index: dict[int, dict[str, Any]] = {}
        async with asyncio.timeout_at(deadline):
            stream = await self.client.chat.completions.create(**body, stream=True)
        chunks = aiter(stream)
        try:
            while True:
                try:
                    async with asyncio.timeout_at(deadline):
                        chunk = await anext(chunks)
                except StopAsyncIteration:
                    break
                for choice in chunk.choices:
                    delta = choice.delta
                    if delta.content:
                        for sentence in splitter.feed(delta.content):
                            yield sentence
                    for tc in delta.tool_calls or []:
                        entry = by_index.setdefault(
                            tc.index, {"id": None, "name": "", "arguments": ""})
                        if tc.id:
                            entry["id"] = tc.id
                        if tc.function and tc.function.name:
                            entry["name"] = tc.function.name
                        if tc.function and tc.function.arguments:
                            entry["arguments"] += tc.function.arguments
        finally:
            await stream.close()  # also when the consumer stops listening (barge-in)
        for sentence in splitter.flush():
            yield sentence
        for index in sorted(by_index):
            entry = by_index[index]
            entry["id"] = entry["id"] or f"call_{index}"
            calls.append(entry)

    async def _run_tool(self, ctx: CallContext, raw: dict[str, Any]
                        ) -> tuple[ToolCall, ToolResult]:
        try:
            arguments = json.loads(raw["arguments"] or "{}")
        except ValueError:
            call = ToolCall(call_id=raw["id"], name=raw["name"], arguments={})
            return call, fail("invalid_arguments", "Sorry, could you say that again?",
                              problems=["arguments were not valid JSON"])
        if not isinstance(arguments, dict):
            call = ToolCall(call_id=raw["id"], name=raw["name"], arguments={})
            return call, fail("invalid_arguments", "Sorry, could you say that again?",
                              problems=["arguments must be a JSON object"])
        call = ToolCall(call_id=raw["id"], name=raw["name"], arguments=arguments)
        return call, await self.tools.run(ctx, call)


def _assistant_message(text: str, calls: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": text or None,
        "tool_calls": [
            {"id": c["id"], "type": "function",
             "function": {"name": c["name"], "arguments": c["arguments"] or "{}"}}
            for c in calls
        ],
    }
