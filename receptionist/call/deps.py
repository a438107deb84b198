"""What every call session shares: built once by the voice service (see ``wiring``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from receptionist.agent import CallControl, CallRecord, Messenger, ToolBox
from receptionist.call.engine_choice import EngineFactory
from receptionist.call.engines import BridgeMetrics
from receptionist.call.message_taking import FOLLOWUP_TEXT, MessageTaker
from receptionist.call.policy import ConversationConfig
from receptionist.call.ports import CallLifecycle
from receptionist.call.setup import CallSetupBuilder
from receptionist.call.tokens import StreamTokens
from receptionist.core import Clock

__all__ = ["CallDeps", "SessionLimits"]


@dataclass(frozen=True)
class SessionLimits:
    start_timeout_s: float = 5.0  # connected -> start
    max_junk_before_start: int = 20
    max_malformed: int = 500  # per call; beyond this the peer is not Twilio
    close_after_hang_up_s: float = 1.5  # wait for Twilio's stop, then close ourselves
    close_after_transfer_s: float = 10.0


@dataclass
class CallDeps:
    """What every call shares: built once by the voice service."""

    tokens: StreamTokens
    lifecycle: CallLifecycle
    setups: CallSetupBuilder
    engines: EngineFactory
    call_control: CallControl
    can_transfer: bool
    clock: Clock
    conversation: ConversationConfig = field(default_factory=ConversationConfig)
    limits: SessionLimits = field(default_factory=SessionLimits)
    toolbox: ToolBox | None = None
    messenger: Messenger | None = None
    store_record: Callable[[CallRecord], Awaitable[Any]] | None = None
    metrics: BridgeMetrics | None = None
    followup_text: str = FOLLOWUP_TEXT

    @property
    def messages(self) -> MessageTaker:
        """What a ``TakeMessage`` command sets to work."""
        return MessageTaker(self.messenger, self.followup_text)
