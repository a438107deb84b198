"""The local brain's memory of a call and its small helpers: what it is waiting for and the
tool runner that records every call. Picking the answer from website text is in ``answers``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from receptionist.agent.ports import CallContext, ToolBox, ToolCall, ToolResult

__all__ = [
    "QUESTIONS",
    "Dialog",
    "Said",
    "ToolRun",
    "a",
    "local_start",
    "on",
    "plain_name",
    "said",
    "say_of",
]


@dataclass
class Dialog:
    """What the local brain remembers about one call."""

    task: str | None = None  # "book" | "message" | "cancel" | "reschedule"
    awaiting: str | None = None  # the question the agent just asked
    service: str | None = None
    when: str | None = None
    offered: list[dict[str, Any]] = field(default_factory=list)
    chosen: dict[str, Any] | None = None
    name: str | None = None
    reason: str | None = None
    urgent: bool = False
    existing: dict[str, Any] | None = None
    services: list[dict[str, Any]] | None = None
    last_service: str | None = None  # the service talked about last ("how much is that?")
    misses: int = 0
    last_reply: str = ""

    def reset_task(self) -> None:
        self.task = self.awaiting = self.service = self.when = self.chosen = None
        self.reason = None
        self.existing = None
        self.offered = []
        self.urgent = False


@dataclass(frozen=True)
class Said:
    text: str
    action: str | None = None


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

QUESTIONS = {
    "service": "What would you like to book?",
    "when": "What day and time would suit you?",
    "choice": "Which time would you like?",
    "name": "Can I get your name?",
    "confirm": "Shall I book it?",
    "message_name": "Can I get your name?",
    "reason": "What would you like me to pass on?",
    "confirm_cancel": "Shall I cancel it?",
}


def said(text: str, action: str | None = None) -> Said:
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


def local_start(slot: dict[str, Any], timezone: str) -> tuple[int, int, int] | None:
    try:
        start = datetime.fromisoformat(str(slot.get("start", "")))
    except ValueError:
        return None
    if start.tzinfo is not None:
        start = start.astimezone(ZoneInfo(timezone))
    return start.weekday(), start.hour, start.minute
