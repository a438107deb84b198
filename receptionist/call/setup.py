"""Everything a call needs to know before the agent says a word, gathered once per stream.

The business (by the token's grant), the caller (from the lifecycle's record of the incoming-call
webhook), the agent's instructions and greeting (the ``Briefing``), who a transfer would ring,
and the words that help speech recognition (business name, services, team).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from receptionist.agent import CallContext
from receptionist.call.models import BusinessVoice
from receptionist.call.ports import Briefing, CallLifecycle
from receptionist.call.tokens import StreamGrant
from receptionist.core import Database, default_greeting, get_business, log_event

__all__ = ["CallSetup", "CallSetupBuilder"]

log = logging.getLogger("receptionist.call.setup")


@dataclass
class CallSetup:
    ctx: CallContext
    greeting: str
    instructions: str
    resumed: bool = False
    transfer_to: list[str] = field(default_factory=list)
    ring_seconds: int = 20
    vocabulary: list[str] = field(default_factory=list)
    business_number: str | None = None
    engine: str | None = None  # the business's own choice, else the deployment's default


class CallSetupBuilder:
    def __init__(self, db: Database, lifecycle: CallLifecycle, briefing: Briefing | None,
                 services: Callable[[int], Awaitable[list[str]]] | None = None) -> None:
        self.db = db
        self.lifecycle = lifecycle
        self.briefing = briefing
        self.services = services  # the business's words (services, insurers…) for STT

    async def build(self, grant: StreamGrant) -> CallSetup:
        async with self.db.transaction() as session:
            business = await get_business(session, grant.business_id)
            name, timezone = business.name, business.timezone
            transfer_to = business.ring_targets()
            ring_seconds = business.ring_seconds
            number = business.primary_number
            vocabulary = [name, *(m.name for m in business.team)]
            stored_greeting = business.greeting
            choice = await session.get(BusinessVoice, grant.business_id)
            engine = choice.engine if choice is not None else None
        caller = await self.lifecycle.caller_of(grant.call_sid)
        ctx = CallContext(call_sid=grant.call_sid, business_id=grant.business_id,
                          business_name=name, caller_phone=caller, timezone=timezone)
        greeting = stored_greeting or default_greeting(name)
        instructions = f"You are the friendly phone receptionist of {name}. Keep answers short."
        if self.briefing is not None:
            try:
                greeting = await self.briefing.greeting(grant.business_id) or greeting
                instructions = await self.briefing.instructions(ctx) or instructions
                if self.services is not None:
                    vocabulary[1:1] = (await self.services(grant.business_id))[:40]
            except (LookupError, ValueError, OSError) as exc:  # a profile that fails to load
                log_event(log, "call.briefing_failed", logging.WARNING,
                          call_sid=grant.call_sid, error=repr(exc))
        return CallSetup(ctx=ctx, greeting=greeting, instructions=instructions,
                         resumed=grant.resumed, transfer_to=transfer_to,
                         ring_seconds=ring_seconds, vocabulary=vocabulary,
                         business_number=number, engine=engine)
