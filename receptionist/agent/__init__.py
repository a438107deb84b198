"""The conversation's brains, tools, prompts and call records.

``Brain``/``ToolBox`` and the other ports are what the call machinery (the conversation state
machine in ``receptionist.call.conversation`` and the engines) codes against; the composition
root (``receptionist.services``) binds the tools to the knowledge, calendar and text-back services.
Adapters that pull in an SDK or a subsystem (``OpenAIChatBrain``, ``CalendarScheduler``,
``KnowledgeServiceLookup``, ``TextbackMessenger``) are imported on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from receptionist.agent.facts import (
    BusinessFacts,
    Directory,
    ServiceInfo,
)
from receptionist.agent.kit import (
    AgentKit,
    build_agent_kit,
    uses_remote_brain,
)
from receptionist.agent.local import (
    LocalBrain,
)
from receptionist.agent.models import (
    AgentMessage,
    CallSummary,
    ToolCallRow,
    TranscriptTurn,
)
from receptionist.agent.ports import (
    BookingChange,
    BookingOutcome,
    Brain,
    BrainError,
    BrainRejected,
    BrainReply,
    BrainUnavailable,
    BusinessProfile,
    CallAction,
    CallContext,
    CallControl,
    KnowledgeHit,
    KnowledgeLookup,
    Messenger,
    Scheduler,
    SchedulerError,
    Slot,
    SlotOffer,
    StreamingBrain,
    TeamNote,
    ToolBox,
    ToolCall,
    ToolResult,
    Turn,
    UpcomingBooking,
)
from receptionist.agent.prompts import (
    PromptBook,
    build_instructions,
    greeting_for,
    greeting_from,
    instructions_for,
    looks_like_instruction,
    quote_data,
    transfer_refused,
)
from receptionist.agent.records import (
    CallRecord,
    CallRecorder,
    EndReason,
    RecordedTool,
    RecordedTurn,
    StoredCall,
    TurnStages,
    list_messages,
    load_call,
    store_call,
    summarize,
)
from receptionist.agent.tools.result import run_guarded, tools_unavailable
from receptionist.agent.tools.schema import (
    chat_tools,
    realtime_tools,
)
from receptionist.agent.tools.toolbox import (
    AgentTools,
)

if TYPE_CHECKING:
    from receptionist.agent.openai_brain import OpenAIChatBrain, translate_error
    from receptionist.agent.tools.calendar_scheduler import CalendarScheduler
    from receptionist.agent.tools.knowledge_lookup import KnowledgeServiceLookup
    from receptionist.agent.tools.textback_messenger import TextbackMessenger

_LAZY = {
    "CalendarScheduler": "receptionist.agent.tools.calendar_scheduler",
    "KnowledgeServiceLookup": "receptionist.agent.tools.knowledge_lookup",
    "OpenAIChatBrain": "receptionist.agent.openai_brain",
    "TextbackMessenger": "receptionist.agent.tools.textback_messenger",
    "translate_error": "receptionist.agent.openai_brain",
}

__all__ = [
    "AgentKit",
    "AgentMessage",
    "AgentTools",
    "BookingChange",
    "BookingOutcome",
    "Brain",
    "BrainError",
    "BrainRejected",
    "BrainReply",
    "BrainUnavailable",
    "BusinessFacts",
    "BusinessProfile",
    "CalendarScheduler",
    "CallAction",
    "CallContext",
    "CallControl",
    "CallRecord",
    "CallRecorder",
    "CallSummary",
    "Directory",
    "EndReason",
    "KnowledgeHit",
    "KnowledgeLookup",
    "KnowledgeServiceLookup",
    "LocalBrain",
    "Messenger",
    "OpenAIChatBrain",
    "PromptBook",
    "RecordedTool",
    "RecordedTurn",
    "Scheduler",
    "SchedulerError",
    "ServiceInfo",
    "Slot",
    "SlotOffer",
    "StoredCall",
    "StreamingBrain",
    "TeamNote",
    "TextbackMessenger",
    "ToolBox",
    "ToolCall",
    "ToolCallRow",
    "ToolResult",
    "TranscriptTurn",
    "Turn",
    "TurnStages",
    "UpcomingBooking",
    "build_agent_kit",
    "build_instructions",
    "chat_tools",
    "greeting_for",
    "greeting_from",
    "instructions_for",
    "list_messages",
    "load_call",
    "looks_like_instruction",
    "quote_data",
    "realtime_tools",
    "run_guarded",
    "store_call",
    "summarize",
    "tools_unavailable",
    "transfer_refused",
    "translate_error",
    "uses_remote_brain",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
