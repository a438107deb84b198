"""Onboarding real small-business websites (the development set): the profile fields right and
the caller questions answered in the top three passages, at or above the floors reached. The
scoring rules are in :mod:`scripts.doubles.real_sites`; ``scripts/bench_sites.py`` prints the
same figures per site."""

from __future__ import annotations

import pytest

from knowledge import KnowledgeService
from knowledge.wordllama_embeddings import WordLlamaEmbedder
from receptionist.core import Database, Settings
from scripts.doubles.real_sites import FIELDS, field_right, found_in, real_sites, serve_real_site

FIELDS_FLOOR = 33    # of 36
TOP3_FLOOR = 55      # of 60
TOP1_FLOOR = 46

pytestmark = [pytest.mark.slow,  # crawls of real sites
              pytest.mark.skipif(not real_sites(), reason="real-site fixtures not present")]


async def test_real_sites_profile_fields_and_search_floors(
        db: Database, ksettings: Settings, local_embedder: WordLlamaEmbedder) -> None:
    fields = top1 = top3 = 0
    wrong: list[tuple[str, str]] = []
    for number, site in enumerate(real_sites()):
        service = KnowledgeService(db, ksettings, embedder=local_embedder, writer=None)
        with serve_real_site(site) as base:
            report = await service.onboard(base + "/", number=f"+1503555{number:04d}")
            profile = (await service.profile(report.business_id)).to_json()
            for field in FIELDS:
                ok = field_right(field, site.truth["profile"].get(field), profile.get(field))
                fields += ok
                if not ok:
                    wrong.append((site.name, field))
            for q in site.truth["questions"]:
                if q.get("not_on_site"):
                    continue
                result = await service.search(report.business_id, q["q"], k=3)
                passages = [(p.url, f"{p.title}\n{p.text}") for p in result.passages]
                top1 += found_in(q, passages[:1], base)
                top3 += found_in(q, passages, base)
        await service.aclose()
    assert fields >= FIELDS_FLOOR, wrong
    assert top3 >= TOP3_FLOOR
    assert top1 >= TOP1_FLOOR
