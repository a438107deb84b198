"""Conversation engines: ``realtime`` (OpenAI Realtime speech-to-speech) and ``pipeline``
(VAD -> STT -> brain -> TTS), plus the ``fallback`` voice that only speaks fixed lines.

``openai_realtime`` imports the ``openai`` SDK; import it from here only where it is used.
"""

from receptionist.agent.engines.audio_cache import AudioCache
from receptionist.agent.engines.base import (
    ConversationEngine,
    Emit,
    EngineError,
    EngineLost,
    EngineUnavailable,
    summarize_history,
)
from receptionist.agent.engines.fallback import FallbackEngine
from receptionist.agent.engines.metrics import BridgeMetrics, percentile
from receptionist.agent.engines.pipeline import PipelineEngine, Voice
from receptionist.agent.engines.turns import TurnDetector

__all__ = [
    "AudioCache",
    "BridgeMetrics",
    "ConversationEngine",
    "Emit",
    "EngineError",
    "EngineLost",
    "EngineUnavailable",
    "FallbackEngine",
    "PipelineEngine",
    "TurnDetector",
    "Voice",
    "percentile",
    "summarize_history",
]
