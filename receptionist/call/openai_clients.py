"""The OpenAI client the voice engines share, and the OpenAI speech adapters on it.

One ``AsyncOpenAI`` per process: the Realtime engine connects through it (``base_url`` also
selects the WebSocket endpoint, so any compatible server works), and the pipeline's OpenAI STT,
TTS and chat use it. SDK retries are off: a live caller is waiting, so a failure goes straight to
the engine, which degrades.
"""

from __future__ import annotations

import openai

from receptionist.call.engines import Voice
from receptionist.core import Settings
from receptionist.speech import OpenAISpeechToText, OpenAITextToSpeech

__all__ = ["build_openai_client", "openai_speech"]


def build_openai_client(settings: Settings, *, timeout_s: float = 15.0) -> openai.AsyncOpenAI:
    if settings.openai_api_key is None:
        raise ValueError("RECEPTIONIST_OPENAI_API_KEY is not set")
    return openai.AsyncOpenAI(api_key=settings.openai_api_key.get_secret_value(),
                              base_url=settings.openai_base_url or None,
                              timeout=timeout_s, max_retries=0)


def openai_speech(client: openai.AsyncOpenAI, *, tts_voice: str = "coral"
                  ) -> tuple[OpenAISpeechToText, Voice]:
    return OpenAISpeechToText(client), Voice(f"openai:{tts_voice}",
                                             OpenAITextToSpeech(client, voice=tts_voice))
