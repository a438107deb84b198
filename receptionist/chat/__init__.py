"""The text channel: one conversation with the receptionist over text, with the same brain,
tools, prompts and records as a phone call and no speech (``receptionist chat``, ``POST
/api/chat``). Built by the composition root on the agent kit the calls use."""

from receptionist.chat.errors import (
    ChatError,
    ConversationBusy,
    ConversationEnded,
    ConversationNotFound,
)
from receptionist.chat.models import ChatConversation
from receptionist.chat.routes import router
from receptionist.chat.service import ChatExchange, ChatService
from receptionist.chat.store import CHANNEL, ChatTranscript

__all__ = [
    "CHANNEL",
    "ChatConversation",
    "ChatError",
    "ChatExchange",
    "ChatService",
    "ChatTranscript",
    "ConversationBusy",
    "ConversationEnded",
    "ConversationNotFound",
    "router",
]
