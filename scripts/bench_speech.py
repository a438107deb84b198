"""Measure the offline speech engines on caller lines in 8 kHz μ-law: accuracy and speed.

    .venv/bin/python scripts/bench_speech.py [--beam 5] [--threads 2] [-v]
    .venv/bin/python scripts/bench_speech.py --configs before,window15,vocab --model DIR
    .venv/bin/python scripts/bench_speech.py --configs vocab,rescore --business dentist

Caller lines: the 16 recorded fixtures (a plumber's callers, several eSpeak voices) plus a
dentist's callers rendered here in four eSpeak NG voices at two rates, with the same -50 dBFS
line noise, as Twilio delivers them (8 kHz G.711 μ-law). Each configuration transcribes every
line in turn, interleaved, so a busy machine slows them alike; figures are corpus WER (numbers
compared digit by digit, see ``receptionist.speech.wer``) and decode latency, with the ratio
to ``before`` (faster-whisper's 30 s window, only the business name as prompt):

before    30 s encoder window, prompt = the business name, times as Whisper wrote them
          (the previous default; every other configuration normalises times)
window15  15 s encoder window, prompt = the business name
prompt    15 s window, prompt = the business's vocabulary (services, staff, insurers, streets)
vocab     ``prompt``, and near misses of its multi-word terms respelled (snap_to_vocabulary)
asked     ``vocab``, the prompt ending in the receptionist's question (CALLER_QUESTION)
rescore   ``asked``, the beam's hypotheses rescored for the business's words and a caller's
          days and times (pick_hypothesis): the default of WhisperSpeechToText
vocab30   ``rescore`` in the 30 s window (what the window costs in accuracy, if anything)
partials  rescore, decoded as on a live call with streaming on: the turn so far every
          ``--partial-every-ms`` of audio, committed words (``IncrementalTranscript``) given
          to the final decode as its prefix; latency is the final decode's only
"""
# bench_all:

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from receptionist.speech.codec import ulaw_decode, ulaw_encode  # noqa: E402
from receptionist.speech.espeak_tts import EspeakTextToSpeech  # noqa: E402
from receptionist.speech.streaming import IncrementalTranscript  # noqa: E402
from receptionist.speech.vocabulary import (  # noqa: E402
    CALLER_QUESTION,
    business_vocabulary,
    vocabulary_prompt,
)
from receptionist.speech.wer import corpus_word_error_rate, word_error_rate  # noqa: E402
from receptionist.speech.whisper_stt import (  # noqa: E402
    WhisperModelHandle,
    WhisperSpeechToText,
)
from scripts.machine_ref import machine_reference  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "audio"
NOISE_DBFS = -50.0

PLUMBER = business_vocabulary(
    "Greenfield Plumbing", services=["Drain cleaning", "Water heater repair", "Leak repair"],
    staff=["Jane Doe"], address="88 Elm Street, Springfield",
    texts=["We service the downtown area and the north side."])
DENTIST = business_vocabulary(
    "Bright Smile Dental",
    services=["Cleaning", "Exam", "Whitening", "Fillings", "Crowns", "Root canal", "Invisalign"],
    staff=["Dr. Priya Patel", "Dr. Marcus Chen"], address="1420 Oak Ridge Road, Springfield, IL",
    texts=["We accept Delta Dental, Cigna, MetLife, Aetna and Guardian.",
           "Bright Smile Dental is a family practice near Riverside Park."])
DENTIST_LINES = [
    "Do you take Delta Dental?",
    "I'd like to book a cleaning next Tuesday at 10.",
    "Is Doctor Patel available on Thursday afternoon?",
    "How much is teeth whitening?",
    "Do you accept MetLife insurance?",
    "Are you on Oak Ridge Road?",
    "I need a root canal, it really hurts.",
    "Can I move my appointment to Friday at two thirty?",
    "My name is Maria Gonzalez.",
    "Do you do Invisalign for adults?",
]
VOICES = [("en-us", 150), ("en-us+f3", 185), ("en-GB-x-rp", 165), ("en-us+m3", 190)]
@dataclass(frozen=True)
class Config:
    window_s: int | None
    vocabulary: bool  # the prompt holds the business vocabulary (else only its name)
    respell: bool  # near misses of its multi-word terms respelled
    question: bool = False  # the prompt ends with the receptionist's question
    rescore: bool = False  # the beam's hypotheses rescored for the business's words


CONFIGS = {
    "before": Config(None, False, False),
    "window15": Config(15, False, False),
    "prompt": Config(15, True, False),
    "vocab": Config(15, True, True),
    "asked": Config(15, True, True, question=True),
    "rescore": Config(15, True, True, question=True, rescore=True),
    "vocab30": Config(None, True, True, question=True, rescore=True),
    "partials": Config(15, True, True, question=True, rescore=True),
}


@dataclass(frozen=True)
class Line:
    text: str
    ulaw: bytes
    business: str  # "plumber" | "dentist"
    voice: str


async def render(text: str, voice: str, rate_wpm: int, seed: int) -> bytes:
    tts = EspeakTextToSpeech(voice, rate_wpm=rate_wpm)
    ulaw = b"".join([chunk async for chunk in tts.synthesize(text)])
    speech = np.frombuffer(ulaw_decode(ulaw), dtype="<i2").astype(np.float64)
    noise = np.random.default_rng(seed).standard_normal(len(speech))
    noisy = speech + noise * 32768 * 10 ** (NOISE_DBFS / 20)
    return ulaw_encode(np.clip(np.rint(noisy), -32768, 32767).astype("<i2").tobytes())


