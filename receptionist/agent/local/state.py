"""The local brain's small helpers: the tool runner that records every call, the reply it gives
and how a service or a time is said. What it remembers of a call is in ``dialog``; picking the
answer from website text is in ``answers``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from receptionist.agent.ports import CallAction, CallContext, ToolBox, ToolCall, ToolResult

__all__ = [
    "Said",
    "ToolRun",
    "a",
    "on",
    "plain_name",
    "said",
    "say_of",
]


@dataclass(frozen=True)
class Said:
    text: str
    action: CallAction | None = None


class ToolRun:
    """Runs tools for one reply and keeps the (call, result) pairs for the ``BrainReply``."""

    def __init__(self, tools: ToolBox, ctx: CallContext) -> None:
        self.tools = tools
        self.ctx = ctx
        self.calls: list[tuple[ToolCall, ToolResult]] = []

    async def __call__(self, tool: str, /, **arguments: Any) -> ToolResult:
        call = ToolCall(call_id=f"local_{len(self.calls) + 1}", name=tool, arguments=arguments)
        result = await self.tools.run(self.ctx, call)
        self.calls.append((call, result))
        return result


def said(text: str, action: CallAction | None = None) -> Said:
    return Said(text, action)


def say_of(result: ToolResult, default: str) -> str:
    say = result.data.get("say")
    return str(say) if say else default


def plain_name(service: str) -> str:
    """A service as said in a sentence: "Emergency call-out (nights)" → "emergency call-out"."""
    return re.sub(r"\s*\(.*?\)", "", service).strip().lower()


def a(service: str) -> str:
    """ "a drain cleaning", "an emergency call-out"."""
    name = plain_name(service)
    return f"an {name}" if name[:1] in "aeiou" else f"a {name}"


def on(label: str) -> str:
    """ "on Tuesday the 9th at 3 pm", but "tomorrow at 3 pm"."""
    return label if label.startswith(("today", "tomorrow", "on ")) else f"on {label}"
