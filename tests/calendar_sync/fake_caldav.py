"""A minimal WebDAV server that says what a test wants: where the principal is (possibly on
another host), or an error page with words that must never reach the client. Every request is
recorded."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["FakeCaldav"]

_PRINCIPAL = """<?xml version="1.0" encoding="utf-8"?>
<d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:response>
<d:href>{path}</d:href><d:propstat><d:prop>
<d:resourcetype><d:collection/></d:resourcetype>
<d:current-user-principal><d:href>{principal}</d:href></d:current-user-principal>
<c:calendar-home-set><d:href>{home}</d:href></c:calendar-home-set>
</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>"""


class FakeCaldav:
    def __init__(self, *, principal: str = "/principal/", home: str = "/home/",
                 banner: str | None = None, banner_status: int = 200) -> None:
        self.banner_status = banner_status
        self.principal = principal
        self.home = home
        self.banner = banner          # when set, every answer is this error page (HTTP 200)
        self.requests: list[tuple[str, str, str]] = []   # (method, Host, path)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                fake.requests.append((self.command, self.headers.get("Host", ""), self.path))
                if fake.banner is not None:
                    body, status, ctype = fake.banner.encode(), fake.banner_status, "text/html"
                else:
                    body = _PRINCIPAL.format(path=self.path, principal=fake.principal,
                                            home=fake.home).encode()
                    status, ctype = 207, "application/xml; charset=utf-8"
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_PROPFIND = do_GET = do_REPORT = do_OPTIONS = _answer

        return Handler
