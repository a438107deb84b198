"""The app under a real uvicorn server on 127.0.0.1, in a background thread."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import Any

import uvicorn

from receptionist.app import create_app
from receptionist.core import Settings
from receptionist.services import Overrides, Services


def free_port() -> int:
    """A port that was free a moment ago, for servers that bind it themselves (CalDAV test
    servers, other processes). The app's own test servers use ``reserve_port`` instead."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# Ports whose socket is bound and held until an ``AppServer`` takes it, so nothing else can take
# the port between the settings naming it (PUBLIC_URL, signed webhooks) and the server listening.
_HELD: dict[int, socket.socket] = {}
_HELD_LOCK = threading.Lock()
_MAX_HELD = 64  # settings made for tests that never start a server give theirs back, oldest first


def reserve_port() -> int:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    with _HELD_LOCK:
        _HELD[port] = sock
        while len(_HELD) > _MAX_HELD:
            _HELD.pop(next(iter(_HELD))).close()
    return port


def take_reserved(port: int) -> socket.socket | None:
    with _HELD_LOCK:
        return _HELD.pop(port, None)


def release_port(port: int) -> None:
    """Give a reserved port back, for a server in another process that binds it itself."""
    sock = take_reserved(port)
    if sock is not None:
        sock.close()


class AppServer:
    def __init__(self, settings: Settings, services: Overrides | None = None) -> None:
        self.settings = settings
        self.app = create_app(settings, services)
        self.port = int(settings.public_url.rsplit(":", 1)[1])
        self._server = uvicorn.Server(uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on",
            ws="websockets-sansio",
        ))
        self._thread: threading.Thread | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def state(self) -> Services:
        """The running app's services (from ``receptionist.services.build_services``)."""
        services: Services = self.app.state.services
        return services

    def start(self) -> AppServer:
        held = take_reserved(self.port)
        sockets = [held] if held is not None else None

        def run() -> None:
            self.loop = asyncio.new_event_loop()
            self.loop.run_until_complete(self._server.serve(sockets=sockets))

        self._thread = threading.Thread(target=run, daemon=True, name="app-server")
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("app server did not start")
            time.sleep(0.01)
        return self

    def run_coro(self, coro: Any, timeout_s: float = 10.0) -> Any:
        """Run a coroutine on the server's loop (to reach its services)."""
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout_s)

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(15)
