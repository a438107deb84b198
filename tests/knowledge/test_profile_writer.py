"""The optional LLM pass: validated, gap-filling only, through the real SDK against the local
OpenAI double."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge import KnowledgeService
from knowledge.profile import BusinessProfile
from knowledge.suggestions import ProfileSuggestion, fill_gaps, parse_suggestion
from receptionist.core import Database, get_business
from scripts.doubles.openai_http import HttpError, OpenAIHttpDouble
from scripts.doubles.openai_http_chat import ChatTurn
from scripts.doubles.site_server import FixtureSite
from tests.support.knowledge import knowledge_settings

ANSWER = {"name": "Harbour Plumbing Co", "phone": "(503) 555-0199", "address": None,
          "hours": "Mon-Sun 06:00-22:00", "booking_link": "https://book.example/x",
          "greeting": "Harbor City Plumbing, this is the front desk – how can I help?",
          "textback_template": "Sorry we missed you at {business}! Book any time: "
                               "{booking_link}"}


def test_parse_suggestion_validates_every_field() -> None:
    s = parse_suggestion({**ANSWER, "hours": "whenever", "booking_link": "javascript:x",
                          "textback_template": "Hi {name}, call {business}"})
    assert s.name == "Harbour Plumbing Co" and s.phone == "+15035550199"
    assert s.hours is None and s.booking_link is None and s.textback_template is None
    assert parse_suggestion("not an object") == ProfileSuggestion()
    good = parse_suggestion(ANSWER)
    assert good.textback_template is not None and good.hours is not None


def test_fill_gaps_never_replaces_what_the_site_says() -> None:
    site = BusinessProfile(name="Harbor City Plumbing", hours={"mon": [["08:00", "17:00"]]})
    filled = fill_gaps(site, parse_suggestion(ANSWER))
    assert filled.name == "Harbor City Plumbing" and filled.hours == {"mon": [["08:00", "17:00"]]}
    assert filled.phone == "+15035550199" and filled.booking_link == "https://book.example/x"


@pytest.fixture
def openai_double() -> Iterator[OpenAIHttpDouble]:
    def brain(turn: ChatTurn) -> str:
        assert "Harbor City Plumbing" in str(turn.messages[-1]["content"])
        return json.dumps(ANSWER)

    with OpenAIHttpDouble(brain=brain) as double:
        yield double


async def test_llm_pass_writes_greeting_and_textback(
        openai_double: OpenAIHttpDouble, site: FixtureSite, db: Database, db_url: str,
        tmp_path: Path) -> None:
    settings = knowledge_settings(db_url, tmp_path, openai_api_key=openai_double.api_key,
                                  openai_base_url=openai_double.base_url)
    service = KnowledgeService(db, settings)
    try:
        report = await service.onboard(site.base + "/", number="+15035550100")
        assert report.profile.name == "Harbor City Plumbing"         # the site's, not the LLM's
        assert report.profile.phone == "+15035550147"
        async with db.transaction() as session:
            biz = await get_business(session, report.business_id)
            assert biz.greeting == ANSWER["greeting"]
            assert biz.textback_template == ANSWER["textback_template"]
            assert biz.hours["sat"] == [["09:00", "14:00"]]
        assert openai_double.requests_to("/v1/embeddings")            # embeddings from OpenAI

        openai_double.inject(HttpError(500), path="/v1/chat/completions")
        openai_double.inject(HttpError(500), path="/v1/chat/completions")
        site.set_page("/about", (site.directory / "about.html").read_text() + "<p>New</p>")
        again = await service.recrawl(report.business_id)              # the LLM is down
        assert again.changed == 1 and again.profile.name == "Harbor City Plumbing"
    finally:
        await service.aclose()
