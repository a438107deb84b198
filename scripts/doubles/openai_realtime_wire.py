"""Realtime GA wire shapes for the double: session config, its validation, ids and errors.

Validation is deliberately strict about the mistakes that are easy to make when moving from the
beta protocol (``input_audio_format``, top-level ``voice``, nested Chat-style ``tools``): the
real GA server rejects unknown parameters with an ``error`` event, and so does the double.
"""

from __future__ import annotations

import copy
import time
import uuid
from collections.abc import Mapping
from typing import Any

__all__ = [
    "RealtimeRequestError",
    "apply_session_update",
    "default_session",
    "error_event",
    "new_id",
]

JsonObject = dict[str, Any]

_SESSION_KEYS = frozenset(
    {
        "type",
        "model",
        "audio",
        "include",
        "instructions",
        "max_output_tokens",
        "output_modalities",
        "parallel_tool_calls",
        "prompt",
        "reasoning",
        "tool_choice",
        "tools",
        "tracing",
        "truncation",
    }
)
_AUDIO_KEYS = frozenset({"input", "output"})
_INPUT_KEYS = frozenset({"format", "noise_reduction", "transcription", "turn_detection"})
_OUTPUT_KEYS = frozenset({"format", "speed", "voice"})
_FORMATS = frozenset({"audio/pcm", "audio/pcmu", "audio/pcma"})
_TOOL_KEYS = frozenset({"type", "name", "description", "parameters"})

_TURN_DETECTION_DEFAULTS: dict[str, JsonObject] = {
    "server_vad": {
        "type": "server_vad",
        "threshold": 0.5,
        "prefix_padding_ms": 300,
        "silence_duration_ms": 500,
        "idle_timeout_ms": None,
        "create_response": True,
        "interrupt_response": True,
    },
    "semantic_vad": {
        "type": "semantic_vad",
        "eagerness": "auto",
        "create_response": True,
        "interrupt_response": True,
    },
}


