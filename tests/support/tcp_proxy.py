"""A TCP proxy on 127.0.0.1, in its own thread, for taking a server away from the app under test:
``cut()`` resets every open connection and refuses new ones (a database restarting),
``stall()`` forwards what the app sends but holds every answer (a server that hangs), and
``restore()`` passes traffic again. Loopback only; stops with the test."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
from typing import Any, Self

__all__ = ["TcpProxy"]


class TcpProxy:
    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = int(sock.getsockname()[1])
        sock.close()
        self.accepted = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._flowing = asyncio.Event()  # set: answers pass; clear: held (stalled)
        self._stall_on: bytes | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    # -- control (from the test's thread or loop) -------------------------------------------

    def start(self) -> Self:
        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._loop.run_until_complete(self._listen())
            self._ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, daemon=True, name="tcp-proxy")
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the proxy did not start")
        return self

    def cut(self) -> None:
        """Reset every connection and stop listening: connects are refused until restore()."""
        self._call(self._cut)

    def stall(self) -> None:
        """Keep accepting and forwarding requests upstream, but hold every answer."""
        self._call(self._stall)

    def stall_from(self, request: bytes) -> None:
        """Pass traffic until the app sends ``request`` (e.g. ``b"PUT "``), then stall as
        ``stall()`` does: that request reaches the server, its answer never comes back."""
        self._stall_on = request

    def restore(self) -> None:
        self._call(self._restore)

    def stop(self) -> None:
        if self._loop is None:
            return
        self._call(self._cut)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _call(self, fn: Any) -> None:
        assert self._loop is not None
        asyncio.run_coroutine_threadsafe(fn(), self._loop).result(10)

    # -- inside the proxy's loop ------------------------------------------------------------

    async def _listen(self) -> None:
        self._flowing.set()
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port,
                                                  reuse_address=True)

    async def _cut(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            _reset(writer)
        self._writers.clear()

    async def _stall(self) -> None:
        self._flowing.clear()

    async def _restore(self) -> None:
        self._stall_on = None
        self._flowing.set()
        if self._server is None:
            await self._listen()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            _reset(writer)
            return
        self._writers |= {writer, up_writer}
        try:
            await asyncio.gather(self._pipe(reader, up_writer, held=False),
                                 self._pipe(up_reader, writer, held=True))
        finally:
            for w in (writer, up_writer):
                self._writers.discard(w)
                with contextlib.suppress(Exception):
                    w.close()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *,
                    held: bool) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                if held:
                    await self._flowing.wait()
                elif self._stall_on is not None and self._stall_on in data:
                    self._flowing.clear()
                writer.write(data)
                await writer.drain()
        with contextlib.suppress(Exception):
            writer.close()


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP reset, as a server process that dies does, not a polite FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
