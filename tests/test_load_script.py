"""``scripts/load.py`` run small: two app instances on one PostgreSQL, a storm of signed
webhooks, every missed caller texted exactly once and no answered caller texted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
POSTGRES = os.environ.get("RECEPTIONIST_TEST_POSTGRES_URL")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES, reason="set RECEPTIONIST_TEST_POSTGRES_URL to run on "
                       "PostgreSQL"),
]


def test_two_instances_text_each_missed_caller_exactly_once() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECEPTIONIST_")}
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "load.py"), "--instances", "2", "--calls", "24",
         "--rate", "12", "--replies-share", "0.3", "--postgres", str(POSTGRES), "--max-s", "120",
         "--settle-s", "20", "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=280,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(result.stdout)
    (run,) = report["runs"]
    assert run["instances"] == 2 and run["problem_count"] == 0
    assert run["texts_at_double"] == run["missed"] + run["replies"] and run["missed"] > 0
    assert run["answered"] > 0 and "cpu" in report["machine"].lower()
