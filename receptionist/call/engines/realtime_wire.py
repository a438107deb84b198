"""OpenAI Realtime (GA) wire format <-> our call events. Pure functions over JSON dicts.

The engine reads raw server events (``recv_bytes`` + ``json.loads``: the audio deltas are the hot
path and need no model objects) and translates them here; client events are built here too.
Names follow the GA protocol (``response.output_audio.delta``, ``audio.input.format``), with
``audio/pcmu`` both ways so Twilio's μ-law passes through untouched.
"""

from __future__ import annotations

import json
from typing import Any

from receptionist.agent import ToolCall
from receptionist.call.events import (
    AgentAudio,
    AgentSaid,
    CallerSaid,
    CallerStartedSpeaking,
    CallerStoppedSpeaking,
    Event,
    ReplyFinished,
    ReplyStarted,
)
from receptionist.call.machine_state import Purpose

__all__ = [
    "BENIGN_ERROR_CODES",
    "append_audio",
    "b64_size",
    "parse_tool_call",
    "realtime_tools",
    "session_config",
    "speak_request",
    "translate",
]

# Errors that only mean "nothing to do": cancelling a finished response, truncating an item
# that is already shorter, a second response while one is running (we queue instead).
BENIGN_ERROR_CODES = frozenset({
    "response_cancel_not_active",
    "conversation_already_has_active_response",
    "item_truncate_invalid_item_id",
})


def session_config(*, model: str, voice: str, transcription_model: str, instructions: str,
                   tools: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``session.update`` body: μ-law in and out, server VAD that answers and can be
    interrupted, caller transcription, and our tools."""
    return {
        "type": "realtime",
        "model": model,
        "output_modalities": ["audio"],
        "instructions": instructions,
        "audio": {
            "input": {
                "format": {"type": "audio/pcmu"},
                "transcription": {"model": transcription_model, "language": "en"},
                "noise_reduction": {"type": "near_field"},
                "turn_detection": {
                    "type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300,
                    "silence_duration_ms": 500, "create_response": True,
                    "interrupt_response": True,
                },
            },
            "output": {"format": {"type": "audio/pcmu"}, "voice": voice},
        },
        "tools": tools,
        "tool_choice": "auto" if tools else "none",
    }


def realtime_tools(chat_schemas: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Chat Completions tool schemas (``{"type", "function": {...}}``) in Realtime's flat form."""
    tools = []
    for schema in chat_schemas:
        function = schema.get("function", schema)
        tools.append({
            "type": "function",
            "name": function["name"],
            "description": function.get("description", ""),
            "parameters": function.get("parameters", {"type": "object", "properties": {}}),
        })
    return tools


def append_audio(payload: str) -> str:
    """``input_audio_buffer.append`` as a ready JSON string (base64 needs no escaping)."""
    return '{"type":"input_audio_buffer.append","audio":"' + payload + '"}'


def speak_request(text: str, purpose: Purpose) -> dict[str, Any]:
    """``response.create`` parameters that make the model say exactly ``text``."""
    return {
        "instructions": ("Say exactly the following words, naturally and warmly, and nothing "
                         f"else: {json.dumps(text)}"),
        "metadata": {"purpose": purpose},
        "tool_choice": "none",
    }


def b64_size(payload: str) -> int:
    """Decoded length of a base64 string, without decoding it."""
    n = len(payload)
    if n == 0:
        return 0
    padding = 2 if payload.endswith("==") else 1 if payload.endswith("=") else 0
    return n * 3 // 4 - padding


def parse_tool_call(event: dict[str, Any]) -> ToolCall:
    """A ``response.function_call_arguments.done`` event as a ``ToolCall``. Arguments that are
    not a JSON object arrive empty (with the raw text kept) for the tool to reject."""
    raw = event.get("arguments") or "{}"
    try:
        arguments = json.loads(raw)
    except ValueError:
        arguments = None
    if not isinstance(arguments, dict):
        arguments = {"_unparsed_arguments": str(raw)[:500]}
    return ToolCall(str(event.get("call_id") or event.get("item_id") or ""),
                    str(event.get("name") or ""), arguments)


def translate(event: dict[str, Any], now_ms: int) -> Event | None:
    """Our event for a Realtime server event, or None when it needs none.

    Function calls, errors and ``response.done`` failures are left to the engine, which keeps
    the state they depend on.
    """
    kind = event.get("type")
    if kind == "response.output_audio.delta":
        payload = event.get("delta") or ""
        return AgentAudio(str(event.get("response_id", "")), str(event.get("item_id", "")),
                          payload, b64_size(payload))
    if kind == "input_audio_buffer.speech_started":
        return CallerStartedSpeaking(now_ms)
    if kind == "input_audio_buffer.speech_stopped":
        return CallerStoppedSpeaking(now_ms)
    if kind == "conversation.item.input_audio_transcription.completed":
        return CallerSaid(str(event.get("transcript") or ""), now_ms)
    if kind == "response.output_audio_transcript.done":
        return AgentSaid(str(event.get("response_id", "")), str(event.get("item_id", "")),
                         str(event.get("transcript") or ""), now_ms)
    if kind == "response.created":
        response = event.get("response") or {}
        metadata = response.get("metadata") or {}
        purpose = Purpose.of(metadata.get("purpose")) if isinstance(metadata, dict) else None
        return ReplyStarted(str(response.get("id", "")), purpose)
    if kind == "response.done":
        response = event.get("response") or {}
        return ReplyFinished(str(response.get("id", "")), str(response.get("status")
                                                              or "completed"))
    return None
