"""The speech layer: STT, TTS and VAD behind small ports, plus the phone-audio wire formats.

Engines (all optional at import; each raises ``SpeechEngineUnavailable`` when its package or
model is missing, so the composition root can fall back):

- local, offline: ``WhisperSpeechToText`` (faster-whisper, tiny.en), ``EspeakTextToSpeech``
  (eSpeak NG via ctypes), ``WebRtcVad``;
- OpenAI: ``OpenAISpeechToText``, ``OpenAITextToSpeech``.
"""

from typing import TYPE_CHECKING

from receptionist.core.lazy import lazy_exports

if TYPE_CHECKING:  # imported on first use: see receptionist.core.lazy (openai, numpy, ctypes)
    from receptionist.speech.codec import (
        Resampler,
        pcm16_to_wav,
        resample,
        ulaw_decode,
        ulaw_encode,
    )
    from receptionist.speech.errors import (
        PermanentSpeechError,
        SpeechEngineUnavailable,
        SpeechError,
        TransientSpeechError,
    )
    from receptionist.speech.espeak_tts import EspeakTextToSpeech
    from receptionist.speech.numbers import normalize_transcript
    from receptionist.speech.openai_speech import (
        OpenAISpeechToText,
        OpenAITextToSpeech,
        translate_openai_error,
    )
    from receptionist.speech.ports import (
        TWILIO_SAMPLE_RATE_HZ,
        IncrementalSpeechToText,
        SpeechEnded,
        SpeechStarted,
        SpeechToText,
        TextToSpeech,
        Transcript,
        VadEvent,
        VoiceActivityDetector,
    )
    from receptionist.speech.streaming import IncrementalTranscript, agreed_prefix
    from receptionist.speech.utterance import Utterance, UtteranceCollector
    from receptionist.speech.vocabulary import (
        CALLER_QUESTION,
        bias_lexicon,
        business_vocabulary,
        naming_sentences,
        pick_hypothesis,
        proper_phrases,
        snap_to_vocabulary,
        vocabulary_prompt,
    )
    from receptionist.speech.webrtc_vad import WebRtcVad
    from receptionist.speech.wer import corpus_word_error_rate, normalize_words, word_error_rate
    from receptionist.speech.whisper_stt import (
        WhisperModelHandle,
        WhisperSpeechToText,
        bundled_model_dir,
        collapse_repeats,
    )
else:
    __getattr__, __dir__ = lazy_exports(__name__, __file__)

__all__ = [
    "CALLER_QUESTION",
    "TWILIO_SAMPLE_RATE_HZ",
    "EspeakTextToSpeech",
    "IncrementalSpeechToText",
    "IncrementalTranscript",
    "OpenAISpeechToText",
    "OpenAITextToSpeech",
    "PermanentSpeechError",
    "Resampler",
    "SpeechEnded",
    "SpeechEngineUnavailable",
    "SpeechError",
    "SpeechStarted",
    "SpeechToText",
    "TextToSpeech",
    "Transcript",
    "TransientSpeechError",
    "Utterance",
    "UtteranceCollector",
    "VadEvent",
    "VoiceActivityDetector",
    "WebRtcVad",
    "WhisperModelHandle",
    "WhisperSpeechToText",
    "agreed_prefix",
    "bias_lexicon",
    "bundled_model_dir",
    "business_vocabulary",
    "collapse_repeats",
    "corpus_word_error_rate",
    "naming_sentences",
    "normalize_transcript",
    "normalize_words",
    "pcm16_to_wav",
    "pick_hypothesis",
    "proper_phrases",
    "resample",
    "snap_to_vocabulary",
    "translate_openai_error",
    "ulaw_decode",
    "ulaw_encode",
    "vocabulary_prompt",
    "word_error_rate",
]
