"""What text-back needs from the outside world."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

__all__ = ["ProviderMessage", "SentSms", "SmsSender"]


@dataclass(frozen=True)
class SentSms:
    sid: str
    status: str  # the provider's status at acceptance, e.g. "queued"


@dataclass(frozen=True)
class ProviderMessage:
    """A message as the provider holds it, for the "did it already go out?" lookup."""

    sid: str
    status: str
    body: str  # as the provider stored it: it may have rewritten ours (smart encoding, links)
    created_at: datetime | None


class SmsSender(Protocol):
    """Sends SMS. Raises ``textback.errors.SmsSendError`` (transient or permanent)."""

    async def send(self, *, to: str, from_: str, body: str,
                   status_callback: str | None) -> SentSms: ...

    async def sent_since(self, *, to: str, from_: str,
                         since: datetime) -> list[ProviderMessage]:
        """Every message from ``from_`` to ``to`` the provider created at or after ``since``,
        newest first, across all pages. Raises a transient ``SmsSendError`` when it cannot
        tell (unreachable, or more messages than it will page through)."""
        ...

    async def aclose(self) -> None: ...
