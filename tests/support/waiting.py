"""Waiting, bounded, for something another process or thread does (a text at the Twilio double,
a row a server wrote)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

__all__ = ["wait_until"]


async def wait_until(done: Callable[[], bool], timeout_s: float, every_s: float = 0.05) -> bool:
    """Poll ``done`` until it is true or ``timeout_s`` passes; returns its last answer."""
    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(every_s)
    return True
