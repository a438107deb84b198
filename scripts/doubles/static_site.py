"""A static document root on a real HTTP server on 127.0.0.1, as a site builder's export is
served: files as they are, ``dir/`` as ``dir/index.html``, 404 for the rest, and the
``__BASE__`` placeholder (see the real-sites README) replaced by the served base URL."""

from __future__ import annotations

import mimetypes
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

__all__ = ["StaticSite"]

_TEXT = (".html", ".htm", ".xml", ".txt", ".js", ".css", ".json")


class StaticSite:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.base = ""
        self._server: ThreadingHTTPServer | None = None

    def __enter__(self) -> StaticSite:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                path = unquote(urlsplit(self.path).path).lstrip("/")
                target = (site.root / path).resolve()
                if target.is_dir():
                    target = target / "index.html"
                if site.root not in target.parents or not target.is_file():
                    self.send_error(404)
                    return
                body = target.read_bytes()
                if target.suffix.lower() in _TEXT:
                    body = body.replace(b"__BASE__", site.base.encode())
                kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
