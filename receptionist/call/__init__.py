"""The live call: Twilio Media Streams in, the conversation's audio out.

``VoiceService`` answers ``/twilio/voice`` for the AI (minting a one-time stream token) and runs a
``CallSession`` per ``WS /twilio/media``. The session is the I/O driver; ``conversation`` is the
sans-I/O machine (events in, commands out, see ``events``) with ``playback``, ``transcript`` and
``policy``; ``engines`` are the realtime / pipeline / fallback voices. ``twilio_wire`` is the wire
format, ``tokens`` the gate, ``twilio_calls`` hangs up and transfers, ``engine_choice`` picks and
builds each call's engine and ``simulator`` plays Twilio against a running server.
``build_openai_client`` / ``openai_speech`` import the ``openai`` SDK and load on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from receptionist.call.conversation import Conversation, ConversationConfig, SpokenTexts
from receptionist.call.engine_choice import PAUSE_MS, EngineFactory, local_engines_installed
from receptionist.call.engines import (
    AudioCache,
    BridgeMetrics,
    ConversationEngine,
    EngineUnavailable,
    FallbackEngine,
    PipelineEngine,
    Voice,
    percentile,
)
from receptionist.call.errors import CallControlError, MediaError
from receptionist.call.events import AgentAudio, CallerStartedSpeaking, ReplyStarted
from receptionist.call.models import ENGINE_CHOICES, BusinessVoice, choose_engine
from receptionist.call.ports import Briefing, CallLifecycle, MediaSocket, SocketClosed
from receptionist.call.routes import StarletteMediaSocket, router
from receptionist.call.service import MEDIA_PATH, VoiceService, connect_stream_twiml
from receptionist.call.session import CallDeps, CallSession, SessionLimits
from receptionist.call.setup import CallSetup, CallSetupBuilder
from receptionist.call.simulator import (
    CallControlFeed,
    CallSimulator,
    Pause,
    Press,
    Say,
    SimulatedCall,
    parse_twiml,
)
from receptionist.call.tokens import StreamGrant, StreamTokens
from receptionist.call.twilio_calls import StreamCallControl, TwilioCallControl

if TYPE_CHECKING:
    from receptionist.call.openai_clients import build_openai_client, openai_speech

_LAZY = {
    "build_openai_client": "receptionist.call.openai_clients",
    "openai_speech": "receptionist.call.openai_clients",
}

__all__ = [
    "ENGINE_CHOICES",
    "MEDIA_PATH",
    "PAUSE_MS",
    "AgentAudio",
    "AudioCache",
    "BridgeMetrics",
    "Briefing",
    "BusinessVoice",
    "CallControlError",
    "CallControlFeed",
    "CallDeps",
    "CallLifecycle",
    "CallSession",
    "CallSetup",
    "CallSetupBuilder",
    "CallSimulator",
    "CallerStartedSpeaking",
    "Conversation",
    "ConversationConfig",
    "ConversationEngine",
    "EngineFactory",
    "EngineUnavailable",
    "FallbackEngine",
    "MediaError",
    "MediaSocket",
    "Pause",
    "PipelineEngine",
    "Press",
    "ReplyStarted",
    "Say",
    "SessionLimits",
    "SimulatedCall",
    "SocketClosed",
    "SpokenTexts",
    "StarletteMediaSocket",
    "StreamCallControl",
    "StreamGrant",
    "StreamTokens",
    "TwilioCallControl",
    "Voice",
    "VoiceService",
    "build_openai_client",
    "choose_engine",
    "connect_stream_twiml",
    "local_engines_installed",
    "openai_speech",
    "parse_twiml",
    "percentile",
    "router",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
