"""The agent as every channel uses it: facts, prompts, tools and brains, built once per process.

A phone call (``receptionist.media.wiring``) and a text conversation (``receptionist.chat``)
drive the same ``AgentKit``, so what a caller hears and what a texter reads come from the same
brain, tools, prompts and facts. The remote brain exists when an OpenAI key is set and the
deployment's providers allow it (``RECEPTIONIST_VOICE_PROVIDERS``); the local brain always, one
per conversation (``new_local_brain``), so what it remembers of a call is the call's own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from receptionist.agent.facts import Directory
from receptionist.agent.local import LocalBrain
from receptionist.agent.ports import Brain, KnowledgeLookup, Messenger, Scheduler
from receptionist.agent.prompts import PromptBook
from receptionist.agent.tools.toolbox import AgentTools
from receptionist.core import Clock, Database, Settings

if TYPE_CHECKING:
    from textback import TextbackService

__all__ = ["AgentKit", "build_agent_kit", "uses_remote_brain"]


@dataclass
class AgentKit:
    facts: Directory
    briefing: PromptBook
    messenger: Messenger
    tools: AgentTools
    remote_brain: Brain | None = None  # stateless: it reads the conversation from its history
    openai_client: Any = None  # AsyncOpenAI, shared with the voice engines
    closers: list[Callable[[], Any]] = field(default_factory=list)

    def new_local_brain(self, remembered: Mapping[str, Any] | None = None) -> LocalBrain:
        """The local brain for one conversation, new or taken up from the state its previous
        turn left (``LocalBrain.remembered``)."""
        return LocalBrain.resume(self.tools, remembered)

    async def aclose(self) -> None:
        for close in self.closers:
            result = close()
            if asyncio.iscoroutine(result):
                await result
        self.closers.clear()


def uses_remote_brain(settings: Settings) -> bool:
    return settings.openai_api_key is not None and settings.voice_providers in ("auto", "openai")


def build_agent_kit(settings: Settings, *, db: Database, clock: Clock, textback: TextbackService,
                    knowledge: KnowledgeLookup | None, scheduler: Scheduler | None,
                    min_confidence: float) -> AgentKit:
    """Builds, connects to nothing. The OpenAI SDK is imported only when a key is set."""
    from receptionist.agent.tools.textback_messenger import TextbackMessenger

    facts = Directory(db, knowledge)
    briefing = PromptBook(facts, clock)
    messenger = TextbackMessenger(db, textback, clock)
    tools = AgentTools(facts=facts, knowledge=knowledge, scheduler=scheduler,
                       messenger=messenger, clock=clock, min_confidence=min_confidence,
                       timeout_s=settings.voice_tool_timeout_s)
    kit = AgentKit(facts=facts, briefing=briefing, messenger=messenger, tools=tools)
    if settings.openai_api_key is not None:
        from receptionist.agent.openai_brain import OpenAIChatBrain, build_client

        kit.openai_client = build_client(settings)
        kit.closers.append(kit.openai_client.close)
        if uses_remote_brain(settings):
            kit.remote_brain = OpenAIChatBrain(kit.openai_client, tools, briefing)
    return kit
