"""The embedded SMS "provider": logs the text and keeps it in the database, sends nothing.

Lets a new install show the whole flow (text-backs, forwards, confirmations) without an account;
the dashboard and ``receptionist messages`` show what would have been sent.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime

from receptionist.core import log_event, mask
from textback.ports import ProviderMessage, SentSms
from textback.segments import count_segments

__all__ = ["ConsoleSmsSender"]

log = logging.getLogger("textback.console")


class ConsoleSmsSender:
    async def send(self, *, to: str, from_: str, body: str,
                   status_callback: str | None) -> SentSms:
        # Numbers masked and no body, like every other log line: the body is in the database
        # (dashboard, ``receptionist messages``), logs travel further.
        log_event(log, "textback.console_sms", to=mask(to), from_=mask(from_),
                  chars=len(body), segments=count_segments(body).segments)
        return SentSms(sid="SM" + secrets.token_hex(16), status="delivered")

    async def sent_since(self, *, to: str, from_: str,
                         since: datetime) -> list[ProviderMessage]:
        return []  # every send "succeeds" at once: there is never an unknown outcome

    async def aclose(self) -> None:
        return None
