"""The guard on every request the product makes on a user's behalf (the website crawl, CalDAV).

A user names the address (a website, a calendar server), so without a guard the product could be
made to reach what only it can reach: loopback, the private network, a cloud metadata endpoint.
The rule lives here, once:

- a host is resolved **once** and every address it resolves to must be public; the connection is
  then made to that checked address. Nothing resolves the name again, so a DNS answer that changes
  between the check and the connection (rebinding) cannot lead inside;
- TLS still uses the name (SNI and certificate check) and the ``Host`` header is unchanged;
- every connection is checked, so every redirect hop and every URL a server names (a CalDAV
  calendar-home-set, an event's href) is checked too;
- IPv6 spellings of an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64 ``64:ff9b::/96`` and
  ``64:ff9b:1::/48``, 6to4 ``2002::/16``) are judged by the IPv4 address inside them.

``OutboundPolicy(allow_private=True)`` lifts the rule for development and tests on 127.0.0.1
(``RECEPTIONIST_CRAWL_ALLOW_PRIVATE``, ``RECEPTIONIST_CALENDAR_ALLOW_PRIVATE``). The resolver is
injectable, so tests control DNS instead of depending on it.

``guarded_transport(policy)`` is the httpx transport; other HTTP stacks plug
:meth:`OutboundPolicy.addresses` into their own resolver hook.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpcore
import httpx

__all__ = [
    "BlockedDestination",
    "OutboundPolicy",
    "Resolver",
    "guarded_transport",
    "is_public_address",
    "system_resolver",
]

Resolver = Callable[[str, int], Awaitable[list[str]]]
"""``(host, port) -> addresses``: how a name becomes addresses (DNS by default)."""

_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


class BlockedDestination(Exception):
    """The address is not one the product may reach for a user; the text says why (no secret,
    nothing the remote side said)."""


async def system_resolver(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _embedded_ipv4(addr: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    if addr.sixtofour is not None:
        return addr.sixtofour
    if any(addr in net for net in _NAT64) or (addr in _IPV4_COMPATIBLE and int(addr) > 1):
        return ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
    return None


def is_public_address(ip: str) -> bool:
    """Globally routable unicast only: no private, loopback, link-local, shared, reserved,
    documentation, multicast or unspecified address, in any IPv6 spelling of an IPv4 one."""
    try:
        addr = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv6Address):
        inner = _embedded_ipv4(addr)
        if inner is not None:
            return is_public_address(str(inner))
    return addr.is_global and not addr.is_multicast


@dataclass(frozen=True)
class OutboundPolicy:
    allow_private: bool = False
    resolver: Resolver = system_resolver
    resolve_timeout_s: float = 5.0
    # Addresses reachable even though they are not public (an operator's own CalDAV server on
    # the office network, a test server on 127.0.0.1).
    trusted: tuple[str, ...] = field(default=())

    def _allowed(self, ip: str) -> bool:
        if self.allow_private or is_public_address(ip):
            return True
        try:
            addr = ipaddress.ip_address(ip.split("%", 1)[0])
        except ValueError:
            return False
        return any(addr in ipaddress.ip_network(net, strict=False) for net in self.trusted)

    def check_url_form(self, url: str) -> None:
        """What can be refused without a lookup: not http(s), credentials in the URL, a literal
        address that is not allowed."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise BlockedDestination(f"{url!r} is not an http(s) URL")
        if parts.username or parts.password:
            raise BlockedDestination("URLs with a username or password in them are not used")
        host = parts.hostname
        try:
            ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            return
        if not self._allowed(host):
            raise BlockedDestination(self._refusal(host, [host]))

    async def check_url(self, url: str) -> None:
        """Refuse ``url`` before any request (a clear error for the owner); the connection is
        checked again when it is made, against the address it is made to."""
        self.check_url_form(url)
        if self.allow_private:
            return
        parts = urlsplit(url)
        assert parts.hostname is not None
        await self.addresses(parts.hostname,
                                    parts.port or (443 if parts.scheme == "https" else 80))

    async def addresses(self, host: str, port: int) -> list[str]:
        """The addresses to connect to for ``host``: resolved once, every one of them allowed."""
        host = host.strip("[]")
        try:
            async with asyncio.timeout(self.resolve_timeout_s):
                found = await self.resolver(host, port)
        except (TimeoutError, OSError, UnicodeError) as exc:
            raise BlockedDestination(f"cannot resolve {host!r}") from exc
        if not found:
            raise BlockedDestination(f"cannot resolve {host!r}")
        blocked = [a for a in found if not self._allowed(a)]
        if blocked:
            raise BlockedDestination(self._refusal(host, blocked))
        return found

    @staticmethod
    def _refusal(host: str, blocked: Iterable[str]) -> str:
        return (f"{host} is a private, loopback or link-local address "
                f"({', '.join(sorted(set(blocked)))})")


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Connects only to addresses the policy returned for the name; TLS (done by httpcore on
    the stream this returns) still sends and verifies the name."""

    def __init__(self, policy: OutboundPolicy, inner: httpcore.AsyncNetworkBackend) -> None:
        self._policy = policy
        self._inner = inner

    async def connect_tcp(self, host: str, port: int,
                          timeout: float | None = None,  # noqa: ASYNC109 (httpcore's API)
                          local_address: str | None = None,
                          socket_options: Iterable[object] | None = None,
                          ) -> httpcore.AsyncNetworkStream:
        addresses = await self._policy.addresses(host, port)
        last: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address,
                    socket_options=socket_options)  # type: ignore[arg-type]
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(self, path: str,
                                  timeout: float | None = None,  # noqa: ASYNC109 (httpcore's API)
                                  socket_options: Iterable[object] | None = None,
                                  ) -> httpcore.AsyncNetworkStream:
        raise BlockedDestination("unix sockets are not reachable from outside requests")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _GuardedTransport(httpx.AsyncHTTPTransport):
    def __init__(self, policy: OutboundPolicy, *, max_connections: int,
                 inner: httpcore.AsyncNetworkBackend | None) -> None:
        super().__init__(trust_env=False)
        # Replaces the pool httpx built: the same pool, on the guarded network backend.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=max_connections, max_keepalive_connections=max_connections,
            keepalive_expiry=5.0, http1=True, http2=False,
            network_backend=_GuardedBackend(policy, inner or httpcore.AnyIOBackend()))


def guarded_transport(policy: OutboundPolicy, *, max_connections: int = 10,
                      inner: httpcore.AsyncNetworkBackend | None = None
                      ) -> httpx.AsyncBaseTransport:
    """An httpx transport whose every connection obeys ``policy``. Use it with
    ``httpx.AsyncClient(transport=…, trust_env=False)`` – a proxy from the environment would
    otherwise make the connections instead. ``inner`` is the network underneath (tests)."""
    return _GuardedTransport(policy, max_connections=max_connections, inner=inner)

