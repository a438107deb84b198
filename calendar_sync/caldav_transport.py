"""The HTTP session under python-caldav's async client, on the kernel's outbound guard.

caldav talks HTTP through niquests; niquests resolves names through a urllib3-future resolver,
which is the hook used here: every name the client connects to – the account URL the owner
typed, the principal and calendar-home-set URLs the server names, every event href, every
redirect – is resolved once by :class:`~receptionist.core.OutboundPolicy`, and the socket is
opened to exactly the addresses it allowed (TLS still verifies the name). No proxy from the
environment: it would make the connection instead.
"""

from __future__ import annotations

import socket
from typing import Any

from caldav.aio import AsyncDAVClient
from niquests import AsyncSession
from niquests.packages.urllib3.contrib.resolver import ProtocolResolver
from niquests.packages.urllib3.contrib.resolver._async import AsyncBaseResolver

from receptionist.core import OutboundPolicy

__all__ = ["GuardedDAVClient"]


class _GuardedResolver(AsyncBaseResolver):  # type: ignore[misc]  # untyped library
    protocol = ProtocolResolver.SYSTEM
    implementation = "outbound-policy"

    def __init__(self, policy: OutboundPolicy) -> None:
        super().__init__(None, None)
        self._policy = policy

    async def getaddrinfo(
        self, host: bytes | str | None, port: str | int | None, family: socket.AddressFamily,
        type: socket.SocketKind, proto: int = 0, flags: int = 0, *,
        quic_upgrade_via_dns_rr: bool = False,
    ) -> list[tuple[socket.AddressFamily, socket.SocketKind, int, str,
                    tuple[str, int] | tuple[str, int, int, int]]]:
        name = host.decode("idna") if isinstance(host, bytes) else str(host or "localhost")
        number = int(port or 0)
        found: list[tuple[socket.AddressFamily, socket.SocketKind, int, str,
                          tuple[str, int] | tuple[str, int, int, int]]] = []
        for address in await self._policy.addresses(name, number):
            af = socket.AF_INET6 if ":" in address else socket.AF_INET
            if family not in (socket.AF_UNSPEC, af):
                continue
            where: tuple[str, int] | tuple[str, int, int, int] = \
                (address, number, 0, 0) if af == socket.AF_INET6 else (address, number)
            found.append((af, type or socket.SOCK_STREAM, proto, "", where))
        return found

    def recycle(self) -> AsyncBaseResolver:
        return self

    async def close(self) -> None:
        """Nothing to release: the policy holds no sockets."""

    def is_available(self) -> bool:
        return True


class GuardedDAVClient(AsyncDAVClient):
    """``AsyncDAVClient`` whose every connection obeys ``policy``."""

    def __init__(self, *args: Any, policy: OutboundPolicy, **kwargs: Any) -> None:
        self._outbound_policy = policy
        super().__init__(*args, **kwargs)

    def _create_session(self) -> None:
        session = AsyncSession(resolver=_GuardedResolver(self._outbound_policy))
        session.trust_env = False
        self.session = session
