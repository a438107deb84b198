"""OpenAI audio behind our ports: ``audio.transcriptions`` (STT) and ``audio.speech`` (TTS).

The adapters take an ``AsyncOpenAI`` built by the composition root (API key, ``base_url``, SDK
retries), so tests drive the real SDK against a local server. Every SDK or transport exception is
translated into ``receptionist.speech.errors``: timeouts, dropped connections, 408/409/429 and 5xx
are transient; everything else, and 429 for an exhausted quota, is permanent.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncGenerator, Sequence
from typing import Any

import openai

from receptionist.core import split_sentences
from receptionist.speech.codec import Resampler, pcm16_to_wav, ulaw_encode
from receptionist.speech.errors import PermanentSpeechError, SpeechError, TransientSpeechError
from receptionist.speech.ports import TWILIO_SAMPLE_RATE_HZ, Transcript
from receptionist.speech.vocabulary import vocabulary_prompt

__all__ = ["OpenAISpeechToText", "OpenAITextToSpeech", "translate_openai_error"]

_PCM_RATE_HZ = 24000  # response_format="pcm": 24 kHz, 16-bit LE, mono, no header
_PCM_CHUNK_BYTES = 4800  # 100 ms of 24 kHz PCM16: small enough to start playback early
_TRANSIENT_STATUS = frozenset({408, 409, 429})


def _transport_errors() -> tuple[type[Exception], ...]:
    # Errors while *streaming* a response body come from the HTTP library, not the SDK. Recent
    # SDK releases moved from httpx to httpx2, so accept whichever is present.
    errors: list[type[Exception]] = []
    for name in ("httpx", "httpx2"):
        try:
            errors.append(importlib.import_module(name).TransportError)
        except (ImportError, AttributeError):
            continue
    return tuple(errors)


_TRANSPORT_ERRORS = _transport_errors()
_PROVIDER_ERRORS: tuple[type[Exception], ...] = (openai.OpenAIError, *_TRANSPORT_ERRORS)


def translate_openai_error(exc: Exception, *, operation: str) -> SpeechError:
    """Our error for an SDK/transport exception raised during ``operation``."""
    if isinstance(exc, openai.APITimeoutError):
        return TransientSpeechError(f"OpenAI {operation} timed out")
    if isinstance(exc, openai.APIConnectionError) or isinstance(exc, _TRANSPORT_ERRORS):
        return TransientSpeechError(f"OpenAI {operation}: connection failed")
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        message = f"OpenAI {operation} failed with HTTP {status}"
        if status == 429 and getattr(exc, "code", None) == "insufficient_quota":
            return PermanentSpeechError(f"{message} (quota exhausted)")
        if status in _TRANSIENT_STATUS or status >= 500:
            return TransientSpeechError(message)
        return PermanentSpeechError(message)
    return PermanentSpeechError(f"OpenAI {operation} failed: {type(exc).__name__}")


class OpenAISpeechToText:
    """``SpeechToText`` over ``audio.transcriptions.create``.

    The caller's PCM goes up as a WAV file at its own rate (raw μ-law is not accepted).
    ``vocabulary`` becomes the ``prompt``; the json response has no confidence, so none is given.
    """

    def __init__(
        self,
        client: openai.AsyncOpenAI,
        *,
        model: str = "gpt-4o-mini-transcribe",
        language: str | None = "en",
        vocabulary: Sequence[str] = (),
        timeout_s: float = 15.0,
    ) -> None:
        self._client = client
        self._model = model
        self._language = language
        self._vocabulary = tuple(vocabulary)
        self._timeout_s = timeout_s

    async def transcribe(
        self, pcm16: bytes, sample_rate_hz: int, *, prompt: str | None = None
    ) -> Transcript:
        options: dict[str, Any] = {}
        if self._language:
            options["language"] = self._language
        full_prompt = vocabulary_prompt(self._vocabulary, prompt)
        if full_prompt:
            options["prompt"] = full_prompt
        wav = pcm16_to_wav(pcm16, sample_rate_hz)
        try:
            result = await self._client.audio.transcriptions.create(
                file=("utterance.wav", wav, "audio/wav"),
                model=self._model,
                response_format="json",
                timeout=self._timeout_s,
                **options,
            )
        except _PROVIDER_ERRORS as exc:
            raise translate_openai_error(exc, operation="transcription") from exc
        return Transcript(text=result.text.strip(), confidence=None)


class OpenAITextToSpeech:
    """``TextToSpeech`` over ``audio.speech.create`` with ``response_format="pcm"``.

    One request per sentence, each streamed: the first audio leaves as soon as the first 100 ms of
    the first sentence arrive, and a barge-in that closes the iterator cancels the request in
    flight and never sends the rest. One resampler spans the sentences so their joins are clean.
    ``instructions`` (tone of voice) is only sent when set; tts-1 models reject it.
    """

    def __init__(
        self,
        client: openai.AsyncOpenAI,
        *,
        model: str = "gpt-4o-mini-tts",
        voice: str = "coral",
        instructions: str | None = None,
        speed: float | None = None,
        timeout_s: float = 15.0,
    ) -> None:
        self._client = client
        self._model = model
        self._voice = voice
        self._instructions = instructions
        self._speed = speed
        self._timeout_s = timeout_s

    async def synthesize(self, text: str) -> AsyncGenerator[bytes, None]:
        resampler = Resampler(_PCM_RATE_HZ, TWILIO_SAMPLE_RATE_HZ)
        options: dict[str, Any] = {}
        if self._instructions:
            options["instructions"] = self._instructions
        if self._speed is not None:
            options["speed"] = self._speed
        for sentence in split_sentences(text):
            try:
                async with self._client.audio.speech.with_streaming_response.create(
                    model=self._model,
                    voice=self._voice,
                    input=sentence,
                    response_format="pcm",
                    timeout=self._timeout_s,
                    **options,
                ) as response:
                    async for chunk in response.iter_bytes(_PCM_CHUNK_BYTES):
                        pcm = resampler.process(chunk)
                        if pcm:
                            yield ulaw_encode(pcm)
            except _PROVIDER_ERRORS as exc:
                raise translate_openai_error(exc, operation="speech") from exc
        tail = resampler.flush()
        if tail:
            yield ulaw_encode(tail)
