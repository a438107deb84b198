"""A small stand-in for DNS and the internet, for the outbound guard's tests: names resolve to
the answers a test sets (each lookup counted, answers may change between lookups - DNS
rebinding), and connections to "public" addresses are routed to local servers. No real DNS and
no real internet is used."""

from __future__ import annotations

from collections.abc import Iterable

import httpcore

__all__ = ["FakeDns", "RoutedNetwork"]


class FakeDns:
    """``answers[name]`` is a list of answers, one per lookup; the last one repeats."""

    def __init__(self, answers: dict[str, list[list[str]]]) -> None:
        self.answers = answers
        self.lookups: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        try:
            options = self.answers[host]
        except KeyError:
            raise OSError(f"NXDOMAIN {host}") from None
        n = sum(1 for h in self.lookups if h == host) - 1
        return options[min(n, len(options) - 1)]


class RoutedNetwork(httpcore.AsyncNetworkBackend):
    """Connects ``routes[address]`` instead of ``address`` (a public address standing for a
    local server); any other address fails like an unreachable host. Records every connect."""

    def __init__(self, routes: dict[str, tuple[str, int]] | None = None) -> None:
        self.routes = routes or {}
        self.connects: list[tuple[str, int]] = []
        self._real = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int,
                          timeout: float | None = None,  # noqa: ASYNC109 (httpcore's API)
                          local_address: str | None = None,
                          socket_options: Iterable[object] | None = None,
                          ) -> httpcore.AsyncNetworkStream:
        self.connects.append((host, port))
        if host not in self.routes:
            raise httpcore.ConnectError(f"{host} is not reachable from the test network")
        real_host, real_port = self.routes[host]
        return await self._real.connect_tcp(real_host, real_port, timeout=timeout)

    async def connect_unix_socket(self, path: str,
                                  timeout: float | None = None,  # noqa: ASYNC109 (httpcore's API)
                                  socket_options: Iterable[object] | None = None,
                                  ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("no unix sockets here")

    async def sleep(self, seconds: float) -> None:
        await self._real.sleep(seconds)
