"""OpenAI STT/TTS adapters driven through the real ``openai`` SDK against a tiny local server.

The server (stdlib, on 127.0.0.1) implements just enough of POST /v1/audio/transcriptions
(multipart) and POST /v1/audio/speech (PCM 24 kHz) to check what the adapters send and how they
treat answers, errors, stalls and cut streams. The full protocol doubles live in scripts/doubles.
"""

from __future__ import annotations

import email.parser
import email.policy
import io
import json
import threading
import time
import wave
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np
import openai
import pytest

from receptionist.speech.codec import ulaw_decode
from receptionist.speech.errors import PermanentSpeechError, TransientSpeechError
from receptionist.speech.openai_speech import OpenAISpeechToText, OpenAITextToSpeech
from receptionist.speech.ports import SpeechToText, TextToSpeech

TONE_HZ = 440
PCM_MS_PER_CHAR = 20  # the fake voice speaks 20 ms of audio per input character


@dataclass
class Fault:
    status: int = 0  # an HTTP error answer, or
    code: str | None = None
    stall_s: float = 0.0  # answer only after this long, or
    cut: bool = False  # promise a longer body than is sent, then hang up


@dataclass
class AudioServerState:
    requests: list[dict[str, Any]] = field(default_factory=list)
    faults: list[Fault | None] = field(default_factory=list)  # consumed one per request
    transcript: str = " Hello there. "


def _tone_pcm(duration_ms: int) -> bytes:
    t = np.arange(24 * duration_ms) / 24000
    return (8000 * np.sin(2 * np.pi * TONE_HZ * t)).astype("<i2").tobytes()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: AudioServerState  # set on the per-server subclass

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        request: dict[str, Any] = {"path": self.path, "auth": self.headers.get("Authorization")}
        self.state.requests.append(request)
        fault = self.state.faults.pop(0) if self.state.faults else None
        if fault and fault.stall_s:
            time.sleep(fault.stall_s)
        if fault and fault.status:
            error = {"message": "injected", "type": "test", "code": fault.code}
            return self._send(fault.status, json.dumps({"error": error}).encode())
        if self.path == "/v1/audio/transcriptions":
            request.update(self._multipart(body))
            return self._send(200, json.dumps({"text": self.state.transcript}).encode())
        if self.path == "/v1/audio/speech":
            request.update(json.loads(body))
            pcm = _tone_pcm(PCM_MS_PER_CHAR * len(request["input"]))
            return self._send(200, pcm, "application/octet-stream", cut=bool(fault and fault.cut))
        return self._send(404, b"{}")

    def _multipart(self, body: bytes) -> dict[str, Any]:
        header = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(header + body)
        fields: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            if name == "file":
                with wave.open(io.BytesIO(payload)) as wav:
                    fields["wav_rate_hz"] = wav.getframerate()
                    fields["wav_frames"] = wav.getnframes()
                fields["filename"] = part.get_filename()
            else:
                fields[str(name)] = payload.decode()
        return fields

    def _send(
        self, status: int, body: bytes, content_type: str = "application/json", cut: bool = False
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body) + (1000 if cut else 0)))
        self.end_headers()
        # Odd-sized writes, so a 16-bit sample is sometimes split across network chunks.
        for offset in range(0, len(body), 4801):
            self.wfile.write(body[offset : offset + 4801])
            self.wfile.flush()
        if cut:
            self.close_connection = True


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out hangs up before the stalled answer is written; that is the
        # point of the stall tests, not a server failure worth a traceback.
        pass


@pytest.fixture(scope="module")
def audio_server() -> Iterator[tuple[str, AudioServerState]]:
    state = AudioServerState()
    handler = type("Handler", (_Handler,), {"state": state})
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1", state
    server.shutdown()
    server.server_close()


@pytest.fixture
def state(audio_server: tuple[str, AudioServerState]) -> AudioServerState:
    audio_server[1].requests.clear()
    audio_server[1].faults.clear()
    return audio_server[1]


@pytest.fixture
async def client(audio_server: tuple[str, AudioServerState]) -> AsyncIterator[openai.AsyncOpenAI]:
    async with openai.AsyncOpenAI(
        api_key="sk-test", base_url=audio_server[0], max_retries=0
    ) as sdk_client:
        yield sdk_client


async def _speak(tts: OpenAITextToSpeech, text: str) -> list[bytes]:
    return [chunk async for chunk in tts.synthesize(text)]


def test_adapters_satisfy_the_ports(client: openai.AsyncOpenAI) -> None:
    assert isinstance(OpenAISpeechToText(client), SpeechToText)
    assert isinstance(OpenAITextToSpeech(client), TextToSpeech)


async def test_transcription_uploads_a_wav_with_prompt_and_language(
    client: openai.AsyncOpenAI, state: AudioServerState
) -> None:
    stt = OpenAISpeechToText(client, model="whisper-1", vocabulary=["Acme Plumbing"])
    transcript = await stt.transcribe(bytes(3200), 8000, prompt="Caller is booking.")
    assert transcript.text == "Hello there."
    assert transcript.confidence is None
    [request] = state.requests
    assert request["path"] == "/v1/audio/transcriptions"
    assert request["auth"] == "Bearer sk-test"
    assert (request["model"], request["language"], request["response_format"]) == (
        "whisper-1",
        "en",
        "json",
    )
    assert request["prompt"] == "Acme Plumbing. Caller is booking."
    assert (request["wav_rate_hz"], request["wav_frames"]) == (8000, 1600)
    assert request["filename"] == "utterance.wav"


