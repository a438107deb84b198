"""Building tool results, the one way a tool fails, and cleaning untrusted argument text
(shared by the tool modules, the tool box and the live call).

A tool that is slow, broken or missing never ends a call or a chat: :func:`run_guarded` turns
it into ``ToolResult(ok=False)`` with a short ``error`` code and a sentence in ``data["say"]``
that the brain may speak and the model reads, worded the same on every channel.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable
from typing import Any

from receptionist.agent.ports import ToolResult
from receptionist.agent.untrusted import looks_like_instruction
from receptionist.core import log_event

__all__ = ["clean_name", "clean_text", "fail", "ok", "run_guarded", "tools_unavailable"]

log = logging.getLogger("receptionist.agent.tools")

_SLOW = ("Sorry, that's taking too long. Let me take a message instead and the team will get "
         "back to you.")
_BROKEN = "Sorry, something went wrong on my side. I can take a message for the team."

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_NAME = re.compile(r"^[^\W\d_][^\W\d_ .'-]*(?:[ .'-]+[^\W\d_][^\W\d_.'-]*){0,4}\.?\Z")


def ok(**data: Any) -> ToolResult:
    return ToolResult(ok=True, data=data)


def fail(error: str, say: str, **data: Any) -> ToolResult:
    """A failure the agent can speak about: ``say`` is a sentence for the caller."""
    return ToolResult(ok=False, data={"say": say, **data}, error=error)


def tools_unavailable() -> ToolResult:
    """The result of any tool on a call that has no tool box."""
    return fail("unavailable", _BROKEN)


async def run_guarded(work: Awaitable[ToolResult], *, tool: str, call_sid: str,
                      timeout_s: float | None) -> ToolResult:
    """Await one tool's work; past ``timeout_s`` (None: the work keeps its own time) or when
    it raises, the caller hears an apology and an offer to take a message."""
    try:
        async with asyncio.timeout(timeout_s):
            return await work
    except TimeoutError:
        log_event(log, "agent.tool.timed_out", logging.WARNING, call_sid=call_sid, tool=tool,
                  timeout_s=timeout_s)
        return fail("timeout", _SLOW)
    except Exception as exc:  # a tool must never take the call down; the caller hears this
        log_event(log, "agent.tool.crashed", logging.ERROR, call_sid=call_sid, tool=tool,
                  error=repr(exc))
        return fail("internal", _BROKEN)


def clean_text(value: Any, max_chars: int) -> str:
    text = _CONTROL.sub(" ", str(value or ""))
    return " ".join(text.split())[:max_chars].strip()


def clean_name(value: Any) -> str | None:
    """A person's name, or None when the text does not look like one (digits, a sentence)."""
    name = clean_text(value, 80).strip(" ,.")
    if not name or not _NAME.match(name) or len(name.split()) > 5 or looks_like_instruction(name):
        return None
    return name
