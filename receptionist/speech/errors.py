"""Errors raised by the speech layer.

    SpeechError                     root: anything STT, TTS or VAD could not do
    ├── TransientSpeechError        worth retrying: timeout, rate limit, 5xx, dropped connection
    └── PermanentSpeechError        retrying will not help: bad credentials, bad request, no model
        └── SpeechEngineUnavailable a local engine (library, model files) cannot be loaded

Adapters translate provider and library exceptions into these (``raise … from exc``) so callers
decide on retry, fallback or apology without knowing which engine is behind the port.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "PermanentSpeechError",
    "SpeechEngineUnavailable",
    "SpeechError",
    "TransientSpeechError",
]


class SpeechError(Exception):
    """Root of the speech layer's errors."""

    transient: ClassVar[bool] = False


class TransientSpeechError(SpeechError):
    """The same request may succeed if tried again a little later."""

    transient: ClassVar[bool] = True


class PermanentSpeechError(SpeechError):
    """The same request will fail again; fall back or give up."""


class SpeechEngineUnavailable(PermanentSpeechError):
    """A local engine's library or model files are missing or fail to load."""
