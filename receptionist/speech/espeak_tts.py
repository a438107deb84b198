"""Offline text-to-speech with eSpeak NG, loaded through ctypes from ``espeakng-loader``.

The wheel ships ``libespeak-ng.so`` and its data directory, so no system package is needed.
eSpeak keeps its voice, parameters and output callback in C globals and is not re-entrant: the
process gets one ``_EspeakLibrary`` (created on first use) and every synthesis holds its lock.
Synthesis runs in a worker thread (``asyncio.to_thread``) so a call's event loop never blocks;
at about 100x real time a sentence holds the lock for a few milliseconds.
"""

from __future__ import annotations

import asyncio
import ctypes
import threading
import unicodedata
from collections.abc import AsyncGenerator
from pathlib import Path

from receptionist.core import split_sentences
from receptionist.speech.codec import Resampler, ulaw_encode
from receptionist.speech.errors import (
    PermanentSpeechError,
    SpeechEngineUnavailable,
    TransientSpeechError,
)
from receptionist.speech.ports import TWILIO_SAMPLE_RATE_HZ

__all__ = ["EspeakTextToSpeech", "espeak_pcm16"]

# Values from espeak-ng's speak_lib.h.
_AUDIO_OUTPUT_SYNCHRONOUS = 2  # like RETRIEVAL, but espeak_Synth returns only when done
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_ENDPAUSE = 0x1000  # a sentence pause after the text, so consecutive sentences do not run on
_EE_OK, _EE_BUFFER_FULL = 0, 1
_RATE, _VOLUME, _PITCH = 1, 2, 3

# int SynthCallback(short *wav, int numsamples, espeak_EVENT *events); events are not needed.
_SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


class _EspeakLibrary:
    """The one initialised eSpeak NG of this process. Use only through ``synthesize``."""

    def __init__(self, library_path: str, data_path: str) -> None:
        try:
            lib = ctypes.CDLL(library_path)
        except OSError as exc:
            raise SpeechEngineUnavailable(f"cannot load eSpeak NG from {library_path}") from exc
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
            ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
        ]  # fmt: skip
        lib.espeak_Synth.restype = ctypes.c_int
        # `path` may name espeak-ng-data itself or its parent; eSpeak checks both.
        rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path.encode(), 0)
        if rate <= 0:
            raise SpeechEngineUnavailable(f"eSpeak NG failed to initialise with data {data_path}")
        self.sample_rate_hz: int = rate
        self._lib = lib
        self._lock = threading.Lock()
        self._sink: list[bytes] = []
        # Kept as an attribute: ctypes frees the trampoline once the Python object is collected.
        self._callback = _SynthCallback(self._on_audio)
        lib.espeak_SetSynthCallback(self._callback)

    def _on_audio(self, wav: ctypes._Pointer[ctypes.c_short], samples: int, _events: int) -> int:
        if wav and samples > 0:
            self._sink.append(ctypes.string_at(wav, samples * 2))
        return 0  # 0 = continue

    def synthesize(self, text: str, *, voice: str, rate_wpm: int, pitch: int, volume: int) -> bytes:
        """PCM16 at ``sample_rate_hz`` for ``text``. Blocking: call from a worker thread."""
        encoded = text.encode("utf-8") + b"\0"
        with self._lock:
            # Settings are C globals shared by every caller, so set them on each synthesis.
            if self._lib.espeak_SetVoiceByName(voice.encode()) != _EE_OK:
                raise PermanentSpeechError(f"eSpeak NG has no voice {voice!r}")
            self._lib.espeak_SetParameter(_RATE, rate_wpm, 0)
            self._lib.espeak_SetParameter(_PITCH, pitch, 0)
            self._lib.espeak_SetParameter(_VOLUME, volume, 0)
            self._sink = []
            status = self._lib.espeak_Synth(
                encoded, len(encoded), 0, _POS_CHARACTER, 0, _CHARS_UTF8 | _ENDPAUSE, None, None
            )
            pcm, self._sink = b"".join(self._sink), []
        if status == _EE_BUFFER_FULL:
            raise TransientSpeechError("eSpeak NG buffer full")
        if status != _EE_OK:
            raise PermanentSpeechError(f"eSpeak NG synthesis failed with status {status}")
        return pcm


_shared: _EspeakLibrary | None = None
_shared_lock = threading.Lock()


def _library() -> _EspeakLibrary:
    """The process's eSpeak NG, initialised on first use (never at import)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            try:
                import espeakng_loader  # optional engine: absent means "unavailable", not a crash
            except ImportError as exc:
                raise SpeechEngineUnavailable("espeakng-loader is not installed") from exc
            library_path = espeakng_loader.get_library_path()
            if not Path(library_path).exists():
                raise SpeechEngineUnavailable(f"no eSpeak NG library at {library_path}")
            try:
                data_path = espeakng_loader.get_data_path()
            except RuntimeError as exc:
                raise SpeechEngineUnavailable("espeakng-loader has no espeak-ng-data") from exc
            _shared = _EspeakLibrary(library_path, data_path)
        return _shared


def _speakable(text: str) -> str:
    # Control characters (and stray NULs, which would end the C string early) are never spoken.
    return "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\n\t")


def espeak_pcm16(
    text: str, *, voice: str = "en-us", rate_wpm: int = 165, pitch: int = 50, volume: int = 100
) -> tuple[bytes, int]:
    """Blocking helper: ``(pcm16, sample_rate_hz)`` of ``text`` at eSpeak's native rate."""
    library = _library()
    pcm = library.synthesize(
        _speakable(text), voice=voice, rate_wpm=rate_wpm, pitch=pitch, volume=volume
    )
    return pcm, library.sample_rate_hz


class EspeakTextToSpeech:
    """``TextToSpeech`` over eSpeak NG: robotic but instant, offline and free.

    ``voice`` names a file under espeak-ng-data/lang, optionally with a ``+variant``:
    ``"en-us"``, ``"en"`` (British), ``"en-GB-x-rp"``, ``"en-us+f3"``. ``rate_wpm`` is 80-450,
    ``pitch`` 0-100, ``volume`` 0-200.
    """

    def __init__(
        self, voice: str = "en-us", *, rate_wpm: int = 165, pitch: int = 50, volume: int = 100
    ) -> None:
        self.voice = voice
        self.rate_wpm = rate_wpm
        self.pitch = pitch
        self.volume = volume

    async def synthesize(self, text: str) -> AsyncGenerator[bytes, None]:
        resampler: Resampler | None = None
        for sentence in split_sentences(_speakable(text)):
            pcm, rate = await asyncio.to_thread(
                espeak_pcm16,
                sentence,
                voice=self.voice,
                rate_wpm=self.rate_wpm,
                pitch=self.pitch,
                volume=self.volume,
            )
            if resampler is None:
                resampler = Resampler(rate, TWILIO_SAMPLE_RATE_HZ)
            chunk = resampler.process(pcm)
            if chunk:
                yield ulaw_encode(chunk)
        if resampler is not None:
            tail = resampler.flush()
            if tail:
                yield ulaw_encode(tail)
