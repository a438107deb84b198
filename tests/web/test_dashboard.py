"""The overview's demo button, behind sign-in (the sign-in page rendered by Debian's chromium)."""

from __future__ import annotations

import asyncio
import shutil
import subprocess

import httpx
import pytest

from receptionist.core import SmsProvider
from scripts.doubles.factories import add_business
from tests.support.auth import add_user, login_form_token, sign_in
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


@pytest.mark.slow  # a browser
async def test_demo_button_shows_the_console_text_back(db, db_url, tmp_path):
    await add_business(db, name="Greenfield Plumbing")
    settings = make_settings(db_url, None, tmp_path, demo=True)
    assert settings.sms_provider is SmsProvider.CONSOLE
    await add_user(db, settings, "owner@example.com")
    server = AppServer(settings).start()
    try:
        # A browser that is not signed in is sent to the sign-in form.
        page = await asyncio.to_thread(render, server.url + "/", tmp_path)
        assert 'name="email"' in page and 'name="password"' in page
        assert "Greenfield Plumbing" not in page
        async with httpx.AsyncClient(base_url=server.url) as client:
            assert (await sign_in(client, "owner@example.com")).status_code == 303
            page = (await client.get("/")).text
            assert "Greenfield Plumbing" in page and "Simulate a missed call" in page
            form = {"to": "+12025550100", "from_": "+12025550143",
                    "csrf_token": login_form_token(page)}
            # The signed webhooks go to PUBLIC_URL, whatever the request's Host says.
            r = await client.post("/demo/missed-call", data=form,
                                  headers={"Host": "evil.example"})
            assert r.status_code == 303
            for _ in range(50):
                page = (await client.get("/inbox")).text  # the caller's thread
                if "Sorry we missed your call" in page:
                    break
                await asyncio.sleep(0.1)
            assert "Hi, this is Greenfield Plumbing. Sorry we missed your call!" in page
            assert "<dt>Missed</dt><dd>1</dd>" in (await client.get("/")).text
    finally:
        server.stop()


async def test_demo_calls_need_sign_in_console_sms_and_demo_on(db, db_url, tmp_path):
    await add_business(db, name="Greenfield Plumbing")
    settings = make_settings(db_url, None, tmp_path, demo=False)
    await add_user(db, settings, "owner@example.com")
    server = AppServer(settings).start()
    try:
        async with httpx.AsyncClient(base_url=server.url) as client:
            form = {"to": "+12025550100", "from_": "+12025550143"}
            assert (await client.post("/demo/missed-call", data=form)).status_code == 401
            await sign_in(client, "owner@example.com")
            page = (await client.get("/")).text
            assert "Simulate a missed call" not in page  # DEMO is off
            form["csrf_token"] = login_form_token(page)
            r = await client.post("/demo/missed-call", data=form,
                                  headers={"Host": "evil.example"})
            assert r.status_code == 404
    finally:
        server.stop()
