"""The tool box the brains call (booking, messages, transfer, knowledge) and its subsystem adapters.

Adapters that pull in a subsystem (``CalendarScheduler``, ``KnowledgeServiceLookup``,
``TextbackMessenger``) are imported on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from receptionist.agent.tools.result import fail, ok, run_guarded, tools_unavailable
from receptionist.agent.tools.schema import TOOL_SPECS, chat_tools, check_arguments, realtime_tools
from receptionist.agent.tools.toolbox import AgentTools

if TYPE_CHECKING:
    from receptionist.agent.tools.calendar_scheduler import CalendarScheduler
    from receptionist.agent.tools.knowledge_lookup import KnowledgeServiceLookup
    from receptionist.agent.tools.textback_messenger import TextbackMessenger

_LAZY = {
    "CalendarScheduler": "receptionist.agent.tools.calendar_scheduler",
    "KnowledgeServiceLookup": "receptionist.agent.tools.knowledge_lookup",
    "TextbackMessenger": "receptionist.agent.tools.textback_messenger",
}

__all__ = [
    "TOOL_SPECS",
    "AgentTools",
    "CalendarScheduler",
    "KnowledgeServiceLookup",
    "TextbackMessenger",
    "chat_tools",
    "check_arguments",
    "fail",
    "ok",
    "realtime_tools",
    "run_guarded",
    "tools_unavailable",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
