"""Chat Completions for the HTTP double: request checks, and the brain's reply as a completion or
as a stream of chunks.

The checks are the ones the real API enforces and an agent loop can get wrong: tool results that
answer no call, calls left unanswered, Realtime-style flat tools sent to Chat Completions.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .openai_http_wire import ApiError, JsonObject, new_id
from .openai_script import CallTool, Reply, ReplyPart, Say

__all__ = [
    "ChatBrain",
    "ChatTurn",
    "check_reply",
    "completion",
    "completion_chunks",
    "default_chat_brain",
    "parse_chat_request",
]

_ROLES = ("system", "developer", "user", "assistant", "tool", "function")
_TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


@dataclass(frozen=True)
class ChatTurn:
    """What the brain sees: the request's messages and tools, as sent."""

    messages: tuple[JsonObject, ...]
    tools: tuple[JsonObject, ...]
    model: str
    tool_choice: Any
    body: JsonObject

    @property
    def last_message(self) -> JsonObject:
        return self.messages[-1]

    @property
    def last_user_text(self) -> str | None:
        for message in reversed(self.messages):
            if message.get("role") == "user":
                return _text(message.get("content"))
        return None

    @property
    def tool_outputs(self) -> list[str]:
        """Contents of the trailing ``role: "tool"`` messages (the results just supplied)."""
        outputs: list[str] = []
        for message in reversed(self.messages):
            if message.get("role") != "tool":
                break
            outputs.insert(0, _text(message.get("content")))
        return outputs

    @property
    def tool_names(self) -> set[str]:
        return {tool["function"]["name"] for tool in self.tools}


ChatBrain = Callable[[ChatTurn], Reply | Awaitable[Reply]]


def default_chat_brain(turn: ChatTurn) -> Reply:
    if turn.tool_outputs:
        return Say("All done.")
    heard = turn.last_user_text
    return Say(f"You said: {heard}" if heard else "Hello, how can I help?")


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, Mapping))
    return ""


def _check_tools(tools: Any) -> tuple[JsonObject, ...]:
    if tools is None:
        return ()
    if not isinstance(tools, list):
        raise ApiError(400, "Invalid type for 'tools': expected an array.", param="tools")
    for index, tool in enumerate(tools):
        if not isinstance(tool, Mapping) or tool.get("type") != "function":
            raise ApiError(
                400,
                f"Invalid value for 'tools[{index}].type': expected 'function'.",
                param=f"tools[{index}].type",
                code="invalid_value",
            )
        function = tool.get("function")
        if not isinstance(function, Mapping):
            # The Realtime API's flat {"type", "name", ...} shape lands here.
            raise ApiError.missing(f"tools[{index}].function")
        if not _TOOL_NAME.match(str(function.get("name", ""))):
            raise ApiError(
                400,
                f"Invalid 'tools[{index}].function.name': string does not match pattern. "
                "Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.",
                param=f"tools[{index}].function.name",
                code="invalid_value",
            )
    return tuple(dict(tool) for tool in tools)


def _check_tool_sequence(messages: list[JsonObject]) -> None:
    """Every tool call is answered by a ``tool`` message before anything else, and only then."""
    pending: list[str] = []
    for index, message in enumerate(messages):
        role = message["role"]
        if role == "tool":
            if message.get("tool_call_id") not in pending:
                raise ApiError(
                    400,
                    "Invalid parameter: messages with role 'tool' must be a response to a "
                    "preceeding message with 'tool_calls'.",
                    param=f"messages.[{index}].role",
                )
            pending.remove(message["tool_call_id"])
            continue
        if pending:
            break
        if role == "assistant":
            pending = [call.get("id") for call in message.get("tool_calls") or []]
    if pending:
        raise ApiError(
            400,
            "An assistant message with 'tool_calls' must be followed by tool messages responding "
            "to each 'tool_call_id'. The following tool_call_ids did not have response messages: "
            + ", ".join(str(call_id) for call_id in pending),
            param="messages",
        )


