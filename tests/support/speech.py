"""The recorded caller utterances (8 kHz mu-law) with their transcripts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from receptionist.speech.codec import ulaw_decode

__all__ = ["AUDIO_DIR", "FixtureUtterance", "load_utterances"]

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


def load_utterances() -> list[FixtureUtterance]:
    manifest = json.loads((AUDIO_DIR / "transcripts.json").read_text())
    assert manifest["encoding"] == "audio/x-mulaw" and manifest["sample_rate_hz"] == 8000
    return [
        FixtureUtterance(entry["file"], entry["text"], (AUDIO_DIR / entry["file"]).read_bytes())
        for entry in manifest["utterances"]
    ]
