"""SSRF guard for the crawl: the kernel's outbound policy, with the crawl's error type.

The start URL is checked up front for a clear error; after that the guarded transport checks
every connection (each link, each redirect hop) at the moment it is made, against the address it
connects to – see :mod:`receptionist.core.outbound`.
"""

from __future__ import annotations

from knowledge.errors import UnsafeUrl
from receptionist.core import BlockedDestination, OutboundPolicy, is_public_address

__all__ = ["check_url", "crawl_policy", "is_public_address"]

_HINT = "; set RECEPTIONIST_CRAWL_ALLOW_PRIVATE=true to crawl it in development"


def crawl_policy(*, allow_private: bool, policy: OutboundPolicy | None = None) -> OutboundPolicy:
    return policy or OutboundPolicy(allow_private=allow_private)


async def check_url(url: str, *, allow_private: bool,
                    policy: OutboundPolicy | None = None) -> None:
    """Raise :class:`UnsafeUrl` unless ``url`` is http(s) without credentials and (when private
    addresses are not allowed) every address its host resolves to is public."""
    try:
        await crawl_policy(allow_private=allow_private, policy=policy).check_url(url)
    except BlockedDestination as exc:
        raise UnsafeUrl(f"{exc}{_HINT if 'private' in str(exc) else ''}") from exc
