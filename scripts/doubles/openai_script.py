"""What a test scripts into the OpenAI doubles: the model's replies and the caller's words.

A *brain* is a plain function from the conversation so far to a :data:`Reply`; the doubles turn
that reply into the wire events of the API they fake. Caller words come from a
:class:`TextScript`, because the doubles cannot do speech recognition.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

__all__ = [
    "CallTool",
    "Reply",
    "ReplyPart",
    "Say",
    "ScriptExhaustedError",
    "TextScript",
    "reply_parts",
]

RequestT = TypeVar("RequestT")


@dataclass(frozen=True)
class Say:
    """The model answers with this text (spoken, in audio modes)."""

    text: str


@dataclass(frozen=True)
class CallTool:
    """The model calls a function. ``arguments`` may be a mapping or a ready JSON string.

    A raw string is sent as is, so a test can hand the client malformed JSON on purpose.
    """

    name: str
    arguments: Mapping[str, Any] | str = field(default_factory=dict)
    call_id: str | None = None

    def arguments_json(self) -> str:
        if isinstance(self.arguments, str):
            return self.arguments
        return json.dumps(dict(self.arguments), separators=(",", ":"))


ReplyPart = Say | CallTool
#: A bare string is shorthand for ``Say(text)``; a sequence makes one turn with several outputs,
#: e.g. a sentence followed by a function call.
Reply = str | Say | CallTool | Sequence[Say | CallTool]


def reply_parts(reply: Reply) -> tuple[ReplyPart, ...]:
    if isinstance(reply, str):
        return (Say(reply),)
    if isinstance(reply, Say | CallTool):
        return (reply,)
    parts = tuple(reply)
    for part in parts:
        if not isinstance(part, Say | CallTool):
            raise TypeError(f"a brain must return Say/CallTool parts, got {part!r}")
    return parts


class ScriptExhaustedError(LookupError):
    """A double needed another scripted text but the test supplied no more."""


class TextScript(Generic[RequestT]):
    """Texts handed out one per request: from a queue, or computed by a callable.

    Thread-safe, because a double may run its server on its own thread while the test appends.
    """

    def __init__(self, source: Iterable[str] | Callable[[RequestT], str] = ()) -> None:
        self._lock = threading.Lock()
        self._compute: Callable[[RequestT], str] | None = None
        self._queue: deque[str] = deque()
        if callable(source):
            self._compute = source
        else:
            self._queue.extend(source)

    def extend(self, texts: Iterable[str]) -> None:
        with self._lock:
            self._queue.extend(texts)

    def next(self, request: RequestT) -> str:
        if self._compute is not None:
            return self._compute(request)
        with self._lock:
            if not self._queue:
                raise ScriptExhaustedError("no scripted text left for this request")
            return self._queue.popleft()