def parse_chat_request(body: Any) -> ChatTurn:
    if not isinstance(body, Mapping):
        raise ApiError(400, "The request body must be a JSON object.")
    for required in ("model", "messages"):
        if required not in body:
            raise ApiError.missing(required)
    messages = body["messages"]
    if not isinstance(messages, list) or not messages:
        raise ApiError(
            400,
            "Invalid 'messages': empty array. Expected an array with minimum length 1.",
            param="messages",
            code="empty_array",
        )
    for index, message in enumerate(messages):
        if not isinstance(message, Mapping) or message.get("role") not in _ROLES:
            raise ApiError(
                400,
                f"Invalid value for 'messages[{index}].role'. Supported values are: "
                + ", ".join(f"'{role}'" for role in _ROLES),
                param=f"messages[{index}].role",
                code="invalid_value",
            )
    _check_tool_sequence(messages)
    return ChatTurn(
        messages=tuple(dict(message) for message in messages),
        tools=_check_tools(body.get("tools")),
        model=str(body["model"]),
        tool_choice=body.get("tool_choice"),
        body=dict(body),
    )


def check_reply(turn: ChatTurn, parts: tuple[ReplyPart, ...]) -> None:
    """A model only calls tools it was given; a scripted call to another is a test bug."""
    for part in parts:
        if isinstance(part, CallTool) and part.name not in turn.tool_names:
            raise LookupError(
                f"the brain called {part.name!r}, which the request does not declare "
                f"(declared: {sorted(turn.tool_names)})"
            )


def _tool_calls(parts: tuple[ReplyPart, ...]) -> list[JsonObject]:
    return [
        {
            "id": part.call_id or new_id("call_"),
            "type": "function",
            "function": {"name": part.name, "arguments": part.arguments_json()},
        }
        for part in parts
        if isinstance(part, CallTool)
    ]


def _usage(turn: ChatTurn, parts: tuple[ReplyPart, ...]) -> JsonObject:
    prompt = 1 + sum(len(_text(message.get("content"))) for message in turn.messages) // 4
    reply = (
        1
        + sum(len(part.text if isinstance(part, Say) else part.arguments_json()) for part in parts)
        // 4
    )
    return {"prompt_tokens": prompt, "completion_tokens": reply, "total_tokens": prompt + reply}


def _content(parts: tuple[ReplyPart, ...]) -> str | None:
    texts = [part.text for part in parts if isinstance(part, Say)]
    return " ".join(texts) if texts else None


def completion(turn: ChatTurn, parts: tuple[ReplyPart, ...]) -> JsonObject:
    calls = _tool_calls(parts)
    message: JsonObject = {
        "role": "assistant",
        "content": _content(parts),
        "refusal": None,
        "annotations": [],
    }
    if calls:
        message["tool_calls"] = calls
    return {
        "id": new_id("chatcmpl-"),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": turn.model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": "tool_calls" if calls else "stop",
            }
        ],
        "usage": _usage(turn, parts),
        "service_tier": "default",
        "system_fingerprint": "fp_double",
    }


def completion_chunks(
    turn: ChatTurn, parts: tuple[ReplyPart, ...], *, fragment_chars: int
) -> Iterator[JsonObject]:
    """The same reply as ``chat.completion.chunk`` objects, text and arguments in fragments."""
    completion_id, created = new_id("chatcmpl-"), int(time.time())
    options = turn.body.get("stream_options") or {}
    include_usage = bool(options.get("include_usage"))

    def chunk(delta: JsonObject, finish_reason: str | None = None) -> JsonObject:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        body: JsonObject = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": turn.model,
            "system_fingerprint": "fp_double",
            "choices": [choice],
        }
        if include_usage:
            body["usage"] = None
        return body

    def fragments(text: str) -> Iterator[str]:
        for start in range(0, len(text), fragment_chars):
            yield text[start : start + fragment_chars]

    content = _content(parts)
    calls = _tool_calls(parts)
    yield chunk({"role": "assistant", "content": "" if content else None, "refusal": None})
    for piece in fragments(content or ""):
        yield chunk({"content": piece})
    for index, call in enumerate(calls):
        header = {
            "index": index,
            "id": call["id"],
            "type": "function",
            "function": {"name": call["function"]["name"], "arguments": ""},
        }
        yield chunk({"tool_calls": [header]})
        for piece in fragments(call["function"]["arguments"]):
            yield chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
    yield chunk({}, "tool_calls" if calls else "stop")
    if include_usage:
        last = chunk({})
        last["choices"] = []
        last["usage"] = _usage(turn, parts)
        yield last
