"""The owner pages in a real browser (headless chromium via Playwright) against the app under
uvicorn: charts render, new replies appear in the inbox without a reload, an answer reaches the
Twilio double, nothing scrolls sideways on a phone. Screenshots land in <pytest tmp>/artifacts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from receptionist.core import Database
from scripts.doubles.factories import CALLER, add_business
from scripts.doubles.twilio_rest import TwilioRestDouble
from tests.support.auth import add_user
from tests.support.browser import (
    PHONE_WIDTH,
    Artifacts,
    chromium,
    no_sideways_scroll,
    skip_without_browser,
)
from tests.support.calls import sms_params
from tests.support.pages import browser_sign_in
from tests.support.server import AppServer
from tests.support.settings import make_settings
from tests.support.webhooks import Webhooks

pytestmark = [pytest.mark.slow, skip_without_browser()]

PAGES = ["/", "/calls", "/inbox", "/settings", "/bookings", "/knowledge", "/try"]
OWNER = "owner@example.com"
UNLABELLED = """[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
    .filter((e) => !e.labels.length && !e.getAttribute('aria-label'))
    .map((e) => e.name || e.id)"""
AUDIO_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "audio"


async def owner(db: Database, server: AppServer) -> int:
    """The business and its owner's login (made by the accounts service, as by
    ``receptionist user add``)."""
    bid = await add_business(db)
    await add_user(db, server.settings, OWNER, business=bid)
    return bid


@pytest.fixture
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Artifacts:
    return Artifacts(tmp_path_factory.getbasetemp() / "artifacts")


@pytest.fixture
def db_url(tmp_path: Path) -> str:  # the browser tests run on SQLite only
    return f"sqlite+aiosqlite:///{tmp_path}/receptionist.db"


@pytest.fixture
def live(db: Database, db_url: str, tmp_path: Path,
         twilio: TwilioRestDouble) -> Iterator[AppServer]:
    server = AppServer(make_settings(db_url, twilio, tmp_path)).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def hooks(live: AppServer) -> AsyncIterator[Webhooks]:
    w = Webhooks(live)
    try:
        yield w
    finally:
        await w.aclose()


async def test_overview_chart_renders(live, db: Database, artifacts: Artifacts):
    server = live
    await owner(db, server)
    async with chromium() as browser:
        page = await browser.new_page()
        await browser_sign_in(page, server.url, OWNER)
        await page.goto(server.url + "/")
        chart = page.locator("#chart-missed svg")
        await chart.wait_for()
        box = await chart.bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 50
        assert await page.locator("#chart-recovered svg").is_visible()
        await artifacts.shot(page, "overview")


async def test_reply_appears_and_the_answer_reaches_twilio(live, db: Database, hooks: Webhooks,
                                                            twilio: TwilioRestDouble,
                                                            artifacts: Artifacts):
    server = live
    await owner(db, server)
    async with chromium() as browser:
        page = await browser.new_page()
        await browser_sign_in(page, server.url, OWNER)
        await page.goto(server.url + "/inbox")
        await page.get_by_text("No texts yet").wait_for()
        r = await hooks.post("/twilio/sms", sms_params(body="Can you come today?"))
        assert r.status_code == 200
        # No reload: the polled list shows the new thread.
        await page.get_by_text("Can you come today?").wait_for(timeout=10_000)
        assert await page.locator("#unread-badge").inner_text() in ("1", "0")
        await artifacts.shot(page, "inbox")
        await page.get_by_text("Can you come today?").click()
        await page.get_by_label("Your answer").fill("Yes, we can be there at 3 pm.")
        await page.get_by_role("button", name="Send").click()
        await page.get_by_text("Sent.").wait_for()
        for _ in range(100):
            if any(m.body == "Yes, we can be there at 3 pm." and m.to == CALLER
                   for m in twilio.messages):
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("the answer never reached Twilio")
        await artifacts.shot(page, "thread")


async def test_no_page_scrolls_sideways_on_a_phone(live, db: Database, hooks: Webhooks,
                                                   artifacts: Artifacts):
    server = live
    await owner(db, server)
    await hooks.post("/twilio/sms", sms_params(body="A rather long reply " * 12))
    async with chromium(viewport={"width": PHONE_WIDTH, "height": 844}) as browser:
        page = await browser.new_page()
        await browser_sign_in(page, server.url, OWNER)
        wide, unlabelled = [], []
        for path in PAGES:
            response = await page.goto(server.url + path)
            assert response is not None and response.status == 200, path
            await artifacts.shot(page, "phone" + path.replace("/", "-"))
            if not await no_sideways_scroll(page):
                wide.append(path)
            # Every control has a label a screen reader reads out.
            unlabelled += [f"{path}: {name}" for name in await page.evaluate(UNLABELLED)]
        assert wide == []
        assert unlabelled == []


async def test_template_counter_follows_typing(live, db: Database, artifacts: Artifacts):
    server = live
    await owner(db, server)
    async with chromium() as browser:
        page = await browser.new_page()
        await browser_sign_in(page, server.url, OWNER)
        await page.goto(server.url + "/settings#textback")
        counter = page.locator("#template-count")
        assert "1 SMS segment" in await counter.inner_text()
        await page.get_by_label("Text during business hours").fill("{business}: " + "x" * 150)
        await page.wait_for_function(
            "document.getElementById('template-count').textContent.includes('2 SMS segments')")
        assert "Greenfield Plumbing: xxx" in await page.locator("#template-preview").inner_text()
        await page.get_by_label("Text during business hours").fill("Sorry we missed you ☎")
        await page.wait_for_function(
            "document.getElementById('template-count').textContent.includes('UCS-2')")
        assert "21 characters · 1 SMS segment" in await counter.inner_text()
        await artifacts.shot(page, "settings")


def speech_wav(path: Path, ulaw_file: str, silence_s: float = 4.0) -> Path:
    """A fixture utterance (8 kHz μ-law) as the 16-bit WAV chromium's fake microphone plays,
    after some silence so the greeting plays first (the file loops)."""
    import wave

    import numpy as np

    raw = np.frombuffer((AUDIO_DIR / ulaw_file).read_bytes(), dtype=np.uint8)
    u = ~raw & 0xFF  # G.711 μ-law decode
    sign, exponent, mantissa = u & 0x80, (u >> 4) & 0x07, u & 0x0F
    pcm = ((mantissa.astype(np.int32) << 3) + 0x84 << exponent) - 0x84
    pcm = np.where(sign != 0, -pcm, pcm).astype(np.int16)
    silence = np.zeros(int(8000 * silence_s), dtype=np.int16)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(np.concatenate([silence, pcm, silence]).tobytes())
    return path


async def test_softphone_talks_to_the_receptionist(db: Database, db_url: str, tmp_path: Path,
                                                   twilio: TwilioRestDouble,
                                                   artifacts: Artifacts):
    from sqlalchemy import select

    from receptionist.agent import TranscriptTurn
    from receptionist.services import Overrides

    settings = make_settings(db_url, twilio, tmp_path, voice_engine="pipeline",
                             voice_providers="local", silence_timeout_s=30.0)
    server = AppServer(settings, Overrides()).start()
    try:
        await owner(db, server)
        runtime = server.state.voice
        assert runtime is not None and runtime.warm_task is not None
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(
            asyncio.wait_for(asyncio.shield(runtime.warm_task), 120), server.loop))
        wav = speech_wav(tmp_path / "caller.wav", "10_open_sunday.ulaw")
        async with chromium(args=(f"--use-file-for-fake-audio-capture={wav}",)) as browser:
            page = await browser.new_page()
            await browser_sign_in(page, server.url, OWNER)
            await page.goto(server.url + "/try")
            await page.get_by_role("button", name="Call", exact=True).click()
            # The greeting comes back as audio the page plays, then the answer to the question
            # the fake microphone asks.
            await page.wait_for_function(
                "window.receptionist.softphone && window.receptionist.softphone.received > 25",
                timeout=30_000)
            # Talk for a while: the fake microphone's file (silence, the question, silence)
            # loops, so the receptionist hears the question and answers it.
            for _ in range(60):
                if await page.evaluate("window.receptionist.softphone.replies >= 2"):
                    break
                await asyncio.sleep(0.5)
            await artifacts.shot(page, "try")
            await page.get_by_role("button", name="Hang up").click()
            await page.get_by_text("You hung up.").wait_for()
            turns: list[TranscriptTurn] = []
            for _ in range(300):  # the call's record is written when its stream ends
                async with db.transaction() as s:
                    turns = list((await s.execute(select(TranscriptTurn).order_by(
                        TranscriptTurn.call_sid, TranscriptTurn.seq))).scalars())
                heard = [t for t in turns if t.role == "caller" and "sunday" in t.text.lower()]
                if heard and any(t.role == "agent" and t.seq > heard[0].seq for t in turns):
                    break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError(f"no answer to the caller: {[t.text for t in turns]}")
    finally:
        server.stop()


async def test_chat_answers_in_the_page(live, db: Database, artifacts: Artifacts):
    server = live
    await owner(db, server)
    async with chromium() as browser:
        page = await browser.new_page()
        await browser_sign_in(page, server.url, OWNER)
        await page.goto(server.url + "/try")
        await page.get_by_label("Your message").fill("What are your hours?")
        await page.get_by_role("button", name="Send").click()
        await page.locator("#chat-log li.caller").wait_for()
        await page.locator("#chat-log li.agent").last.wait_for()
        assert "What are your hours?" in await page.locator("#chat-log").inner_text()
        assert await page.locator("#chat-log li.agent").count() >= 1
        await artifacts.shot(page, "try-chat")


async def test_onboarding_shows_progress_then_the_profile(db: Database, db_url: str,
                                                          tmp_path: Path,
                                                          twilio: TwilioRestDouble,
                                                          artifacts: Artifacts):
    from scripts.doubles.site_server import FixtureSite

    site = FixtureSite()
    site.start()
    # Slow pages keep the crawl running long enough for the page to show it under way.
    site.delay_s.update({"/faq.html": 1.0, "/contact.html": 1.0, "/hours.html": 1.0})
    server = AppServer(make_settings(db_url, twilio, tmp_path, crawl_allow_private=True)).start()
    try:
        await owner(db, server)
        async with chromium() as browser:
            page = await browser.new_page()
            await browser_sign_in(page, server.url, OWNER)
            await page.goto(server.url + "/knowledge")
            await page.get_by_label("Website address").fill(site.base + "/")
            await page.get_by_role("button", name="Read this site").click()
            await page.locator("#job").wait_for(state="visible")
            await artifacts.shot(page, "knowledge-crawling")
            await page.wait_for_function(
                "document.getElementById('job-text').textContent.includes('Done:')",
                timeout=60_000)
            await page.reload()
            name = await page.get_by_label("Name", exact=True).input_value()
            assert "Harbor City Plumbing" in name
            assert "Pages read (0)" not in await page.locator("#pages").inner_text()
            await artifacts.shot(page, "knowledge-done")
    finally:
        server.stop()
        site.stop()
