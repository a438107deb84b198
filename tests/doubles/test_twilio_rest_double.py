"""The Twilio REST double, driven through the real ``twilio`` SDK as the product drives it."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from scripts.doubles.twilio_rest import TwilioRestDouble, TwilioRestDoubleControl

CALLER = "+15551230001"
OTHER = "+15551230002"
OUR_NUMBER = "+15550001111"

# -- how the product points the SDK at the double: rewrite https://*.twilio.com to a base URL --

_TWILIO_HOST = re.compile(r"^https://(?:[a-z0-9-]+\.)*twilio\.com(?=[/?]|$)")


class RebasedTwilioHttpClient(TwilioHttpClient):  # type: ignore[misc]  # twilio has no py.typed
    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        url = _TWILIO_HOST.sub(lambda _: self.base_url, url)
        return super().request(method, url, *args, **kwargs)


class RebasedAsyncTwilioHttpClient(AsyncTwilioHttpClient):  # type: ignore[misc]  # likewise
    """Build inside a running loop (it opens an aiohttp session) and ``close()`` it after."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")

    async def request(self, method: str, url: str, **kwargs: Any) -> Response:
        url = _TWILIO_HOST.sub(lambda _: self.base_url, url)
        # The SDK's async client ignores its constructor timeout; pass it per request.
        kwargs["timeout"] = kwargs.get("timeout") or self.timeout
        # aiohttp 3.14 deprecates the ``auth=`` the SDK passes (gone in v4): send the header.
        if (auth := kwargs.pop("auth", None)) is not None:
            basic = "Basic " + base64.b64encode(":".join(auth).encode()).decode()
            kwargs["headers"] = {**(kwargs.get("headers") or {}), "Authorization": basic}
        return await super().request(method, url, **kwargs)


# -- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def running_double() -> Iterator[TwilioRestDouble]:
    with TwilioRestDouble() as double:
        yield double


@pytest.fixture
def twilio(running_double: TwilioRestDouble) -> TwilioRestDouble:
    running_double.reset()
    return running_double


@pytest.fixture
def client(twilio: TwilioRestDouble) -> Iterator[Client]:
    http = RebasedTwilioHttpClient(twilio.base_url, timeout=5)
    yield Client(twilio.account_sid, twilio.auth_token, http_client=http)
    assert http.session is not None
    http.session.close()  # the SDK never closes its requests.Session