async def test_transcription_without_vocabulary_sends_no_prompt(
    client: openai.AsyncOpenAI, state: AudioServerState
) -> None:
    await OpenAISpeechToText(client, language=None).transcribe(bytes(320), 16000)
    assert "prompt" not in state.requests[0] and "language" not in state.requests[0]


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault(status=429), TransientSpeechError),
        (Fault(status=429, code="insufficient_quota"), PermanentSpeechError),
        (Fault(status=500), TransientSpeechError),
        (Fault(status=503), TransientSpeechError),
        (Fault(status=408), TransientSpeechError),
        (Fault(status=400), PermanentSpeechError),
        (Fault(status=401), PermanentSpeechError),
        (Fault(status=404), PermanentSpeechError),
    ],
)
async def test_transcription_errors_are_classified(
    client: openai.AsyncOpenAI, state: AudioServerState, fault: Fault, error: type[Exception]
) -> None:
    state.faults.append(fault)
    with pytest.raises(error) as raised:
        await OpenAISpeechToText(client).transcribe(bytes(320), 8000)
    assert isinstance(raised.value.__cause__, openai.APIStatusError)


async def test_a_stalled_transcription_times_out_as_transient(
    client: openai.AsyncOpenAI, state: AudioServerState
) -> None:
    state.faults.append(Fault(stall_s=1.0))
    with pytest.raises(TransientSpeechError):
        await OpenAISpeechToText(client, timeout_s=0.2).transcribe(bytes(320), 8000)


async def test_an_unreachable_server_is_transient() -> None:
    async with openai.AsyncOpenAI(
        api_key="sk-test", base_url="http://127.0.0.1:9/v1", max_retries=0
    ) as unreachable:
        with pytest.raises(TransientSpeechError):
            await OpenAISpeechToText(unreachable).transcribe(bytes(320), 8000)


async def test_speech_streams_8khz_ulaw_one_request_per_sentence(
    client: openai.AsyncOpenAI, state: AudioServerState
) -> None:
    tts = OpenAITextToSpeech(client, model="tts-1", voice="alloy")
    text = "Thanks for calling. How can I help?"
    audio = b"".join(await _speak(tts, text))
    sentences = ["Thanks for calling.", "How can I help?"]
    assert [r["input"] for r in state.requests] == sentences
    for request in state.requests:
        assert request["path"] == "/v1/audio/speech"
        assert (request["model"], request["voice"], request["response_format"]) == (
            "tts-1",
            "alloy",
            "pcm",
        )
        assert "instructions" not in request and "speed" not in request
    # 24 kHz in, 8 kHz out: a third of the samples, one μ-law byte each.
    total_ms = PCM_MS_PER_CHAR * sum(len(s) for s in sentences)
    assert len(audio) == total_ms * 8
    pcm = np.frombuffer(ulaw_decode(audio), dtype="<i2").astype(np.float64)
    spectrum = np.abs(np.fft.rfft(pcm))
    assert abs(np.argmax(spectrum) * 8000 / len(pcm) - TONE_HZ) < 5


async def test_speech_sends_tone_instructions_and_speed_when_set(
    client: openai.AsyncOpenAI, state: AudioServerState
) -> None:
    tts = OpenAITextToSpeech(client, instructions="Warm and brief.", speed=1.25)
    await _speak(tts, "Hello.")
    assert state.requests[0]["instructions"] == "Warm and brief."
    assert state.requests[0]["speed"] == 1.25


async def test_speech_yields_before_a_later_sentence_fails(
    client: openai.AsyncOpenAI, state: AudioServerState
) -> None:
    state.faults.extend([None, Fault(status=503)])
    received: list[bytes] = []
    with pytest.raises(TransientSpeechError):
        async for chunk in OpenAITextToSpeech(client).synthesize("First one. Second one."):
            received.append(chunk)
    assert len(b"".join(received)) >= PCM_MS_PER_CHAR * len("First one.") * 8 - 100


async def test_a_cut_audio_stream_is_transient(
    client: openai.AsyncOpenAI, state: AudioServerState
) -> None:
    state.faults.append(Fault(cut=True))
    with pytest.raises(TransientSpeechError):
        await _speak(OpenAITextToSpeech(client), "This answer gets cut off.")


async def test_bad_credentials_are_permanent(
    client: openai.AsyncOpenAI, state: AudioServerState
) -> None:
    state.faults.append(Fault(status=401))
    with pytest.raises(PermanentSpeechError):
        await _speak(OpenAITextToSpeech(client), "Hello.")


async def test_closing_early_sends_no_more_requests(
    client: openai.AsyncOpenAI, state: AudioServerState
) -> None:
    stream = OpenAITextToSpeech(client).synthesize("One. Two. Three.")
    assert await anext(stream)
    await stream.aclose()  # barge-in
    assert len(state.requests) == 1
