"""Property tests on Media Streams frames: any text or bytes parses to a frame, never an
exception (one bad frame must not end a call), and well-formed frames round-trip."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from receptionist.call import twilio_wire as wire

pytestmark = pytest.mark.slow  # a property search

FAST = settings(max_examples=200, deadline=None)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                max_size=4),
    max_leaves=12,
)
EVENTS = st.sampled_from(["connected", "start", "media", "dtmf", "mark", "stop", "other"])
KEYS = st.sampled_from(["payload", "track", "timestamp", "name", "digit", "callSid",
                        "streamSid", "customParameters", "mediaFormat", "sampleRate",
                        "channels", "encoding", "accountSid"])


@st.composite
def frames(draw: st.DrawFn) -> str:
    event = draw(EVENTS)
    body = draw(st.dictionaries(KEYS, JSON | st.sampled_from(["²", "12", "inbound", "AB"]),
                                max_size=6))
    if draw(st.booleans()):
        body["mediaFormat"] = draw(st.dictionaries(KEYS, JSON, max_size=3))
    frame = {"event": event, event: body, "streamSid": draw(st.text(max_size=10))}
    return json.dumps(frame)


@FAST
@given(st.one_of(st.text(max_size=200), st.binary(max_size=200), frames(), JSON.map(json.dumps)))
@example('{"event":"media","media":{"payload":"","timestamp":"²"}}')
@example('{"event":"start","start":{"streamSid":"MZ1","callSid":"CA1",'
         '"mediaFormat":{"sampleRate":"²"}}}')
@example(b'\xff\xfe')
def test_parse_never_raises(text: str | bytes) -> None:
    frame = wire.parse(text)
    assert isinstance(frame, (wire.Connected, wire.Start, wire.Media, wire.Dtmf, wire.Mark,
                              wire.Stop, wire.Malformed))
    if isinstance(frame, wire.Media):
        assert frame.timestamp_ms is None or frame.timestamp_ms >= 0
    if isinstance(frame, wire.Start):
        assert frame.sample_rate_hz > 0 and frame.channels > 0


@FAST
@given(st.binary(max_size=400), st.integers(0, 10**9))
def test_media_round_trips(audio: bytes, ts: int) -> None:
    payload = base64.b64encode(audio).decode()
    frame = wire.parse(json.dumps({"event": "media", "media": {"payload": payload,
                                                              "timestamp": str(ts)}}))
    assert frame == wire.Media(payload, audio, ts)
    out = json.loads(wire.media_message("MZ" + "0" * 32, payload))
    assert out["media"]["payload"] == payload


@FAST
@given(st.text(max_size=70))
@example("0\n")  # "$" matched before the newline, which went raw into the JSON
def test_mark_names_are_either_safe_json_or_refused(name: str) -> None:
    try:
        text = wire.mark_message("MZ1", name)
    except ValueError:
        return
    assert json.loads(text)["mark"]["name"] == name
