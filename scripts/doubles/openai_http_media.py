"""Transcription, speech and embeddings for the HTTP double.

None of them does the real thing; each keeps the property tests rely on: transcripts come from
the test's script, speech is fake audio whose length follows the text, and embeddings are hashed
bags of words, so texts sharing words are close and unrelated texts are nearly orthogonal.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import wave
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import numpy as np
import numpy.typing as npt

from . import openai_audio
from .openai_http_wire import ApiError, JsonObject

__all__ = [
    "SPEECH_SAMPLE_RATE_HZ",
    "TranscriptionRequest",
    "byte_chunks",
    "embed",
    "embeddings_response",
    "parse_transcription_request",
    "speech_audio",
    "transcription_body",
]

SPEECH_SAMPLE_RATE_HZ = 24000
_AUDIO_EXTENSIONS = ("flac", "m4a", "mp3", "mp4", "mpeg", "mpga", "oga", "ogg", "wav", "webm")
_JSON_ONLY_MODELS = ("gpt-4o-transcribe", "gpt-4o-mini-transcribe")
_STOPWORDS = frozenset(
    "a an and are at be but by can could do for from have i in is it me my of on or please "
    "so that the this to was we what when will with would you your".split()
)
_SUFFIXES = ("ing", "ed", "es", "s")


@dataclass(frozen=True)
class TranscriptionRequest:
    """One ``POST /v1/audio/transcriptions``, as the transcript script sees it."""

    audio: bytes
    filename: str
    content_type: str
    model: str
    language: str | None
    prompt: str | None
    response_format: str
    fields: Mapping[str, str] = field(default_factory=dict)

    def wav_duration_s(self) -> float | None:
        """Duration when the upload is a PCM WAV file the stdlib can read."""
        try:
            with wave.open(io.BytesIO(self.audio)) as wav:
                frames: int = wav.getnframes()
                rate_hz: int = wav.getframerate()
                return frames / rate_hz
        except (wave.Error, EOFError):
            return None


def parse_transcription_request(
    fields: Mapping[str, str], filename: str | None, content_type: str, audio: bytes | None
) -> TranscriptionRequest:
    if audio is None or filename is None:
        raise ApiError.missing("file")
    if "model" not in fields:
        raise ApiError.missing("model")
    extension = PurePosixPath(filename).suffix.lstrip(".").lower()
    if extension not in _AUDIO_EXTENSIONS:
        raise ApiError(
            400,
            f"Invalid file format. Supported formats: {list(_AUDIO_EXTENSIONS)}",
            param="file",
            code="invalid_value",
        )
    if extension == "wav" and (audio[:4] != b"RIFF" or audio[8:12] != b"WAVE"):
        # e.g. raw Twilio μ-law bytes uploaded under a .wav name
        raise ApiError(
            400, "Audio file might be corrupted or unsupported", param="file", code="invalid_value"
        )
    model = fields["model"]
    response_format = fields.get("response_format", "json")
    if model in _JSON_ONLY_MODELS and response_format != "json":
        raise ApiError(
            400,
            f"response_format '{response_format}' is not compatible with model '{model}'. "
            "Use 'json' instead.",
            param="response_format",
            code="unsupported_value",
        )
    if response_format not in ("json", "text"):
        raise ApiError.not_in_double(f"response_format '{response_format}'")
    if fields.get("stream") == "true":
        raise ApiError.not_in_double("Streaming transcription")
    return TranscriptionRequest(
        audio=audio,
        filename=filename,
        content_type=content_type,
        model=model,
        language=fields.get("language"),
        prompt=fields.get("prompt"),
        response_format=response_format,
        fields=dict(fields),
    )


def transcription_body(request: TranscriptionRequest, text: str) -> JsonObject:
    seconds = request.wav_duration_s()
    if request.model.startswith("whisper"):
        usage: JsonObject = {"type": "duration", "seconds": round(seconds or 0.0)}
    else:
        audio_tokens = round((seconds or 0.0) * 10)
        output_tokens = 1 + len(text) // 4
        usage = {
            "type": "tokens",
            "input_tokens": audio_tokens,
            "output_tokens": output_tokens,
            "total_tokens": audio_tokens + output_tokens,
            "input_token_details": {"audio_tokens": audio_tokens, "text_tokens": 0},
        }
    return {"text": text, "usage": usage}


def speech_audio(body: Any, *, ms_per_char: float) -> tuple[bytes, str]:
    """``POST /v1/audio/speech`` → (audio bytes, media type). PCM is 24 kHz mono s16le."""
    if not isinstance(body, Mapping):
        raise ApiError(400, "The request body must be a JSON object.")
    for required in ("model", "input", "voice"):
        if required not in body:
            raise ApiError.missing(required)
    text = str(body["input"])
    if len(text) > 4096:
        raise ApiError(
            400,
            "Input is too long: at most 4096 characters.",
            param="input",
            code="string_above_max_length",
        )
    speed = float(body.get("speed", 1.0))
    if not 0.25 <= speed <= 4.0:
        raise ApiError(
            400, "speed must be between 0.25 and 4.0", param="speed", code="invalid_value"
        )
    response_format = body.get("response_format", "mp3")
    if response_format not in ("pcm", "wav"):
        raise ApiError.not_in_double(f"response_format '{response_format}' (use 'pcm' or 'wav')")
    if body.get("stream_format", "audio") != "audio":
        raise ApiError.not_in_double("stream_format 'sse'")
    duration_ms = openai_audio.spoken_duration_ms(text, speed=speed, ms_per_char=ms_per_char)
    pcm = openai_audio.speech_like(duration_ms, "audio/pcm", seed=zlib.crc32(text.encode()))
    if response_format == "pcm":
        return pcm, "application/octet-stream"
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SPEECH_SAMPLE_RATE_HZ)
        wav.writeframes(pcm)
    return out.getvalue(), "audio/wav"


def byte_chunks(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def embed(text: str, dimensions: int) -> npt.NDArray[np.float32]:
    """Unit-length signed feature hashing of stemmed content words (stable across runs)."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    content = [word for word in words if word not in _STOPWORDS] or words or [text]
    vector = np.zeros(dimensions, dtype=np.float64)
    for word in content:
        digest = int.from_bytes(hashlib.blake2b(_stem(word).encode(), digest_size=8).digest())
        vector[digest % dimensions] += 1.0 if digest >> 63 else -1.0
    norm = float(np.linalg.norm(vector))
    return (vector / norm if norm else vector).astype(np.float32)