class RealtimeRequestError(Exception):
    """A client event the server refuses; becomes an ``error`` event, the session stays open."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None,
        param: str | None = None,
        error_type: str = "invalid_request_error",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.param = param
        self.error_type = error_type


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:21]}"


def error_event(error: RealtimeRequestError, client_event_id: str | None) -> JsonObject:
    return {
        "type": "error",
        "error": {
            "type": error.error_type,
            "code": error.code,
            "message": error.message,
            "param": error.param,
            "event_id": client_event_id,
        },
    }


def default_session(model: str) -> JsonObject:
    """The session a fresh connection starts with, as ``session.created`` reports it."""
    return {
        "type": "realtime",
        "object": "realtime.session",
        "id": new_id("sess"),
        "model": model,
        "output_modalities": ["audio"],
        "instructions": "",
        "tools": [],
        "tool_choice": "auto",
        "max_output_tokens": "inf",
        "tracing": None,
        "truncation": "auto",
        "prompt": None,
        "include": None,
        "expires_at": int(time.time()) + 3600,
        "audio": {
            "input": {
                "format": {"type": "audio/pcm", "rate": 24000},
                "transcription": None,
                "noise_reduction": None,
                "turn_detection": copy.deepcopy(_TURN_DETECTION_DEFAULTS["server_vad"]),
            },
            "output": {
                "format": {"type": "audio/pcm", "rate": 24000},
                "voice": "alloy",
                "speed": 1.0,
            },
        },
    }


def _check_keys(given: Mapping[str, Any], allowed: frozenset[str], path: str) -> None:
    for key in given:
        if key not in allowed:
            raise RealtimeRequestError(
                f"Unknown parameter: '{path}.{key}'.",
                code="unknown_parameter",
                param=f"{path}.{key}",
            )


def _object(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise RealtimeRequestError(
            f"Invalid type for '{path}': expected an object.", code="invalid_type", param=path
        )
    return value


def _audio_format(value: Any, path: str) -> JsonObject:
    fmt = _object(value, path)
    if fmt.get("type") not in _FORMATS:
        raise RealtimeRequestError(
            f"Invalid value: '{fmt.get('type')}'. Supported values are: "
            "'audio/pcm', 'audio/pcmu', and 'audio/pcma'.",
            code="invalid_value",
            param=f"{path}.type",
        )
    if fmt["type"] == "audio/pcm":
        if fmt.get("rate", 24000) != 24000:
            raise RealtimeRequestError(
                "Only 24000 Hz is supported for audio/pcm.",
                code="invalid_value",
                param=f"{path}.rate",
            )
        return {"type": "audio/pcm", "rate": 24000}
    return {"type": fmt["type"]}


def _turn_detection(value: Any, path: str) -> JsonObject | None:
    if value is None:
        return None
    given = _object(value, path)
    kind = given.get("type")
    if kind not in _TURN_DETECTION_DEFAULTS:
        raise RealtimeRequestError(
            f"Invalid value: '{kind}'. Supported values are: 'server_vad' and 'semantic_vad'.",
            code="invalid_value",
            param=f"{path}.type",
        )
    defaults = _TURN_DETECTION_DEFAULTS[kind]
    _check_keys(given, frozenset(defaults), path)
    return {**copy.deepcopy(defaults), **given}


def _tools(value: Any) -> list[JsonObject]:
    if not isinstance(value, list):
        raise RealtimeRequestError(
            "Invalid type for 'session.tools': expected an array.",
            code="invalid_type",
            param="session.tools",
        )
    tools: list[JsonObject] = []
    for index, tool in enumerate(value):
        path = f"session.tools[{index}]"
        tool = _object(tool, path)
        # Chat Completions nests {"function": {...}}; Realtime tools are flat.
        _check_keys(tool, _TOOL_KEYS, path)
        for required in ("type", "name"):
            if required not in tool:
                raise RealtimeRequestError(
                    f"Missing required parameter: '{path}.{required}'.",
                    code="missing_required_parameter",
                    param=f"{path}.{required}",
                )
        tools.append(dict(tool))
    return tools


def apply_session_update(current: JsonObject, update: Any, *, voice_locked: bool) -> JsonObject:
    """The effective session after ``session.update``: only the fields present change.

    ``voice_locked`` is true once the model has produced audio; the voice is fixed from then on.
    """
    given = _object(update, "session")
    if "type" not in given:
        raise RealtimeRequestError(
            "Missing required parameter: 'session.type'.",
            code="missing_required_parameter",
            param="session.type",
        )
    if given["type"] != "realtime":
        raise RealtimeRequestError(
            f"Invalid value: '{given['type']}'. This connection is a 'realtime' session.",
            code="invalid_value",
            param="session.type",
        )
    _check_keys(given, _SESSION_KEYS, "session")
    session = copy.deepcopy(current)
    for key, value in given.items():
        if key == "audio":
            _merge_audio(session["audio"], _object(value, "session.audio"), voice_locked)
        elif key == "tools":
            session["tools"] = _tools(value)
        elif key == "model":
            continue  # fixed by the connection URL; the server ignores changes
        else:
            session[key] = copy.deepcopy(value)
    return session


def _merge_audio(audio: JsonObject, given: Mapping[str, Any], voice_locked: bool) -> None:
    _check_keys(given, _AUDIO_KEYS, "session.audio")
    if "input" in given:
        source = _object(given["input"], "session.audio.input")
        _check_keys(source, _INPUT_KEYS, "session.audio.input")
        target = audio["input"]
        for key, value in source.items():
            path = f"session.audio.input.{key}"
            if key == "format":
                target[key] = _audio_format(value, path)
            elif key == "turn_detection":
                target[key] = _turn_detection(value, path)
            else:
                target[key] = copy.deepcopy(value)
    if "output" in given:
        sink = _object(given["output"], "session.audio.output")
        _check_keys(sink, _OUTPUT_KEYS, "session.audio.output")
        target = audio["output"]
        for key, value in sink.items():
            path = f"session.audio.output.{key}"
            if key == "format":
                target[key] = _audio_format(value, path)
            elif key == "voice" and voice_locked and value != target["voice"]:
                raise RealtimeRequestError(
                    "Cannot update a conversation's voice if assistant audio is present.",
                    code="cannot_update_voice",
                    param=path,
                )
            else:
                target[key] = copy.deepcopy(value)
