"""What can go wrong with a text conversation::

    ChatError                   root
     ├── ConversationNotFound   no such conversation (or not this business's): 404
     ├── ConversationEnded      the agent said goodbye; start a new one: 409
     └── ConversationBusy       another turn of it is being answered right now: 409
"""

from __future__ import annotations

__all__ = ["ChatError", "ConversationBusy", "ConversationEnded", "ConversationNotFound"]


class ChatError(Exception):
    """A text conversation could not take this turn."""


class ConversationNotFound(ChatError, LookupError):
    def __init__(self, conversation_id: str) -> None:
        super().__init__(f"no conversation {conversation_id!r}")


class ConversationEnded(ChatError):
    def __init__(self, conversation_id: str) -> None:
        super().__init__(f"conversation {conversation_id!r} has ended; start a new one")


class ConversationBusy(ChatError):
    def __init__(self, conversation_id: str) -> None:
        super().__init__(f"conversation {conversation_id!r} is answering another message; "
                         "send this one again when that answer has come")
