"""eSpeak NG through ctypes: real synthesis, streamed per sentence, safe under concurrency."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from receptionist.speech.codec import ulaw_decode
from receptionist.speech.errors import PermanentSpeechError
from receptionist.speech.espeak_tts import EspeakTextToSpeech, espeak_pcm16
from receptionist.speech.ports import TextToSpeech

GREETING = "Thanks for calling Acme Plumbing. How can I help you today?"


async def _speak(tts: EspeakTextToSpeech, text: str) -> list[bytes]:
    return [chunk async for chunk in tts.synthesize(text)]


def _rms_dbfs(ulaw: bytes) -> float:
    pcm = np.frombuffer(ulaw_decode(ulaw), dtype="<i2").astype(np.float64)
    return float(20 * np.log10(np.sqrt(np.mean(pcm**2)) / 32768))


def test_is_a_text_to_speech() -> None:
    assert isinstance(EspeakTextToSpeech(), TextToSpeech)


async def test_speaks_audible_8khz_ulaw_of_plausible_length() -> None:
    audio = b"".join(await _speak(EspeakTextToSpeech(rate_wpm=165), GREETING))
    seconds = len(audio) / 8000  # 8 kHz μ-law: one byte per sample
    words = len(GREETING.split())
    # 11 words at 165 wpm is 4 s of speech, plus sentence pauses; eSpeak runs a little fast.
    assert 0.7 * words / 165 * 60 <= seconds <= 1.5 * words / 165 * 60 + 1.0
    assert _rms_dbfs(audio) > -30  # speech, not silence or hiss
    silence = sum(1 for byte in audio if byte in (0xFF, 0x7F))
    assert silence < 0.5 * len(audio)


async def test_streams_one_chunk_per_sentence() -> None:
    chunks = await _speak(EspeakTextToSpeech(), "One two three. Four five six! Seven?")
    # Three sentences, then the resampler's few-ms tail.
    assert len(chunks) == 4
    assert all(len(chunk) > 2000 for chunk in chunks[:3])
    assert len(chunks[3]) < 100


async def test_a_faster_rate_gives_shorter_audio() -> None:
    slow = b"".join(await _speak(EspeakTextToSpeech(rate_wpm=120), GREETING))
    fast = b"".join(await _speak(EspeakTextToSpeech(rate_wpm=240), GREETING))
    assert len(fast) < 0.75 * len(slow)


async def test_empty_text_yields_nothing() -> None:
    assert await _speak(EspeakTextToSpeech(), "  \n ") == []


async def test_concurrent_calls_each_get_their_own_whole_audio() -> None:
    # The library is one set of C globals; the lock must keep calls from mixing their audio.
    voices = ["en-us", "en", "en-us+f3", "en-GB-x-rp"] * 2
    solo = {
        voice: len(b"".join(await _speak(EspeakTextToSpeech(voice), GREETING))) for voice in voices
    }
    together = await asyncio.gather(
        *(_speak(EspeakTextToSpeech(voice), GREETING) for voice in voices)
    )
    for voice, chunks in zip(voices, together, strict=True):
        # eSpeak varies a few ms run to run; mixed-up audio would be off by whole sentences.
        assert abs(len(b"".join(chunks)) - solo[voice]) < 0.05 * solo[voice]


async def test_closing_early_leaves_the_engine_usable() -> None:
    stream = EspeakTextToSpeech().synthesize("First sentence. Second sentence. Third sentence.")
    first = await anext(stream)
    await stream.aclose()  # the caller barged in
    assert first
    assert await _speak(EspeakTextToSpeech(), "Still working.")


async def test_unknown_voice_is_a_permanent_error() -> None:
    with pytest.raises(PermanentSpeechError):
        await _speak(EspeakTextToSpeech("xx-nonexistent"), "Hello.")


def test_control_characters_do_not_cut_the_text_short() -> None:
    whole, rate = espeak_pcm16("Hello there, how are you")
    with_nul, _ = espeak_pcm16("Hello\x00 there, how are you")
    assert rate == 22050
    assert len(with_nul) > 0.8 * len(whole)
