"""Twilio Media Streams JSON <-> our frames. Pure functions; the only place that knows the format.

Inbound (Twilio -> us): ``connected``, ``start``, ``media``, ``dtmf``, ``mark``, ``stop``. Anything
else — not JSON, not an object, an unknown event, a field of the wrong type, a payload that is not
base64 — parses to ``Malformed`` with a reason, never an exception: one bad frame must not end a
call. Outbound (us -> Twilio): ``media``, ``mark``, ``clear``, each with the ``streamSid``.

Number-like fields (``timestamp``, ``sequenceNumber``) arrive as strings; payloads are base64 of
raw 8 kHz μ-law with no header.
"""

from __future__ import annotations

import binascii
import json
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "MAX_FRAME_CHARS",
    "Connected",
    "Dtmf",
    "Frame",
    "Malformed",
    "Mark",
    "Media",
    "Start",
    "Stop",
    "clear_message",
    "mark_message",
    "media_message",
    "parse",
]

MAX_FRAME_CHARS = 64 * 1024  # Twilio's frames are ~300 characters; anything huge is not Twilio
# \Z, not $: "$" also matches before a final newline, which would end up inside the JSON.
_SID = re.compile(r"^[A-Za-z0-9]{2,64}\Z")
_MARK_NAME = re.compile(r"^[A-Za-z0-9_.:\-]{1,64}\Z")


@dataclass(frozen=True, slots=True)
class Connected:
    protocol: str = ""


@dataclass(frozen=True, slots=True)
class Start:
    stream_sid: str
    call_sid: str
    account_sid: str
    custom_parameters: dict[str, str] = field(default_factory=dict)
    encoding: str = "audio/x-mulaw"
    sample_rate_hz: int = 8000
    channels: int = 1


@dataclass(frozen=True, slots=True)
class Media:
    payload: str  # base64, passed through to a model as is
    ulaw: bytes
    timestamp_ms: int | None


@dataclass(frozen=True, slots=True)
class Dtmf:
    digit: str


@dataclass(frozen=True, slots=True)
class Mark:
    name: str


@dataclass(frozen=True, slots=True)
class Stop:
    call_sid: str = ""


@dataclass(frozen=True, slots=True)
class Malformed:
    reason: str


Frame = Connected | Start | Media | Dtmf | Mark | Stop | Malformed


def _int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 16:
        return int(value)
    return None


def parse(text: str | bytes) -> Frame:
    if len(text) > MAX_FRAME_CHARS:
        return Malformed("frame too large")
    try:
        frame = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        return Malformed("not JSON")
    if not isinstance(frame, dict):
        return Malformed("not a JSON object")
    event = frame.get("event")
    if event == "media":
        return _media(frame.get("media"))
    if event == "mark":
        mark = frame.get("mark")
        name = mark.get("name") if isinstance(mark, dict) else None
        return Mark(name) if isinstance(name, str) else Malformed("mark without a name")
    if event == "dtmf":
        dtmf = frame.get("dtmf")
        digit = dtmf.get("digit") if isinstance(dtmf, dict) else None
        if isinstance(digit, str) and len(digit) == 1 and digit in "0123456789*#ABCD":
            return Dtmf(digit)
        return Malformed("dtmf without a digit")
    if event == "start":
        return _start(frame)
    if event == "stop":
        stop = frame.get("stop")
        call_sid = stop.get("callSid") if isinstance(stop, dict) else None
        return Stop(call_sid if isinstance(call_sid, str) else "")
    if event == "connected":
        protocol = frame.get("protocol")
        return Connected(protocol if isinstance(protocol, str) else "")
    return Malformed(f"unknown event {str(event)[:40]!r}")


def _media(media: Any) -> Frame:
    if not isinstance(media, dict):
        return Malformed("media without a body")
    payload = media.get("payload")
    if not isinstance(payload, str):
        return Malformed("media without a payload")
    track = media.get("track", "inbound")
    if track not in ("inbound", "inbound_track"):
        return Malformed(f"media on track {str(track)[:20]!r}")
    try:
        ulaw = binascii.a2b_base64(payload, strict_mode=True)
    except (binascii.Error, ValueError):
        return Malformed("media payload is not base64")
    return Media(payload, ulaw, _int(media.get("timestamp")))


def _start(frame: dict[str, Any]) -> Frame:
    start = frame.get("start")
    if not isinstance(start, dict):
        return Malformed("start without a body")
    stream_sid = start.get("streamSid") or frame.get("streamSid")
    call_sid = start.get("callSid")
    if not (isinstance(stream_sid, str) and _SID.match(stream_sid)):
        return Malformed("start without a valid streamSid")
    if not (isinstance(call_sid, str) and _SID.match(call_sid)):
        return Malformed("start without a valid callSid")
    params = start.get("customParameters") or {}
    if not isinstance(params, dict):
        return Malformed("customParameters is not an object")
    media_format = start.get("mediaFormat") or {}
    if not isinstance(media_format, dict):
        return Malformed("mediaFormat is not an object")
    account_sid = start.get("accountSid")
    return Start(
        stream_sid=stream_sid, call_sid=call_sid,
        account_sid=account_sid if isinstance(account_sid, str) else "",
        custom_parameters={str(k)[:100]: str(v)[:500] for k, v in list(params.items())[:20]},
        encoding=str(media_format.get("encoding", "audio/x-mulaw")),
        sample_rate_hz=_int(media_format.get("sampleRate")) or 8000,
        channels=_int(media_format.get("channels")) or 1,
    )


# --- outbound: built as strings; sids and mark names are validated, payloads are base64 --------


def media_message(stream_sid: str, payload: str) -> str:
    return '{"event":"media","streamSid":"' + stream_sid + '","media":{"payload":"' \
        + payload + '"}}'


def mark_message(stream_sid: str, name: str) -> str:
    if not _MARK_NAME.match(name):
        raise ValueError(f"unsafe mark name {name!r}")
    return '{"event":"mark","streamSid":"' + stream_sid + '","mark":{"name":"' + name + '"}}'


def clear_message(stream_sid: str) -> str:
    return '{"event":"clear","streamSid":"' + stream_sid + '"}'
