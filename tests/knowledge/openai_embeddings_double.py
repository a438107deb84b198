"""A local double of OpenAI's ``POST /v1/embeddings`` (wire format as the SDK expects it).

Vectors are hashed bags of words, so texts sharing words are similar. ``fail_with`` queues HTTP
statuses to answer with first (500, 429, 400…), to exercise retries and error handling.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["OpenAIEmbeddingsDouble"]

DIM = 64


def fake_embedding(text: str) -> list[float]:
    vec = [0.0] * DIM
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        h = int(hashlib.md5(word.encode()).hexdigest(), 16)
        vec[h % DIM] += 1.0 if (h >> 8) % 2 else -1.0
    norm = math.sqrt(sum(v * v for v in vec)) or 1.0
    return [v / norm for v in vec]


class OpenAIEmbeddingsDouble:
    api_key = "sk-test-double"

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.fail_with: list[int] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> OpenAIEmbeddingsDouble:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        double = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def _json(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _error(self, status: int, message: str, kind: str) -> None:
                self._json(status, {"error": {"message": message, "type": kind, "param": None,
                                              "code": None}})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path != "/v1/embeddings":
                    self._error(404, f"no route {self.path} in the double", "invalid_request_error")
                    return
                double.requests.append(body)
                if self.headers.get("Authorization") != f"Bearer {double.api_key}":
                    self._error(401, "Incorrect API key provided", "invalid_request_error")
                    return
                if double.fail_with:
                    status = double.fail_with.pop(0)
                    self._error(status, f"injected {status}", "server_error" if status >= 500
                                else "invalid_request_error")
                    return
                inputs = body.get("input")
                if isinstance(inputs, str):
                    inputs = [inputs]
                if not body.get("model") or not isinstance(inputs, list) or not inputs or any(
                        not isinstance(t, str) or not t for t in inputs):
                    self._error(400, "'input' must be a non-empty string or list of strings",
                                "invalid_request_error")
                    return
                tokens = sum(len(t.split()) for t in inputs)
                self._json(200, {
                    "object": "list", "model": body["model"],
                    "data": [{"object": "embedding", "index": i, "embedding": fake_embedding(t)}
                             for i, t in enumerate(inputs)],
                    "usage": {"prompt_tokens": tokens, "total_tokens": tokens}})

        return Handler
