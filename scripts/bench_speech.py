"""Measure the offline speech engines on the fixture utterances.

    .venv/bin/python scripts/bench_speech.py [--beam 1] [--compute-type int8] [--threads 2]

Prints Whisper's load time, per-utterance latency and real-time factor, corpus WER with and
without the vocabulary prompt, and eSpeak's synthesis speed.
"""
# bench_all:

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from receptionist.speech.codec import ulaw_decode  # noqa: E402
from receptionist.speech.espeak_tts import EspeakTextToSpeech  # noqa: E402
from receptionist.speech.wer import corpus_word_error_rate, word_error_rate  # noqa: E402
from receptionist.speech.whisper_stt import (  # noqa: E402
    WhisperModelHandle,
    WhisperSpeechToText,
)

FIXTURES = ROOT / "tests" / "fixtures" / "audio"
VOCABULARY = ["Acme Plumbing", "drain cleaning", "water heater repair", "Jane Doe"]


async def bench_stt(args: argparse.Namespace) -> None:
    manifest = json.loads((FIXTURES / "transcripts.json").read_text())
    handle = WhisperModelHandle(compute_type=args.compute_type, cpu_threads=args.threads)
    await asyncio.to_thread(handle.get)
    print(f"whisper load: {handle.load_time_s:.3f} s ({args.compute_type}, {args.threads} thr)")
    for vocabulary in ((), VOCABULARY):
        stt = WhisperSpeechToText(handle, vocabulary=vocabulary, beam_size=args.beam)
        pairs, latencies, factors = [], [], []
        for entry in manifest["utterances"]:
            pcm = ulaw_decode((FIXTURES / entry["file"]).read_bytes())
            started = time.perf_counter()
            transcript = await stt.transcribe(pcm, 8000)
            elapsed = time.perf_counter() - started
            latencies.append(elapsed)
            factors.append(elapsed / (len(pcm) / 2 / 8000))
            pairs.append((entry["text"], transcript.text))
            if args.verbose:
                wer = word_error_rate(entry["text"], transcript.text)
                print(f"  {wer:5.2f} {elapsed:5.2f}s {transcript.confidence} | {transcript.text}")
        wer = corpus_word_error_rate(pairs)
        mean_wer = statistics.mean(word_error_rate(r, h) for r, h in pairs)
        print(
            f"beam {args.beam} vocabulary={bool(vocabulary)}: corpus WER {wer:.3f}, "
            f"mean WER {mean_wer:.3f}, latency mean {statistics.mean(latencies):.3f} s, "
            f"max {max(latencies):.3f} s, RTF {statistics.mean(factors):.3f}"
        )


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
    print(
        f"espeak: {total / 8000:.2f} s of audio in {elapsed:.3f} s, "
        f"first chunk after {first_chunk_s:.3f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--beam", type=int, default=5)
    parser.add_argument("--compute-type", default="int8")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    from scripts.machine_ref import machine_reference

    print(machine_reference(), flush=True)
    asyncio.run(bench_tts())
    asyncio.run(bench_stt(args))
    print(machine_reference(), flush=True)


if __name__ == "__main__":
    main()
