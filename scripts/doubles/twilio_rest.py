"""``TwilioRestDouble``: a local HTTP server speaking Twilio's REST API to the real ``twilio`` SDK.

In-process::

    with TwilioRestDouble() as twilio:
        client = Client(twilio.account_sid, twilio.auth_token, http_client=<rebased client>)
        client.messages.create(to="+15551234567", from_="+15550001111", body="hi")
        twilio.fail_next(status=400, code=21610)
        twilio.deliver(sid, "delivered")           # signed status callback to StatusCallback

As another process (benchmarks): ``python -m scripts.doubles.twilio_rest --port 8990``, read and
steered through ``/_double/...``, e.g. with ``TwilioRestDoubleControl``.

The SDK has no base-URL setting: point it here with an HTTP client that rewrites
``https://*.twilio.com`` to ``base_url`` (the product's is in ``receptionist.core.twilio_client``).

A stdlib ``ThreadingHTTPServer`` is used rather than an ASGI stack because the double must be able
to take a request, act on it and then drop the TCP connection without answering (the "provider
accepted, we crashed before hearing back" case); that needs the raw socket.
"""

from __future__ import annotations

import argparse
import json
import signal
import socket
import sys
import threading
import time
import uuid
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

import httpx
from twilio.request_validator import RequestValidator

from .twilio_rest_app import (
    API_VERSION,
    FailureRule,
    RecordedRequest,
    StoredCall,
    StoredMessage,
    TwilioState,
    answer,
    new_sid,
)

__all__ = [
    "DEFAULT_ACCOUNT_SID",
    "DEFAULT_AUTH_TOKEN",
    "RecordedRequest",
    "StoredCall",
    "StoredMessage",
    "TwilioRestDouble",
    "TwilioRestDoubleControl",
]

DEFAULT_ACCOUNT_SID = "AC" + "d0" * 16
DEFAULT_AUTH_TOKEN = "0b" * 16


