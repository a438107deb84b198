"""SSRF guard: a crawl only talks to public addresses unless development allows private ones.

The host of every request is resolved and *all* its addresses checked before the request is
sent – the start URL, every link and every redirect hop.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from knowledge.errors import UnsafeUrl

__all__ = ["check_url", "is_public_address"]


def is_public_address(ip: str) -> bool:
    """Globally routable unicast only: no private, loopback, link-local, shared, reserved,
    multicast or unspecified address (IPv4-mapped IPv6 judged as its IPv4)."""
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    return addr.is_global and not addr.is_multicast


async def check_url(url: str, *, allow_private: bool, timeout_s: float = 5.0) -> None:
    """Raise :class:`UnsafeUrl` unless ``url`` is http(s) and (when private addresses are not
    allowed) every address its host resolves to is public."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeUrl(f"{url!r} is not an http(s) URL")
    if parts.username or parts.password:
        raise UnsafeUrl(f"{url!r}: URLs with credentials are not crawled")
    if allow_private:
        return
    host = parts.hostname
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM), timeout_s)
    except (TimeoutError, OSError) as exc:
        raise UnsafeUrl(f"cannot resolve {host!r}") from exc
    addresses = {str(info[4][0]) for info in infos}
    blocked = sorted(a for a in addresses if not is_public_address(a))
    if blocked or not addresses:
        raise UnsafeUrl(
            f"{host} resolves to a private, loopback or link-local address ({', '.join(blocked)});"
            " set RECEPTIONIST_CRAWL_ALLOW_PRIVATE=true to crawl it in development")
