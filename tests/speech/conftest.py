"""Fixtures for the speech tests: the recorded caller utterances and one shared Whisper model."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from receptionist.speech.whisper_stt import WhisperModelHandle
from tests.support.speech import FixtureUtterance, load_utterances


@pytest.fixture(scope="session")
def utterances() -> list[FixtureUtterance]:
    return load_utterances()


@pytest.fixture(scope="session")
def whisper_model() -> Iterator[WhisperModelHandle]:
    """Loaded once for the whole session: every STT test shares it, as calls do in production."""
    handle = WhisperModelHandle()
    handle.get()
    yield handle