class CallbackSink:
    """The app's status-callback endpoint, reduced to recording what arrives."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str], dict[str, str]]] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                sink.received.append((self.path, dict(self.headers), dict(parse_qsl(body))))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/twilio/sms/status"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sink() -> Iterator[CallbackSink]:
    sink = CallbackSink()
    yield sink
    sink.close()


def send(client: Client, to: str = CALLER, body: str = "Sorry we missed you!", **kw: Any) -> Any:
    return client.messages.create(to=to, from_=OUR_NUMBER, body=body, **kw)


# -- messages ----------------------------------------------------------------------------------


def test_create_answers_with_twilios_message_shape(
    twilio: TwilioRestDouble, client: Client
) -> None:
    message = send(client, status_callback="https://app.example/twilio/sms/status")

    assert re.fullmatch(r"SM[0-9a-f]{32}", message.sid)
    assert (message.status, message.direction) == ("queued", "outbound-api")
    assert (message.to, message.from_, message.body) == (CALLER, OUR_NUMBER, "Sorry we missed you!")
    assert (message.account_sid, message.api_version) == (twilio.account_sid, "2010-04-01")
    assert message.num_segments == "1" and message.error_code is None and message.price is None
    assert message.date_created.tzinfo is not None  # the SDK parsed Twilio's RFC 2822 date
    assert message.uri == f"/2010-04-01/Accounts/{twilio.account_sid}/Messages/{message.sid}.json"
    [recorded] = twilio.requests
    assert recorded.path == f"/2010-04-01/Accounts/{twilio.account_sid}/Messages.json"
    assert recorded.form["StatusCallback"] == "https://app.example/twilio/sms/status"
    assert recorded.response_status == 201
    assert recorded.received_perf_counter <= time.perf_counter()
    assert abs(recorded.received_time - time.time()) < 5


def test_segments_follow_the_encoding(client: Client) -> None:
    assert send(client, body="x" * 161).num_segments == "2"  # GSM-7: 160, then 153 a part
    assert send(client, body="🙂" * 36).num_segments == "2"  # UCS-2: 70 units; each emoji is 2


def test_list_filters_newest_first_and_pages_by_cursor(
    twilio: TwilioRestDouble, client: Client
) -> None:
    sent = [send(client, body=f"text {n}").sid for n in range(5)]
    send(client, to=OTHER)

    assert [m.sid for m in client.messages.list(to=CALLER, limit=3)] == sent[::-1][:3]
    assert [m.sid for m in client.messages.list(to=CALLER, page_size=2)] == sent[::-1]
    assert len(client.messages.list(from_=OUR_NUMBER)) == 6
    pages = [r for r in twilio.requests if r.method == "GET"][-4:]
    assert [r.query.get("PageToken", "")[:4] for r in pages] == ["", "PASM", "PASM", ""]


def test_fetch_and_unknown_sid(twilio: TwilioRestDouble, client: Client) -> None:
    sid = send(client).sid
    assert client.messages(sid).fetch().body == "Sorry we missed you!"

    with pytest.raises(TwilioRestException) as caught:
        client.messages("SM" + "0" * 32).fetch()
    assert (caught.value.status, caught.value.code) == (404, 20404)


def test_bad_credentials_answer_20003(twilio: TwilioRestDouble) -> None:
    http = RebasedTwilioHttpClient(twilio.base_url, timeout=5)
    intruder = Client(twilio.account_sid, "not-the-token", http_client=http)
    assert http.session is not None
    with http.session, pytest.raises(TwilioRestException) as caught:
        send(intruder)
    assert (caught.value.status, caught.value.code) == (401, 20003)
    assert twilio.messages == []


@pytest.mark.parametrize(
    ("status", "code", "text"),
    [
        (500, 20500, "internal server error"),
        (400, 21610, "unsubscribed recipient"),
        (400, 21211, f"'To' number {CALLER} is not a valid"),
    ],
)
def test_injected_failures_raise_like_twilio(
    twilio: TwilioRestDouble, client: Client, status: int, code: int, text: str
) -> None:
    twilio.fail_next(status=status, code=code)
    with pytest.raises(TwilioRestException) as caught:
        send(client)
    assert (caught.value.status, caught.value.code) == (status, code)
    assert text in caught.value.msg
    assert twilio.messages == []
    assert send(client).status == "queued"  # only the next create failed


def test_failures_can_target_one_recipient(twilio: TwilioRestDouble, client: Client) -> None:
    twilio.fail_next(2, status=400, code=21610, to=OTHER)
    assert send(client, to=CALLER).status == "queued"
    for _ in range(2):
        with pytest.raises(TwilioRestException):
            send(client, to=OTHER)
    assert send(client, to=OTHER).status == "queued"


def test_invalid_to_is_rejected_without_injection(client: Client) -> None:
    with pytest.raises(TwilioRestException) as caught:
        send(client, to="555-0100")
    assert (caught.value.status, caught.value.code) == (400, 21211)


def test_drop_after_accept_creates_the_message_but_the_client_never_hears(
    twilio: TwilioRestDouble, client: Client
) -> None:
    twilio.drop_after_accept()
    with pytest.raises(requests.exceptions.ConnectionError):
        send(client, body="confirmation")

    [message] = client.messages.list(to=CALLER)
    assert (message.body, message.status) == ("confirmation", "queued")
    assert twilio.requests[0].response_status is None


def test_latency_delays_answers(twilio: TwilioRestDouble, client: Client) -> None:
    twilio.set_latency(0.05)
    started = time.perf_counter()
    send(client)
    assert time.perf_counter() - started >= 0.05


# -- status callbacks --------------------------------------------------------------------------


def test_deliver_posts_a_correctly_signed_status_callback(
    twilio: TwilioRestDouble, client: Client, sink: CallbackSink
) -> None:
    message = send(client, status_callback=sink.url)

    assert twilio.deliver(message.sid).status_code == 200
    twilio.deliver(message.sid, "undelivered", error_code=30003)

    (path, headers, delivered), (_, _, undelivered) = sink.received
    assert path == "/twilio/sms/status"
    validator = RequestValidator(twilio.auth_token)
    assert validator.validate(sink.url, delivered, headers["X-Twilio-Signature"])
    assert not validator.validate(
        sink.url, {**delivered, "To": OTHER}, headers["X-Twilio-Signature"]
    )
    assert delivered["MessageSid"] == delivered["SmsSid"] == message.sid
    assert delivered["MessageStatus"] == delivered["SmsStatus"] == "delivered"
    assert (delivered["From"], delivered["To"], delivered["AccountSid"]) == (
        OUR_NUMBER,
        CALLER,
        twilio.account_sid,
    )
    assert "ErrorCode" not in delivered
    assert (undelivered["MessageStatus"], undelivered["ErrorCode"]) == ("undelivered", "30003")
    fetched = client.messages(message.sid).fetch()
    assert (fetched.status, fetched.error_code) == ("undelivered", 30003)
    assert fetched.date_sent is not None


@pytest.mark.asyncio
async def test_deliver_async(twilio: TwilioRestDouble, sink: CallbackSink) -> None:
    http = RebasedAsyncTwilioHttpClient(twilio.base_url, timeout=5)
    client = Client(twilio.account_sid, twilio.auth_token, http_client=http)
    try:
        message = await client.messages.create_async(
            to=CALLER, from_=OUR_NUMBER, body="hi", status_callback=sink.url
        )
    finally:
        await http.close()
    response = await twilio.deliver_async(message.sid, "sent")
    assert response.status_code == 200
    assert sink.received[0][2]["MessageStatus"] == "sent"


# -- calls -------------------------------------------------------------------------------------


def test_call_update_hangs_up_then_20404(twilio: TwilioRestDouble, client: Client) -> None:
    call_sid = "CA" + "1" * 32
    twilio.add_call(call_sid, CALLER, OUR_NUMBER)

    assert client.calls(call_sid).fetch().status == "in-progress"
    call = client.calls(call_sid).update(status="completed")
    assert (call.sid, call.status, call._from, call.to) == (
        call_sid,
        "completed",
        CALLER,
        OUR_NUMBER,
    )
    assert call.end_time is not None

    for sid in (call_sid, "CA" + "2" * 32):  # over already, and never existed
        with pytest.raises(TwilioRestException) as caught:
            client.calls(sid).update(status="completed")
        assert (caught.value.status, caught.value.code) == (404, 20404)


def test_call_update_with_twiml(twilio: TwilioRestDouble, client: Client) -> None:
    call_sid = "CA" + "3" * 32
    twilio.add_call(call_sid, CALLER, OUR_NUMBER)
    twiml = "<Response><Say>Goodbye</Say><Hangup/></Response>"

    assert client.calls(call_sid).update(twiml=twiml).status == "in-progress"
    assert twilio.call(call_sid).twiml == twiml
    client.calls(call_sid).update(status="completed")
    with pytest.raises(TwilioRestException) as caught:
        client.calls(call_sid).update(twiml=twiml)
    assert (caught.value.status, caught.value.code) == (400, 21220)


# -- the async SDK client ----------------------------------------------------------------------


@pytest.mark.asyncio
async def test_async_client(twilio: TwilioRestDouble) -> None:
    call_sid = "CA" + "4" * 32
    twilio.add_call(call_sid, CALLER, OUR_NUMBER)
    http = RebasedAsyncTwilioHttpClient(twilio.base_url, timeout=5)
    client = Client(twilio.account_sid, twilio.auth_token, http_client=http)
    try:
        message = await client.messages.create_async(to=CALLER, from_=OUR_NUMBER, body="hi")
        listed = await client.messages.list_async(to=CALLER, limit=5)
        call = await client.calls(call_sid).update_async(status="completed")

        twilio.fail_next(status=400, code=21610)
        with pytest.raises(TwilioRestException) as caught:
            await client.messages.create_async(to=CALLER, from_=OUR_NUMBER, body="again")
        twilio.drop_after_accept()
        with pytest.raises(aiohttp.ClientError):
            await client.messages.create_async(to=CALLER, from_=OUR_NUMBER, body="lost")
    finally:
        await http.close()

    assert [m.sid for m in listed] == [message.sid]
    assert call.status == "completed"
    assert caught.value.code == 21610
    assert [m.body for m in twilio.messages] == ["hi", "lost"]


# -- control API, for a double in another process ----------------------------------------------


def test_control_api(twilio: TwilioRestDouble, client: Client, sink: CallbackSink) -> None:
    control = TwilioRestDoubleControl(twilio.base_url)
    try:
        control.call("add_call", call_sid="CA" + "5" * 32, from_=CALLER, to=OUR_NUMBER)
        control.call("fail_next", count=1, status=500, code=20500)
        with pytest.raises(TwilioRestException):
            send(client)
        sid = send(client, status_callback=sink.url).sid
        assert control.call("deliver", message_sid=sid)["status_code"] == 200

        [message] = control.read("messages")
        assert (message["sid"], message["status"]) == (sid, "delivered")
        assert message["status_callback"] == sink.url
        assert [r["response_status"] for r in control.read("requests")] == [500, 201]
        assert control.read("calls")[0]["status"] == "in-progress"
        control.call("reset")
        assert control.read("messages") == []
    finally:
        control.close()


def test_runs_as_a_process() -> None:
    root = Path(__file__).resolve().parents[2]
    command = [sys.executable, "-m", "scripts.doubles.twilio_rest", "--port", "0"]
    with subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            control = TwilioRestDoubleControl(process.stdout.readline().split()[-1])
            assert control.read("messages") == []
            control.close()
        finally:
            process.terminate()
        assert process.wait(timeout=5) == 0
