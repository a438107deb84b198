"""Playwright on Debian's chromium (``/usr/bin/chromium``; never a downloaded browser).

``browser_or_skip`` skips the test cleanly when chromium or the playwright package is absent.
Screenshots go to ``<pytest tmp>/artifacts``."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PHONE_WIDTH = 390


def skip_without_browser() -> Any:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return pytest.mark.skip(reason="playwright is not installed (pip install -e '.[dev]')")
    return pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed "
                              "(.ci/run installs Debian's chromium)")


@asynccontextmanager
async def chromium(*, args: tuple[str, ...] = (), **context_options: Any) -> AsyncIterator[Any]:
    """A fresh browser context (its own cookies) in headless chromium; ``args`` adds
    command-line switches (e.g. a fake microphone playing a file)."""
    from playwright.async_api import async_playwright

    assert CHROMIUM is not None
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                  "--autoplay-policy=no-user-gesture-required", *args])
        try:
            context = await browser.new_context(**context_options)
            context.set_default_timeout(15_000)
            yield context
        finally:
            await browser.close()


async def no_sideways_scroll(page: Any) -> bool:
    return bool(await page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth"))


class Artifacts:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    async def shot(self, page: Any, name: str) -> Path:
        path = self.root / f"{name}.png"
        await page.screenshot(path=str(path), full_page=True)
        return path