async def caller_lines() -> list[Line]:
    manifest = json.loads((FIXTURES / "transcripts.json").read_text())
    lines = [Line(e["text"], (FIXTURES / e["file"]).read_bytes(), "plumber", e["voice"])
             for e in manifest["utterances"]]
    for i, text in enumerate(DENTIST_LINES):
        for j, (voice, rate) in enumerate(VOICES):
            ulaw = await render(text, voice, rate, seed=100 * i + j)
            lines.append(Line(text, ulaw, "dentist", f"{voice}@{rate}"))
    return lines


def bench_stt(args: argparse.Namespace, lines: list[Line]) -> None:
    handle = WhisperModelHandle(Path(args.model) if args.model else None,
                                compute_type=args.compute_type, cpu_threads=args.threads)
    handle.get()
    print(f"whisper load: {handle.load_time_s:.3f} s ({args.compute_type}, {args.threads} thr)"
          f"{' model ' + args.model if args.model else ''}")
    configs = args.configs.split(",")
    engines = {
        (name, business): WhisperSpeechToText(
            handle, beam_size=args.beam, window_s=CONFIGS[name].window_s,
            normalize=name != "before", rescore=CONFIGS[name].rescore,
            vocabulary=words if CONFIGS[name].respell or CONFIGS[name].rescore else ())
        for name in configs for business, words in (("plumber", PLUMBER), ("dentist", DENTIST))}
    hypotheses: dict[str, list[str]] = {name: [] for name in configs}
    latencies: dict[str, list[float]] = {name: [] for name in configs}
    for line in lines:
        vocabulary = DENTIST if line.business == "dentist" else PLUMBER
        pcm = ulaw_decode(line.ulaw)
        for name in configs:
            config = CONFIGS[name]
            words = vocabulary if config.vocabulary else vocabulary[:1]
            prompt = vocabulary_prompt(words, question=CALLER_QUESTION if config.question
                                       else None)
            prefix = None
            engine = engines[name, line.business]
            if name == "partials":
                prefix = committed_prefix(engine, pcm, prompt, args)
            started = time.perf_counter()
            heard = engine.transcribe_blocking(pcm, 8000, prompt, prefix)
            latencies[name].append(time.perf_counter() - started)
            hypotheses[name].append(heard.text)
            if args.verbose:
                wer = word_error_rate(line.text, heard.text)
                print(f"  {name:9s} {wer:5.2f} {line.voice:14s} {line.text} | {heard.text}")
    base = configs[0]
    for name in configs:
        pairs = list(zip([line.text for line in lines], hypotheses[name], strict=True))
        by_business = {
            business: corpus_word_error_rate(
                [p for p, line in zip(pairs, lines, strict=True) if line.business == business])
            for business in ("plumber", "dentist")}  # 0.000 for a business left out
        p50 = statistics.median(latencies[name])
        ratio = p50 / statistics.median(latencies[base])
        print(f"{name:9s} corpus WER {corpus_word_error_rate(pairs):.3f} "
              f"(plumber {by_business['plumber']:.3f}, dentist {by_business['dentist']:.3f}), "
              f"latency p50 {p50 * 1000:.0f} ms, max {max(latencies[name]) * 1000:.0f} ms, "
              f"x{ratio:.2f} of {base}  [{len(lines)} lines, beam {args.beam}]")
    for known in ("Do you take Delta Dental?",
                  "I'd like to book a cleaning next Tuesday at 10."):
        for name in configs:
            heard = [h for h, line in zip(hypotheses[name], lines, strict=True)
                     if line.text == known]
            print(f"  {name:9s} {known!r} -> {heard}")


def committed_prefix(stt: WhisperSpeechToText, pcm: bytes, prompt: str | None,
                     args: argparse.Namespace) -> str | None:
    """What a live call would have committed by the end of the turn: partial decodes of the
    growing audio, each given the words committed so far, as the pipeline engine does."""
    partial = IncrementalTranscript(holdback=args.holdback)
    step = args.partial_every_ms * 16  # bytes of 8 kHz PCM16 per ms
    for end in range(step, len(pcm) - step // 2, step):
        draft = stt.transcribe_blocking(pcm[:end], 8000, prompt, partial.committed or None,
                                        beam_size=args.partial_beam or None)
        partial.update(draft.text)
    return partial.committed or None


async def bench_tts() -> None:
    tts = EspeakTextToSpeech()
    text = "Thanks for calling Acme Plumbing. We're open from eight to five. How can I help?"
    started = time.perf_counter()
    first_chunk_s = None
    total = 0
    async for chunk in tts.synthesize(text):
        first_chunk_s = first_chunk_s or time.perf_counter() - started
        total += len(chunk)
    elapsed = time.perf_counter() - started
    print(f"espeak: {total / 8000:.2f} s of audio in {elapsed:.3f} s, "
          f"first chunk after {first_chunk_s:.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--beam", type=int, default=5)
    parser.add_argument("--compute-type", default="int8")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--configs", default="before,vocab,asked,rescore",
                        help="run in this order; ratios are against the first: "
                        + ", ".join(CONFIGS))
    parser.add_argument("--model", help="a CTranslate2 Whisper model directory to try")
    parser.add_argument("--partial-every-ms", type=int, default=700)
    parser.add_argument("--partial-beam", type=int, default=0, help="0: the --beam")
    parser.add_argument("--holdback", type=int, default=1)
    parser.add_argument("--business", choices=("plumber", "dentist"),
                        help="only this business's caller lines (a smaller run)")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    print(machine_reference(), flush=True)
    asyncio.run(bench_tts())
    lines = [line for line in asyncio.run(caller_lines())
             if args.business in (None, line.business)]
    bench_stt(args, lines)


if __name__ == "__main__":
    main()
