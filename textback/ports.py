"""What text-back needs from the outside world."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

__all__ = ["SentSms", "SmsSender"]


@dataclass(frozen=True)
class SentSms:
    sid: str
    status: str  # the provider's status at acceptance, e.g. "queued"


class SmsSender(Protocol):
    """Sends SMS. Raises ``textback.errors.SmsSendError`` (transient or permanent)."""

    async def send(self, *, to: str, from_: str, body: str,
                   status_callback: str | None) -> SentSms: ...

    async def find_sent(self, *, to: str, from_: str, body: str,
                        since: datetime) -> SentSms | None:
        """A message already accepted by the provider (for reconciling after a crash)."""
        ...

    async def aclose(self) -> None: ...
