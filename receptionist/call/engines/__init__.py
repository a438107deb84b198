"""Conversation engines: ``realtime`` (OpenAI Realtime speech-to-speech) and ``pipeline``
(VAD -> STT -> brain -> TTS), plus the ``fallback`` voice that only speaks fixed lines.

``openai_realtime`` imports the ``openai`` SDK; import it from here only where it is used.
"""

from receptionist.call.engines.audio_cache import AudioCache
from receptionist.call.engines.base import (
    ConversationEngine,
    Emit,
    EngineError,
    EngineLost,
    EngineUnavailable,
    summarize_history,
)
from receptionist.call.engines.fallback import FallbackEngine
from receptionist.call.engines.metrics import BridgeMetrics, percentile
from receptionist.call.engines.pipeline import PipelineEngine, Voice
from receptionist.call.engines.turns import TurnDetector

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
