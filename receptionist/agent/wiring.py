"""One call for the composition root: the agent's tools, brains and prompts, bound to the three
subsystems' services.

    agent = build_agent(settings=settings, db=db, knowledge=knowledge_service,
                        calendar=calendar_service, textback=textback_service, clock=clock)
    agent.tools                  # ToolBox for every engine (Realtime: agent.realtime_tools())
    agent.brain                  # OpenAIChatBrain with a key, else the LocalBrain
    agent.local_brain            # the fallback when a model fails mid-call
    await agent.prompts.instructions(ctx), await agent.prompts.greeting(business_id)

Nothing here starts a connection: the OpenAI client connects on first use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from receptionist.agent.facts import Directory
from receptionist.agent.local.brain import LocalBrain
from receptionist.agent.ports import Brain, KnowledgeLookup, Messenger, Scheduler
from receptionist.agent.prompts import PromptBook
from receptionist.agent.tools.schema import realtime_tools
from receptionist.agent.tools.toolbox import AgentTools
from receptionist.core import Clock, Database, Settings, SystemClock

if TYPE_CHECKING:
    from calendar_sync import CalendarService
    from knowledge import KnowledgeService
    from receptionist.agent.openai_brain import OpenAIChatBrain
    from textback import TextbackService

__all__ = ["Agent", "build_agent"]


@dataclass
class Agent:
    tools: AgentTools
    directory: Directory
    prompts: PromptBook
    local_brain: LocalBrain
    chat_brain: OpenAIChatBrain | None = None

    @property
    def brain(self) -> Brain:
        """The brain for the pipeline engine: the model when configured, else local."""
        return self.chat_brain if self.chat_brain is not None else self.local_brain

    def realtime_tools(self) -> list[dict[str, Any]]:
        return realtime_tools(self.tools.schemas())

    async def aclose(self) -> None:
        if self.chat_brain is not None:
            await self.chat_brain.aclose()


def build_agent(
    *,
    settings: Settings,
    db: Database,
    knowledge: KnowledgeService | KnowledgeLookup | None,
    calendar: CalendarService | Scheduler | None,
    textback: TextbackService | Messenger | None,
    clock: Clock | None = None,
    chat_model: str = "gpt-4o-mini",
    use_model: bool | None = None,
    **chat_options: Any,
) -> Agent:
    """Bind the agent to the subsystems (services or ready ports). ``use_model``: None = use
    the chat model when ``RECEPTIONIST_OPENAI_API_KEY`` is set."""
    clock = clock or SystemClock()
    lookup, min_confidence = _knowledge(knowledge)
    directory = Directory(db, lookup, clock=clock)
    tools = AgentTools(facts=directory, knowledge=lookup, scheduler=_scheduler(calendar),
                       messenger=_messenger(db, textback, clock), clock=clock,
                       min_confidence=min_confidence)
    prompts = PromptBook(directory, clock)
    agent = Agent(tools=tools, directory=directory, prompts=prompts,
                  local_brain=LocalBrain(tools))
    wants_model = settings.openai_api_key is not None if use_model is None else use_model
    if wants_model:
        from receptionist.agent.openai_brain import OpenAIChatBrain

        agent.chat_brain = OpenAIChatBrain.from_settings(settings, tools, prompts,
                                                         model=chat_model, **chat_options)
    return agent


def _knowledge(value: Any) -> tuple[KnowledgeLookup | None, float]:
    """The lookup, and the confidence below which a search result is "not found"."""
    if value is None:
        return None, 1.0
    from knowledge import CONFIDENT_AT, KnowledgeService

    if isinstance(value, KnowledgeService):
        from receptionist.agent.tools.knowledge_lookup import KnowledgeServiceLookup

        return KnowledgeServiceLookup(value), CONFIDENT_AT
    return value, 0.3


def _scheduler(value: Any) -> Scheduler | None:
    if value is None:
        return None
    from calendar_sync import CalendarService

    if isinstance(value, CalendarService):
        from receptionist.agent.tools.calendar_scheduler import CalendarScheduler

        return CalendarScheduler(value)
    return value  # type: ignore[no-any-return]


def _messenger(db: Database, value: Any, clock: Clock) -> Messenger | None:
    if value is None:
        return None
    from textback import TextbackService

    if isinstance(value, TextbackService):
        from receptionist.agent.tools.textback_messenger import TextbackMessenger

        return TextbackMessenger(db, value, clock)
    return value  # type: ignore[no-any-return]
