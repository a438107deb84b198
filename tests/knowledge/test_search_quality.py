"""Caller questions against the fixture website: the page that answers each must be in the top
three (a floor on the hit rate), and off-topic questions must not sound confident."""

from __future__ import annotations

from urllib.parse import urlsplit

from knowledge import KnowledgeService, SearchMode
from scripts.doubles.site_server import FixtureSite
from tests.support.knowledge import QUESTIONS

TOP3_FLOOR = {SearchMode.HYBRID: 0.94, SearchMode.BM25: 0.94, SearchMode.DENSE: 0.94}
TOP1_FLOOR = {SearchMode.HYBRID: 0.85, SearchMode.BM25: 0.83, SearchMode.DENSE: 0.83}


async def test_question_set_hit_rates(knowledge: KnowledgeService, site: FixtureSite) -> None:
    bid = (await knowledge.onboard(site.base + "/", number="+15035550100")).business_id
    questions = QUESTIONS["answerable"]
    assert len(questions) >= 40
    for mode in SearchMode:
        top1 = top3 = 0
        misses = []
        for item in questions:
            result = await knowledge.search(bid, item["q"], k=3, mode=mode)
            paths = [urlsplit(p.url).path for p in result.passages]
            top1 += bool(paths) and paths[0] in item["pages"]
            hit = any(p in item["pages"] for p in paths)
            top3 += hit
            if not hit:
                misses.append((item["q"], paths))
        n = len(questions)
        assert top3 / n >= TOP3_FLOOR[mode], (mode, top3 / n, misses)
        assert top1 / n >= TOP1_FLOOR[mode], (mode, top1 / n)


async def test_confidence_separates_answerable_from_off_topic(
        knowledge: KnowledgeService, site: FixtureSite) -> None:
    bid = (await knowledge.onboard(site.base + "/", number="+15035550100")).business_id
    answerable = [await knowledge.search(bid, i["q"]) for i in QUESTIONS["answerable"]]
    off_topic = [await knowledge.search(bid, q) for q in QUESTIONS["unanswerable"]]
    assert sum(r.confident for r in answerable) / len(answerable) >= 0.8
    assert sum(not r.confident for r in off_topic) / len(off_topic) >= 0.85
    for r in answerable + off_topic:
        assert 0.0 <= r.confidence <= 1.0
