"""``receptionist --help`` and quick commands must not pay for what they do not use: building the
command tree (and printing any help) loads no speech stack, model SDK, crawler, embedding
model, CalDAV client, Twilio SDK, web framework or database toolkit; a quick database command
loads the database but still none of the rest. Checked in a fresh interpreter each time."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# Never needed to build the command tree or print help.
HEAVY = (
    "receptionist.speech", "faster_whisper", "ctranslate2", "webrtcvad", "openai",
    "receptionist.media", "receptionist.agent", "receptionist.call", "receptionist.app",
    "receptionist.web", "uvicorn", "fastapi", "starlette",
    "knowledge.crawl", "knowledge.service", "knowledge.index", "trafilatura", "extruct", "lxml",
    "pypdf", "wordllama", "numpy", "tokenizers",
    "calendar_sync.service", "caldav", "icalendar", "radicale", "dateparser",
    "textback.outbox", "textback.service", "twilio", "aiohttp", "httpx", "rich",
)
# Only when a command reads settings or opens the database.
DATABASE = ("sqlalchemy", "pydantic_settings", "aiosqlite", "alembic")


def _loaded_after(argv: list[str], tmp_path: Path) -> list[str]:
    """Modules of HEAVY + DATABASE loaded after ``receptionist <argv>`` in a new interpreter."""
    watched = HEAVY + DATABASE
    code = (
        "import json, sys\n"
        "from receptionist.cli import app\n"
        f"sys.argv = ['receptionist', *{argv!r}]\n"
        "try:\n"
        "    app()\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "else:\n"
        "    code = 0\n"
        f"loaded = [m for m in {watched!r} if m in sys.modules]\n"
        "sys.stderr.write('LOADED ' + json.dumps({'code': code, 'loaded': loaded}) + '\\n')\n"
    )
    env = {"PATH": "/usr/bin:/bin", "RECEPTIONIST_DATA_DIR": str(tmp_path / "data"),
           "RECEPTIONIST_SECRET_KEY": "test-secret"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env=env, cwd=Path(__file__).resolve().parents[1])
    line = next((x for x in done.stderr.splitlines() if x.startswith("LOADED ")), None)
    assert line is not None, done.stderr
    result = json.loads(line.removeprefix("LOADED "))
    assert result["code"] in (0, None), done.stdout + done.stderr
    return list(result["loaded"])


def test_importing_the_cli_loads_nothing_heavy() -> None:
    code = ("import json, sys; import receptionist.cli; "
            f"print(json.dumps([m for m in {HEAVY + DATABASE!r} if m in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    assert json.loads(out) == []


@pytest.mark.slow  # a fresh interpreter per command
@pytest.mark.parametrize("argv", [
    ["--help"], ["business", "--help"], ["business", "add", "--help"], ["team", "--help"],
    ["knowledge", "--help"], ["onboard", "--help"], ["calendar", "--help"],
    ["calendar", "book", "--help"], ["service", "--help"], ["voice", "--help"],
    ["call", "simulate", "--help"], ["call", "missed", "--help"], ["textback", "--help"],
    ["report", "--help"], ["serve", "--help"], ["db", "--help"], ["chat", "--help"],
    ["user", "--help"], ["user", "add", "--help"], ["token", "--help"],
])
def test_help_loads_nothing_heavy(argv: list[str], tmp_path: Path) -> None:
    assert _loaded_after(argv, tmp_path) == []


def test_a_quick_database_command_loads_only_the_database(tmp_path: Path) -> None:
    env_url = f"sqlite+aiosqlite:///{tmp_path}/r.db"
    from receptionist.cli import upgrade_database

    upgrade_database(env_url)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "receptionist.db").write_bytes((tmp_path / "r.db").read_bytes())
    loaded = _loaded_after(["business", "list"], tmp_path)
    assert "sqlalchemy" in loaded  # the command did run against the database
    assert [m for m in loaded if m in HEAVY] == []
