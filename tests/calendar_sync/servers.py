"""Real CalDAV servers for tests, in this process on loopback, as python-caldav's ``testing.py``
runs them: Radicale (threaded WSGI server, htpasswd logins, ``[auth] delay = 0``) and Xandikos
(aiohttp on its own loop). Plus a TCP server that accepts and never answers (a hung CalDAV)."""

from __future__ import annotations

import contextlib
import re
import socket
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx

from tests.support.server import free_port

__all__ = ["HungServer", "RadicaleTestServer", "XandikosTestServer"]

MKCALENDAR = """<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>
<D:displayname>{name}</D:displayname></D:prop></D:set></C:mkcalendar>"""


class _Server:
    base: str
    username: str
    password: str

    def _client(self) -> httpx.Client:
        return httpx.Client(auth=(self.username, self.password), timeout=10)

    def make_calendar(self, name: str | None = None) -> str:
        """A new, empty calendar; returns its URL."""
        name = name or "Cal " + uuid.uuid4().hex[:6]
        url = f"{self.home}{uuid.uuid4().hex}/"
        with self._client() as client:
            r = client.request("MKCALENDAR", url, content=MKCALENDAR.format(name=name),
                               headers={"Content-Type": "application/xml"})
            assert r.status_code == 201, (r.status_code, r.text)
        return url

    @property
    def home(self) -> str:
        raise NotImplementedError

    def put(self, calendar_url: str, ical: str, name: str | None = None) -> str:
        href = f"{calendar_url}{name or uuid.uuid4().hex}.ics"
        with self._client() as client:
            r = client.put(href, content=ical.encode(),
                           headers={"Content-Type": "text/calendar; charset=utf-8"})
            assert r.status_code in (201, 204), (r.status_code, r.text)
        return href

    def get(self, href: str) -> httpx.Response:
        with self._client() as client:
            return client.get(href)

    def delete(self, url: str) -> None:
        with self._client() as client:
            client.delete(url)

    def list_hrefs(self, calendar_url: str) -> list[str]:
        with self._client() as client:
            r = client.request("PROPFIND", calendar_url,
                               headers={"Depth": "1", "Content-Type": "application/xml"},
                               content='<?xml version="1.0"?><propfind xmlns="DAV:"><prop>'
                                       "<getetag/></prop></propfind>")
        return [urljoin(calendar_url, h)
                for h in re.findall(r"<(?:\w+:)?href>([^<]+)</(?:\w+:)?href>", r.text)
                if h.endswith(".ics")]


class RadicaleTestServer(_Server):
    def __init__(self, username: str = "owner", password: str = "s3cret-pass") -> None:
        self.username = username
        self.password = password
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/"
        self._dir = tempfile.TemporaryDirectory(prefix="radicale-test-")
        self.folder = Path(self._dir.name)
        self._thread: threading.Thread | None = None
        self._shutdown: socket.socket | None = None
        self._peer: socket.socket | None = None

    @property
    def home(self) -> str:
        return f"{self.base}{self.username}/"

    def set_password(self, password: str) -> None:
        from passlib.hash import sha512_crypt

        (self.folder / "users").write_text(
            f"{self.username}:{sha512_crypt.using(rounds=5000).hash(password)}\n")

    def start(self) -> RadicaleTestServer:
        import radicale.config
        import radicale.server

        self.set_password(self.password)
        config = radicale.config.load([])
        config.update({
            "server": {"hosts": f"127.0.0.1:{self.port}"},
            "storage": {"filesystem_folder": str(self.folder / "collections")},
            "auth": {"type": "htpasswd", "htpasswd_filename": str(self.folder / "users"),
                     "htpasswd_encryption": "sha512", "delay": "0"},
            "rights": {"type": "owner_only"},
            "web": {"type": "none"},
            "logging": {"level": "error"},
        }, "tests", privileged=True)
        self._shutdown, self._peer = socket.socketpair()
        self._thread = threading.Thread(target=radicale.server.serve,
                                        args=(config, self._peer), daemon=True)
        self._thread.start()
        _wait_for_port(self.port)
        return self

    def stop(self) -> None:
        if self._shutdown is not None:
            self._shutdown.close()
        if self._thread is not None:
            self._thread.join(10)
        if self._peer is not None:
            self._peer.close()
        self._thread = self._shutdown = self._peer = None

    def close(self) -> None:
        self.stop()
        self._dir.cleanup()


class XandikosTestServer(_Server):
    """Xandikos through python-caldav's own embedded runner (no authentication)."""

    def __init__(self) -> None:
        from caldav.testing import XandikosServer

        self.username = "user1"
        self.password = ""
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/"
        self._server: Any = XandikosServer({"host": "127.0.0.1", "port": self.port,
                                            "username": self.username})

    @property
    def home(self) -> str:
        return f"{self.base}{self.username}/calendars/"

    def _client(self) -> httpx.Client:
        return httpx.Client(timeout=10)

    def start(self) -> XandikosTestServer:
        self._server.start()
        return self

    def close(self) -> None:
        self._server.stop()


class HungServer:
    """Accepts connections and never answers: a CalDAV server that hangs."""

    def __init__(self) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/dav/"
        self._conns: list[socket.socket] = []
        self._stop = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        self._sock.settimeout(0.1)
        while not self._stop:
            with contextlib.suppress(OSError):
                conn, _ = self._sock.accept()
                self._conns.append(conn)

    def close(self) -> None:
        self._stop = True
        self._thread.join(2)
        for conn in self._conns:
            conn.close()
        self._sock.close()


def _wait_for_port(port: int, timeout_s: float = 10) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.02)
    raise RuntimeError(f"nothing listens on {port}")
