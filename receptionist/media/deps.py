"""What every call session shares: built once by the voice service (see ``wiring``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from receptionist.agent.call_policy import ConversationConfig
from receptionist.agent.engines import BridgeMetrics
from receptionist.agent.ports import CallControl, Messenger, ToolBox
from receptionist.agent.records import CallRecord
from receptionist.core import Clock
from receptionist.media.engines import EngineFactory
from receptionist.media.ports import CallLifecycle
from receptionist.media.setup import CallSetupBuilder
from receptionist.media.tokens import StreamTokens

__all__ = ["CallDeps", "SessionLimits"]


@dataclass(frozen=True)
class SessionLimits:
    start_timeout_s: float = 5.0  # connected -> start
    max_junk_before_start: int = 20
    max_malformed: int = 500  # per call; beyond this the peer is not Twilio
    tool_timeout_s: float = 12.0
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
    followup_text: str = ("Sorry we got cut off on your call to {business}. We've let the team "
                          "know and they'll get back to you shortly.")
