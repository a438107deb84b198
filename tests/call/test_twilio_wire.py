"""Twilio Media Streams frames in and out: exact shapes, and garbage that must not crash."""

from __future__ import annotations

import base64
import json

from hypothesis import given
from hypothesis import strategies as st

from receptionist.call import twilio_wire as wire

STREAM, CALL = "MZ" + "a" * 32, "CA" + "b" * 32


def start_frame(**params: str) -> str:
    return json.dumps({
        "event": "start", "sequenceNumber": "1", "streamSid": STREAM,
        "start": {"accountSid": "AC" + "c" * 32, "streamSid": STREAM, "callSid": CALL,
                  "tracks": ["inbound"], "customParameters": params,
                  "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000,
                                  "channels": 1}}})


def test_start_carries_the_call_and_its_parameters() -> None:
    frame = wire.parse(start_frame(token="abc"))
    assert isinstance(frame, wire.Start)
    assert (frame.stream_sid, frame.call_sid) == (STREAM, CALL)
    assert frame.custom_parameters == {"token": "abc"}
    assert (frame.encoding, frame.sample_rate_hz, frame.channels) == ("audio/x-mulaw", 8000, 1)


def test_media_keeps_the_payload_and_decodes_it() -> None:
    payload = base64.b64encode(bytes(range(160))).decode()
    frame = wire.parse(json.dumps({"event": "media", "sequenceNumber": "4", "streamSid": STREAM,
                                   "media": {"track": "inbound", "chunk": "2",
                                             "timestamp": "40", "payload": payload}}))
    assert frame == wire.Media(payload, bytes(range(160)), 40)


def test_mark_dtmf_stop_connected() -> None:
    assert wire.parse('{"event":"mark","mark":{"name":"m3"}}') == wire.Mark("m3")
    assert wire.parse('{"event":"dtmf","dtmf":{"track":"inbound_track","digit":"0"}}') \
        == wire.Dtmf("0")
    assert wire.parse(json.dumps({"event": "stop", "stop": {"callSid": CALL}})) \
        == wire.Stop(CALL)
    assert isinstance(wire.parse('{"event":"connected","protocol":"Call"}'), wire.Connected)


def test_outbound_messages_are_valid_json_with_the_stream_sid() -> None:
    media = json.loads(wire.media_message(STREAM, "AAEC"))
    assert media == {"event": "media", "streamSid": STREAM, "media": {"payload": "AAEC"}}
    assert json.loads(wire.mark_message(STREAM, "m12")) == {
        "event": "mark", "streamSid": STREAM, "mark": {"name": "m12"}}
    assert json.loads(wire.clear_message(STREAM)) == {"event": "clear", "streamSid": STREAM}


def test_unsafe_mark_names_are_refused() -> None:
    import pytest

    with pytest.raises(ValueError):
        wire.mark_message(STREAM, 'x"}')


BAD_FRAMES = [
    "", "not json", "[]", "42", "null", '{"event": 5}', '{"event":"nope"}',
    '{"event":"media"}', '{"event":"media","media":{"payload":5}}',
    '{"event":"media","media":{"payload":"!!not base64!!"}}',
    '{"event":"media","media":{"payload":"AAAA","track":"outbound"}}',
    '{"event":"mark","mark":{}}', '{"event":"dtmf","dtmf":{"digit":"99"}}',
    '{"event":"start","start":{"streamSid":"MZ1","callSid":"../../etc"}}',
    '{"event":"start","start":{"streamSid":"MZ1","callSid":"CA1","customParameters":[1]}}',
    "x" * (wire.MAX_FRAME_CHARS + 1),
]


def test_bad_frames_are_malformed_with_a_reason() -> None:
    for text in BAD_FRAMES:
        frame = wire.parse(text)
        assert isinstance(frame, wire.Malformed), text[:40]
        assert frame.reason


@given(st.one_of(st.text(max_size=300), st.binary(max_size=300),
                 st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                              lambda inner: st.lists(inner, max_size=4)
                              | st.dictionaries(st.sampled_from(
                                  ["event", "media", "payload", "start", "mark", "name",
                                   "dtmf", "digit", "streamSid", "callSid", "timestamp"]),
                                  inner, max_size=5), max_leaves=20).map(json.dumps)))
def test_parse_never_raises(text: str | bytes) -> None:
    assert wire.parse(text) is not None