def _inputs(value: Any) -> list[str]:
    """The API takes a string, a list of strings, a token array or a list of token arrays."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise ApiError(400, "'$.input' is invalid. Please check the API reference.", param="input")
    if all(isinstance(token, int) for token in value):
        value = [value]
    texts: list[str] = []
    for entry in value:
        if isinstance(entry, list):
            entry = " ".join(f"tok{token}" for token in entry)
        if not isinstance(entry, str) or not entry:
            raise ApiError(
                400, "'$.input' is invalid. Please check the API reference.", param="input"
            )
        texts.append(entry)
    return texts


def embeddings_response(body: Any, *, default_dimensions: int) -> JsonObject:
    if not isinstance(body, Mapping):
        raise ApiError(400, "The request body must be a JSON object.")
    for required in ("model", "input"):
        if required not in body:
            raise ApiError.missing(required)
    texts = _inputs(body["input"])
    dimensions = int(body.get("dimensions") or default_dimensions)
    if dimensions < 1:
        raise ApiError(
            400, "dimensions must be at least 1", param="dimensions", code="invalid_value"
        )
    encoding = body.get("encoding_format", "float")
    data = []
    for index, text in enumerate(texts):
        vector = embed(text, dimensions)
        value: Any = (
            base64.b64encode(vector.astype("<f4").tobytes()).decode("ascii")
            if encoding == "base64"
            else vector.tolist()
        )
        data.append({"object": "embedding", "index": index, "embedding": value})
    tokens = sum(len(text.split()) for text in texts)
    return {
        "object": "list",
        "data": data,
        "model": body["model"],
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }
