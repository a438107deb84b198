"""The fixture website (tests/fixtures/site) on a real HTTP server on 127.0.0.1.

Besides the files it serves the awkward parts of a real site: redirects (one off-site, a loop),
a PDF price list, a huge page, a non-HTML download, broken links, conditional GETs (ETag and
Last-Modified), and – on request – hostile pages (endless links, bad encoding, script-only, slow).
A second server stands for another domain ("localhost" instead of "127.0.0.1"); every request
both receive is recorded, so tests can assert what was *not* fetched.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

__all__ = ["PRICE_LIST_LINES", "FixtureSite", "make_pdf", "serve_site"]

SITE_DIR = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "site"
PRICE_LIST_LINES = [
    "Harbor City Plumbing - Price list 2026",
    "Garbage disposal replacement (1/2 HP, installed): $289",
    "Faucet installation: $159",
    "Outdoor hose bib replacement: $139",
    "Sump pump replacement: $650",
    "Pressure-reducing valve (PRV) replacement: $425",
    "Gas line leak test and pressure check: $150",
    "Prices include labour and standard parts. Trip fee outside Portland city limits: $35.",
]
LAST_MODIFIED = formatdate(1_780_000_000, usegmt=True)


def make_pdf(lines: list[str]) -> bytes:
    """A small valid PDF with one page of Helvetica text (what pypdf reads back)."""
    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    ops = ["BT", "/F1 11 Tf", "14 TL", "50 780 Td"]
    for line in lines:
        ops += [f"({esc(line)}) Tj", "T*"]
    ops.append("ET")
    stream = zlib.compress("\n".join(ops).encode("latin-1"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Title (Price list 2026) >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += (b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objects) + 1, xref))
    return bytes(out)


class FixtureSite:
    """Serves the fixture site; ``pages`` may be changed between crawls (re-crawl tests)."""

    def __init__(self, *, hostile: bool = False, extra_pages: dict[str, str] | None = None,
                 directory: Path = SITE_DIR) -> None:
        self.directory = directory
        self.hostile = hostile
        self.requests: list[str] = []
        self.foreign_requests: list[str] = []
        self.pages: dict[str, bytes] = {}
        self.removed: set[str] = set()
        self.extra_pages = extra_pages or {}
        self.extra_redirects: dict[str, str] = {}   # path -> Location (302)
        self.gzip_files: dict[str, bytes] = {}      # path -> raw bytes served as application/gzip
        self.active = 0                              # requests being answered right now
        self.peak_active = 0
        self.delay_s: dict[str, float] = {}         # path -> seconds to wait before answering
        self._active_lock = threading.Lock()
        self.base = ""
        self.foreign = ""
        self._servers: list[ThreadingHTTPServer] = []

    # -- content -------------------------------------------------------------------------
    def _render(self, text: str) -> bytes:
        header = (self.directory / "_partials" / "header.html").read_text()
        footer = (self.directory / "_partials" / "footer.html").read_text()
        return (text.replace("{{HEADER}}", header).replace("{{FOOTER}}", footer)
                .replace("{{BASE}}", self.base).replace("{{FOREIGN}}", self.foreign)
                .encode("utf-8"))

    def load(self) -> None:
        for path in sorted(self.directory.rglob("*")):
            rel = path.relative_to(self.directory).as_posix()
            if path.is_dir() or rel.startswith("_") or rel.endswith(".json"):
                continue
            if rel.endswith("index.html"):
                route = "/" + rel.removesuffix("index.html")
            elif rel.endswith(".html"):
                route = "/" + rel.removesuffix(".html")
            else:
                route = "/" + rel
            self.pages[route] = self._render(path.read_text())
        for route, html in self.extra_pages.items():
            self.pages[route] = self._render(html)
        self.pages["/price-list.pdf"] = make_pdf(PRICE_LIST_LINES)

    def set_page(self, route: str, html: str) -> None:
        self.pages[route] = self._render(html)

    # -- server --------------------------------------------------------------------------
    def start(self) -> None:
        main = _QuietServer(("127.0.0.1", 0), _handler(self, foreign=False))
        other = _QuietServer(("127.0.0.1", 0), _handler(self, foreign=True))
        self.base = f"http://127.0.0.1:{main.server_address[1]}"
        self.foreign = f"http://localhost:{other.server_address[1]}"
        self._servers = [main, other]
        for server in self._servers:
            threading.Thread(target=server.serve_forever, daemon=True).start()
        self.load()

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()

    def fetched(self, route: str) -> bool:
        return route in self.requests


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients hang up on purpose (a page that is too large, a timeout): not an error."""


