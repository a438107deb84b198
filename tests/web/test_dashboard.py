"""The dashboard, rendered by a real browser (Debian's chromium, headless)."""

from __future__ import annotations

import asyncio
import shutil
import subprocess

import pytest

from receptionist.core import SmsProvider
from tests.support.factories import add_business
from tests.support.server import AppServer
from tests.support.settings import make_settings

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed "
                                "(.ci/run installs Debian's chromium)")


def render(url: str, tmp_path) -> str:
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'chromium'}", "--dump-dom", url],
        capture_output=True, text=True, timeout=60, check=True,
    )
    return result.stdout


async def test_demo_button_shows_the_console_text_back(db, db_url, tmp_path):
    await add_business(db, name="Greenfield Plumbing")
    settings = make_settings(db_url, None, tmp_path)
    assert settings.sms_provider is SmsProvider.CONSOLE
    server = AppServer(settings).start()
    try:
        page = await asyncio.to_thread(render, server.url + "/", tmp_path)
        assert "Greenfield Plumbing" in page and "Simulate a missed call" in page
        import httpx

        async with httpx.AsyncClient(base_url=server.url) as client:
            r = await client.post("/demo/missed-call",
                                  data={"to": "+12025550100", "from_": "+12025550143"})
            assert r.status_code == 303
        for _ in range(50):
            page = await asyncio.to_thread(render, server.url + "/", tmp_path)
            if "Sorry we missed your call" in page:
                break
            await asyncio.sleep(0.1)
        assert "Hi, this is Greenfield Plumbing. Sorry we missed your call!" in page
        assert "Missed calls: 1" in page
    finally:
        server.stop()
