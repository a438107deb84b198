"""An app instance SIGKILLed with live media streams open: Twilio's status callback for each call
then reaches the instance that survives, which treats the callers per the lifecycle rules — the
caller who had heard the greeting (a conversation) gets no text-back; the caller whose stream
dropped before anything was heard is missed and gets exactly one, once the stream's end is
presumed lost (``STREAM_END_GRACE``); nobody twice, whatever Twilio retries.

Two ``receptionist serve`` processes behind one public URL on one PostgreSQL; Twilio's media
side is a raw WebSocket client here, so the test decides exactly what the caller heard."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from websockets.asyncio.client import ClientConnection, connect

from receptionist.call.simulator import parse_twiml
from receptionist.telephony.models import Call
from receptionist.telephony.service import STREAM_END_GRACE
from tests.doubles.openai_realtime import OpenAIRealtimeDouble, RealtimeTurn
from tests.doubles.openai_realtime import Say as ModelSays
from tests.doubles.twilio_rest import TwilioRestDouble
from tests.support.calls import call_params, new_call_sid
from tests.support.factories import add_business
from tests.support.server import free_port
from tests.support.settings import make_settings
from tests.support.voice import ServerProcess, asked_to_say
from tests.support.waiting import wait_until
from tests.support.webhooks import Webhooks
from textback import Message

# Two app processes starting on a busy machine take most of the time.
pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.timeout(480)]

TALKED = "+12025550191"  # heard the greeting: a conversation
DROPPED = "+12025550192"  # the instance died before anything reached the caller
START_S = 180.0  # a busy machine takes long to import the app


def greeter(turn: RealtimeTurn) -> Any:
    return ModelSays(asked_to_say(turn) or "Sure, we can help with that.")


class MediaLine:
    """Twilio's side of one media stream: start it, read what the app plays, echo marks or not."""

    def __init__(self, ws: ClientConnection, call_sid: str) -> None:
        self.ws = ws
        self.call_sid = call_sid
        self.media_frames = 0
        self.marks: list[str] = []

    @classmethod
    async def open(cls, hooks: Webhooks, call_sid: str, caller: str) -> MediaLine:
        r = await hooks.post("/twilio/voice", call_params(call_sid, caller=caller))
        assert r.status_code == 200, r.text
        doc = parse_twiml(r.text)
        assert doc.stream_url is not None, r.text
        path = doc.stream_url.split("://", 1)[1].split("/", 1)[1]
        ws = await connect(f"ws://127.0.0.1:{hooks.server.port}/{path}",
                           additional_headers={"X-Twilio-Signature":
                                               hooks.signer.sign(doc.stream_url, {})})
        line = cls(ws, call_sid)
        await ws.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
        await ws.send(json.dumps({"event": "start", "start": {
            "accountSid": hooks.server.settings.webhook_account_sid(),
            "streamSid": "MZ" + secrets.token_hex(16), "callSid": call_sid,
            "tracks": ["inbound"],
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
            "customParameters": doc.parameters}}))
        return line

    async def listen(self, *, echo_marks: bool) -> None:
        """Read until the app's side goes away; as Twilio does, echo each mark once the audio
        before it has played (or never, for a caller who heard nothing)."""
        try:
            async for message in self.ws:
                event = json.loads(message)
                if event.get("event") == "media":
                    self.media_frames += 1
                elif event.get("event") == "mark":
                    self.marks.append(event["mark"]["name"])
                    if echo_marks:
                        await self.ws.send(json.dumps({"event": "mark", "mark": event["mark"]}))
        except Exception:  # the instance was killed: the socket just ends
            return


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
async def test_killed_mid_call_callers_are_treated_per_the_lifecycle(
        db, twilio: TwilioRestDouble, realtime: OpenAIRealtimeDouble, tmp_path: Path) -> None:
    await add_business(db, routing="ai", textback_cooldown_hours=0)
    realtime.brain = greeter
    settings = make_settings(db.url, twilio, tmp_path, voice_engine="realtime",
                             openai_api_key=realtime.api_key, openai_base_url=realtime.base_url,
                             silence_timeout_s=60.0)
    doomed = ServerProcess(settings, log=tmp_path / "doomed.log")
    survivor = ServerProcess(settings, port=free_port(), log=tmp_path / "survivor.log")
    await asyncio.gather(*(asyncio.to_thread(p.start, START_S) for p in (doomed, survivor)))
    to_doomed, to_survivor = Webhooks(doomed), Webhooks(survivor)  # type: ignore[arg-type]
    sids = {TALKED: new_call_sid(), DROPPED: new_call_sid()}
    try:
        talked = await MediaLine.open(to_doomed, sids[TALKED], TALKED)
        dropped = await MediaLine.open(to_doomed, sids[DROPPED], DROPPED)
        listeners = [asyncio.create_task(talked.listen(echo_marks=True)),
                     asyncio.create_task(dropped.listen(echo_marks=False))]

        async def stored(sid: str) -> Call | None:
            async with db.transaction() as s:
                return (await s.execute(select(Call).where(Call.call_sid == sid))).scalar()

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # the greeting is playing on both lines
            t, d = await stored(sids[TALKED]), await stored(sids[DROPPED])
            if t and t.conversation_started and d and d.stream_started \
                    and dropped.media_frames and dropped.marks:
                break
            await asyncio.sleep(0.1)
        assert t is not None and t.conversation_started, "the talked-to caller heard the greeting"
        assert d is not None and d.stream_started and not d.conversation_started
        doomed.kill()
        killed_at = time.monotonic()
        await asyncio.gather(*listeners)

        for caller, sid in sids.items():  # Twilio's final status, and its retry, to the survivor
            for _ in range(2):
                r = await to_survivor.post("/twilio/voice/status", call_params(
                    sid, caller=caller, CallStatus="completed", CallDuration="7"))
                assert r.status_code == 204
        # The talked-to caller is decided at once; the other once the stream's end is lost.
        texted = await wait_until(lambda: bool(_texts(twilio, DROPPED)),
                                  STREAM_END_GRACE.total_seconds() + 25, every_s=0.2)
        settled_s = time.monotonic() - killed_at
        assert texted, "the caller who heard nothing is a missed call"
        await asyncio.sleep(6.0)  # another sweep, a retried callback: nothing more may come
        assert len(_texts(twilio, DROPPED)) == 1
        assert _texts(twilio, TALKED) == []
        t, d = await stored(sids[TALKED]), await stored(sids[DROPPED])
        assert t is not None and t.outcome == "handled_by_ai"
        assert d is not None and (d.outcome, d.missed_reason) == \
            ("missed", "hung_up_before_greeting")
        async with db.transaction() as s:
            kinds = [(m.to_number, m.kind) for m in (await s.execute(
                select(Message).where(Message.direction == "out"))).scalars()]
        assert kinds == [(DROPPED, "textback")]
        print(f"killed mid-call; the dropped caller texted back {settled_s:.1f} s after the "
              f"kill (grace {STREAM_END_GRACE.total_seconds():g} s), the talked-to one not")
    finally:
        for hooks in (to_doomed, to_survivor):
            await hooks.aclose()
        doomed.stop()
        survivor.stop()


def _texts(twilio: TwilioRestDouble, to: str) -> list[Any]:
    return [m for m in twilio.messages if m.to == to]