def _handler(site: FixtureSite, *, foreign: bool) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _send(self, status: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8",
                  headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _redirect(self, status: int, location: str) -> None:
            self._send(status, b"", headers={"Location": location})

        def do_HEAD(self) -> None:
            self.do_GET()

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if foreign:
                site.foreign_requests.append(self.path)
                self._send(200, b"<html><title>Partner</title><body>Elsewhere</body></html>")
                return
            site.requests.append(self.path)
            with site._active_lock:
                site.active += 1
                site.peak_active = max(site.peak_active, site.active)
            try:
                self._answer(path)
            finally:
                with site._active_lock:
                    site.active -= 1

        def _answer(self, path: str) -> None:
            if path in site.delay_s:
                time.sleep(site.delay_s[path])
            if path in site.extra_redirects:
                self._redirect(302, site.extra_redirects[path])
                return
            if path in site.gzip_files:
                self._send(200, site.gzip_files[path], "application/gzip")
                return
            if site.hostile and self._hostile(path):
                return
            special = {
                "/old-services": lambda: self._redirect(301, "/services/"),
                "/specials": lambda: self._redirect(302, site.base + "/financing"),
                "/partner-offer": lambda: self._redirect(302, site.foreign + "/offer"),
                "/loop-a": lambda: self._redirect(302, "/loop-b"),
                "/loop-b": lambda: self._redirect(302, "/loop-a"),
                "/download/coupon": lambda: self._send(200, b"PK\x03\x04" + b"\0" * 200,
                                                       "application/zip"),
                "/files/truck.jpg": lambda: self._send(200, b"\xff\xd8\xff" + b"\0" * 100,
                                                       "image/jpeg"),
                "/huge": self._huge,
            }
            if path in special:
                special[path]()
                return
            body = site.pages.get(path)
            if body is None or path in site.removed:
                self._send(404, b"<html><body><h1>Not found</h1></body></html>")
                return
            ctype = {".pdf": "application/pdf", ".txt": "text/plain; charset=utf-8",
                     ".xml": "application/xml"}.get(Path(path).suffix, "text/html; charset=utf-8")
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self._send(304, b"", headers={"ETag": etag})
                return
            self._send(200, body, ctype, {"ETag": etag, "Last-Modified": LAST_MODIFIED})

        def _huge(self) -> None:
            chunk = b"<p>" + b"All work and no play makes a very long page. " * 200 + b"</p>\n"
            total = 6_000_000
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            sent = 0
            try:
                while sent < total:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    sent += len(chunk)
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True

        def _hostile(self, path: str) -> bool:
            if path.startswith("/trap/n/"):
                n = int(path.rsplit("/", 1)[-1] or 0)
                links = "".join(f'<a href="/trap/n/{n * 2 + i}">page {n * 2 + i}</a> '
                                for i in (1, 2))
                self._send(200, f"<html><title>Trap {n}</title><body><p>Calendar page {n}."
                                f"</p>{links}</body></html>".encode())
                return True
            if path == "/trap/bad-encoding":
                self._send(200, b"<html><title>Bad \xff\xfe</title><body><p>Caf\xe9 \x80\x81 "
                                b"menu \xc3\x28 prices</p></body></html>")
                return True
            if path == "/trap/script-only":
                self._send(200, b"<html><head><script>document.write('hi')</script></head>"
                                b"<body><script>var x = 1;</script></body></html>")
                return True
            if path == "/trap/slow":
                time.sleep(4)
                with contextlib.suppress(OSError):
                    self._send(200, b"<html><body><p>Too late</p></body></html>")
                return True
            if path == "/trap/garbage":
                self._send(200, bytes(range(256)) * 50)
                return True
            if path == "/trap/":
                self._send(200, b"""<html><title>Trap start</title><body>
                  <a href="/trap/n/0">calendar</a> <a href="/trap/bad-encoding">bad</a>
                  <a href="/trap/script-only">script</a> <a href="/trap/slow">slow</a>
                  <a href="/trap/garbage">garbage</a> <a href="/loop-a">loop</a>
                  <a href="/huge">huge</a></body></html>""")
                return True
            return False

    return Handler


@contextmanager
def serve_site(**kwargs: object) -> Iterator[FixtureSite]:
    site = FixtureSite(**kwargs)  # type: ignore[arg-type]
    site.start()
    try:
        yield site
    finally:
        site.stop()
