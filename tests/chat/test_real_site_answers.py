"""Answers, not just passages, on real small-business websites (the development set): each
site onboarded, then every caller question asked over the text channel with the local brain.
At or above the floors reached, and never a fact invented for a question the site cannot
answer. ``scripts/bench_answers.py`` prints the same figures per site."""

from __future__ import annotations

from pathlib import Path

import pytest

from receptionist.core import Database, FixedClock, Settings
from receptionist.services import Overrides, build_services
from scripts.doubles.real_sites import DECLINE, holds, real_sites, serve_real_site
from tests.agent.world import MONDAY_9AM
from textback import ConsoleSmsSender

ANSWERED_FLOOR = 52  # of 60
CALLER = "+12025550143"

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not real_sites(), reason="real-site fixtures not present")]


async def test_real_sites_are_answered_and_nothing_is_invented(
        db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if "sqlite" not in db.url:
        pytest.skip("the answers do not depend on the database; one run is enough")
    monkeypatch.setenv("RECEPTIONIST_CALENDAR_EMBEDDED_PORT", "0")
    settings = Settings(database_url=db.url, data_dir=tmp_path / "data", secret_key="k",
                        demo=False, crawl_allow_private=True)
    services = build_services(settings, Overrides(
        clock=FixedClock(MONDAY_9AM), sms_sender=ConsoleSmsSender(), run_workers=False,
        voice=False))
    answered, missed, invented = 0, [], []
    try:
        await services.start()
        for number, site in enumerate(real_sites()):
            with serve_real_site(site) as base:
                report = await services.knowledge.onboard(base + "/",
                                                          number=f"+1202555{number:04d}")
            for q in site.truth["questions"]:
                opened = await services.chat.start(report.business_id, caller_phone=CALLER)
                reply = (await services.chat.say(opened.conversation_id, q["q"])).reply
                if q.get("not_on_site"):
                    if not DECLINE.search(reply):
                        invented.append((site.name, q["q"], reply))
                elif holds(reply, q["answer_contains"]):
                    answered += 1
                else:
                    missed.append((site.name, q["q"]))
    finally:
        await services.aclose()
    assert not invented
    assert answered >= ANSWERED_FLOOR, missed
