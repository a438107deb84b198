"""Fixtures for the speech tests: the recorded caller utterances and one shared Whisper model."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from receptionist.speech.codec import ulaw_decode
from receptionist.speech.whisper_stt import WhisperModelHandle

AUDIO_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "audio"


@dataclass(frozen=True)
class FixtureUtterance:
    name: str
    text: str
    ulaw: bytes

    @property
    def pcm16(self) -> bytes:
        return ulaw_decode(self.ulaw)

    @property
    def duration_ms(self) -> int:
        return len(self.ulaw) // 8


def _load_utterances() -> list[FixtureUtterance]:
    manifest = json.loads((AUDIO_DIR / "transcripts.json").read_text())
    assert manifest["encoding"] == "audio/x-mulaw" and manifest["sample_rate_hz"] == 8000
    return [
        FixtureUtterance(entry["file"], entry["text"], (AUDIO_DIR / entry["file"]).read_bytes())
        for entry in manifest["utterances"]
    ]


@pytest.fixture(scope="session")
def utterances() -> list[FixtureUtterance]:
    return _load_utterances()


@pytest.fixture(scope="session")
def whisper_model() -> Iterator[WhisperModelHandle]:
    """Loaded once for the whole session: every STT test shares it, as calls do in production."""
    handle = WhisperModelHandle()
    handle.get()
    yield handle