class TwilioRestDouble:
    """Twilio's Messages and Calls resources on ``http://127.0.0.1:<port>``, plus the knobs tests
    need: registered calls, injected failures and latency, recorded requests, status callbacks."""

    def __init__(
        self,
        *,
        account_sid: str = DEFAULT_ACCOUNT_SID,
        auth_token: str = DEFAULT_AUTH_TOKEN,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.account_sid, self.auth_token = account_sid, auth_token
        self.state = TwilioState(account_sid, auth_token)
        self._address = (host, port)
        self._server: _DoubleServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Self:
        self._server = _DoubleServer(self._address, self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # stop() waits at most one poll
            name="twilio-rest-double",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.close_open_connections()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("TwilioRestDouble is not started")
        return f"http://{self._address[0]}:{self._server.server_port}"

    # -- arranging ---------------------------------------------------------------------------

    def add_call(
        self,
        call_sid: str,
        from_: str,
        to: str,
        status: str = "in-progress",
        direction: str = "inbound",
    ) -> StoredCall:
        """A call Twilio knows about, so ``client.calls(call_sid).update(...)`` can act on it."""
        return self.state.add_call(call_sid, from_, to, status, direction)

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 500,
        code: int = 20500,
        message: str | None = None,
        to: str | None = None,
        after_create: bool = False,
    ) -> None:
        """Answer the next ``count`` message creates (to ``to`` only, if given) with a Twilio error;
        nothing is created unless ``after_create`` (a 5xx that came after Twilio created it).
        E.g. ``status=400, code=21610`` for an unsubscribed recipient."""
        with self.state.lock:
            self.state.failures.append(
                FailureRule(count, status, code, message, to, after_create=after_create))

    def drop_after_accept(self, count: int = 1, *, to: str | None = None) -> None:
        """Create the next ``count`` messages, then close the connection without answering."""
        with self.state.lock:
            self.state.failures.append(FailureRule(count, to=to, drop_after_accept=True))

    def rewrite_bodies(self, prefix: str = "", replacements: dict[str, str] | None = None) -> None:
        """Store (and list) bodies rewritten as Twilio may: a trial account's
        ``"Sent from your Twilio trial account - "`` prefix, ``SmartEncoded`` look-alikes
        (``{"’": "'"}``), shortened links."""
        with self.state.lock:
            self.state.body_prefix = prefix
            self.state.body_replacements = dict(replacements or {})

    def set_latency(self, latency_s: float) -> None:
        """Delay every API answer by ``latency_s`` (the handler thread sleeps)."""
        self.state.latency_s = latency_s

    def reset(self) -> None:
        self.state.reset()

    # -- observing ---------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        with self.state.lock:
            return list(self.state.requests)

    @property
    def messages(self) -> list[StoredMessage]:
        """Every message created, oldest first."""
        with self.state.lock:
            return list(self.state.messages.values())

    def message(self, sid: str) -> StoredMessage:
        with self.state.lock:
            return self.state.messages[sid]

    def call(self, sid: str) -> StoredCall:
        with self.state.lock:
            return self.state.calls[sid]

    # -- status callbacks --------------------------------------------------------------------

    def deliver(
        self, message_sid: str, status: str = "delivered", error_code: int | None = None
    ) -> httpx.Response:
        """Move the message to ``status`` and POST Twilio's signed status callback to its
        ``StatusCallback``. Blocking: from async code whose loop serves the app, use
        ``deliver_async``."""
        url, params, headers = self._status_callback(message_sid, status, error_code)
        return httpx.post(url, data=params, headers=headers, timeout=10.0)

    async def deliver_async(
        self, message_sid: str, status: str = "delivered", error_code: int | None = None
    ) -> httpx.Response:
        url, params, headers = self._status_callback(message_sid, status, error_code)
        async with httpx.AsyncClient(timeout=10.0) as client:
            return await client.post(url, data=params, headers=headers)

    def _status_callback(
        self, sid: str, status: str, error_code: int | None
    ) -> tuple[str, dict[str, str], dict[str, str]]:
        message = self.state.set_message_status(sid, status, error_code)
        if not message.status_callback:
            raise ValueError(f"message {sid} was created without a StatusCallback")
        params = {
            "AccountSid": message.account_sid,
            "ApiVersion": API_VERSION,
            "From": message.from_ or "",
            "MessageSid": message.sid,
            "MessageStatus": status,
            "SmsSid": message.sid,
            "SmsStatus": status,
            "To": message.to,
        }
        if error_code is not None:
            params["ErrorCode"] = str(error_code)
        if message.messaging_service_sid:
            params["MessagingServiceSid"] = message.messaging_service_sid
        if status in ("delivered", "undelivered") and message.date_sent is not None:
            params["RawDlrDoneDate"] = message.date_sent.strftime("%y%m%d%H%M")
        signature = RequestValidator(self.auth_token).compute_signature(
            message.status_callback, params
        )
        headers = {
            "X-Twilio-Signature": signature,
            "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
            "User-Agent": "TwilioProxy/1.1",
        }
        return message.status_callback, params, headers

    # -- control API (``/_double/...``), for a double running in another process -------------

    def handle_control(self, method: str, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
        """``GET /_double/{messages,requests,calls}`` read; ``POST /_double/<method>`` with the
        method's keyword arguments as JSON calls one of ``_CONTROL_METHODS``."""
        name = path.removeprefix("/_double/")
        try:
            if method == "GET" and name in ("messages", "requests", "calls"):
                return 200, {name: self._snapshot(name)}
            if method == "POST" and name in _CONTROL_METHODS:
                result = getattr(self, name)(**json.loads(body or b"{}"))
                if isinstance(result, httpx.Response):
                    return 200, {"status_code": result.status_code}
                return 200, {"ok": True}
        except (KeyError, TypeError, ValueError, httpx.HTTPError) as exc:
            return 400, {"error": f"{type(exc).__name__}: {exc}"}
        return 404, {"error": f"no control endpoint {method} {path}"}

    def _snapshot(self, name: str) -> list[dict[str, Any]]:
        with self.state.lock:
            if name == "requests":
                return [asdict(r) for r in self.state.requests]
            if name == "calls":
                return [c.to_json() | {"updates": c.updates} for c in self.state.calls.values()]
            # The sender's own fields too, for assertions Twilio's JSON cannot answer.
            return [
                m.to_json() | {"status_callback": m.status_callback, "media_urls": m.media_urls}
                for m in self.state.messages.values()
            ]


_CONTROL_METHODS = frozenset(
    {"add_call", "fail_next", "drop_after_accept", "rewrite_bodies", "set_latency", "deliver",
     "reset"}
)


class TwilioRestDoubleControl:
    """Reads and steers a double running in another process, e.g. ``control.read("messages")``,
    ``control.call("fail_next", count=2, status=400, code=21610)``; names as on the double."""

    def __init__(self, base_url: str, timeout_s: float = 10.0) -> None:
        self._http = httpx.Client(base_url=base_url, timeout=timeout_s)

    def read(self, name: str) -> list[dict[str, Any]]:
        """``messages``, ``requests`` or ``calls``, as JSON."""
        response = self._http.get(f"/_double/{name}")
        response.raise_for_status()
        return list(response.json()[name])

    def call(self, name: str, **kwargs: Any) -> dict[str, Any]:
        response = self._http.post(f"/_double/{name}", json=kwargs)
        response.raise_for_status()
        return dict(response.json())

    def close(self) -> None:
        self._http.close()


# -- the HTTP server -----------------------------------------------------------------------------


class _DoubleServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256  # benchmarks open many connections at once

    def __init__(self, address: tuple[str, int], double: TwilioRestDouble) -> None:
        self.double = double
        self.open_connections: set[socket.socket] = set()
        super().__init__(address, _TwilioHandler)

    def close_open_connections(self) -> None:
        # Idle keep-alive connections would otherwise keep their threads blocked after stop().
        for conn in list(self.open_connections):
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by the peer


class _TwilioHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the SDK's pooled sessions expect
    disable_nagle_algorithm = True  # headers and body are two writes; Nagle would stall the second
    server: _DoubleServer

    def setup(self) -> None:
        super().setup()
        self.server.open_connections.add(self.connection)

    def finish(self) -> None:
        self.server.open_connections.discard(self.connection)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: tests and benchmarks read the recorded requests instead."""

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        perf, wall = time.perf_counter(), time.time()
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        split = urlsplit(self.path)
        if split.path.startswith("/_double/"):
            self._send_json(*self.server.double.handle_control(self.command, split.path, raw))
            return
        state = self.server.double.state
        form_items = parse_qsl(raw.decode(), keep_blank_values=True)
        record = RecordedRequest(
            method=self.command,
            path=split.path,
            query=dict(parse_qsl(split.query, keep_blank_values=True)),
            form=dict(form_items),
            headers=dict(self.headers.items()),
            received_perf_counter=perf,
            received_time=wall,
        )
        with state.lock:
            state.requests.append(record)
        if state.latency_s:
            time.sleep(state.latency_s)
        status, payload = answer(state, record, [v for k, v in form_items if k == "MediaUrl"])
        if payload is None:  # accepted, then "crash": the client never hears back
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        record.response_status = status
        self._send_json(status, payload)

    def _send_json(self, status: int, payload: Any) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Twilio-Request-Id", new_sid("RQ"))
        if status == 401:
            self.send_header("WWW-Authenticate", 'Basic realm="Twilio API"')
        self.end_headers()
        self.wfile.write(body)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local double of Twilio's REST API")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8990)
    parser.add_argument("--account-sid", default=DEFAULT_ACCOUNT_SID)
    parser.add_argument("--auth-token", default=DEFAULT_AUTH_TOKEN)
    args = parser.parse_args(argv)
    double = TwilioRestDouble(
        account_sid=args.account_sid, auth_token=args.auth_token, host=args.host, port=args.port
    )
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    with double:
        # The one line a parent process waits for before it starts sending.
        sys.stdout.write(f"twilio-rest-double listening on {double.base_url}\n")
        sys.stdout.flush()
        while not stopping.wait(0.2):
            pass


if __name__ == "__main__":
    main()
