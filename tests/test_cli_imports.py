"""``receptionist --help`` and quick commands must not pay for speech: importing the CLI loads
no speech stack, Whisper, model SDK or the live-call machinery (checked in a fresh interpreter)."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("receptionist.speech", "faster_whisper", "ctranslate2", "openai", "receptionist.media",
         "receptionist.agent", "receptionist.app", "uvicorn", "webrtcvad")


def test_importing_the_cli_loads_no_speech_or_model_sdk() -> None:
    code = ("import json, sys; import receptionist.cli; "
            f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    assert json.loads(out) == []
