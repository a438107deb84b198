"""Building tool results and cleaning untrusted argument text (shared by the tool modules)."""

from __future__ import annotations

import re
from typing import Any

from receptionist.agent.ports import ToolResult
from receptionist.agent.untrusted import looks_like_instruction

__all__ = ["clean_name", "clean_text", "fail", "ok"]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_NAME = re.compile(r"^[^\W\d_][^\W\d_ .'-]*(?:[ .'-]+[^\W\d_][^\W\d_.'-]*){0,4}\.?$")


def ok(**data: Any) -> ToolResult:
    return ToolResult(ok=True, data=data)


def fail(error: str, say: str, **data: Any) -> ToolResult:
    """A failure the agent can speak about: ``say`` is a sentence for the caller."""
    return ToolResult(ok=False, data={"say": say, **data}, error=error)


def clean_text(value: Any, max_chars: int) -> str:
    text = _CONTROL.sub(" ", str(value or ""))
    return " ".join(text.split())[:max_chars].strip()


def clean_name(value: Any) -> str | None:
    """A person's name, or None when the text does not look like one (digits, a sentence)."""
    name = clean_text(value, 80).strip(" ,.")
    if not name or not _NAME.match(name) or len(name.split()) > 5 or looks_like_instruction(name):
        return None
    return name
