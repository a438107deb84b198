"""Benchmark website onboarding and knowledge search (figures for docs/benchmarks.md).

    .venv/bin/python scripts/bench_knowledge.py [--pages 200] [--queries 1000]

1. Onboarding: the fixture website plus generated pages (200 in all, ~2,000 passages) served by
   a local HTTP server, onboarded end to end into a temporary SQLite database: crawl, extract,
   chunk, embed, store, and the first search (index build).
2. Search latency on that knowledge base, warm: p50/p95/p99 over many caller questions, through
   ``KnowledgeService.search`` (database generation check, query embedding, BM25 + dense + RRF),
   with the index's memory and the process's peak RSS.
3. Hit rates (top-1, top-3) on the fixture question set for BM25 alone, dense alone and hybrid,
   on the fixture site alone and with the generated pages as distractors.
"""
# bench_all:

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge import KnowledgeService, SearchMode  # noqa: E402
from knowledge.wordllama_embeddings import WordLlamaEmbedder  # noqa: E402
from receptionist.core import Base, Database, Settings  # noqa: E402
from receptionist.core import tenancy as _tenancy  # noqa: E402, F401
from scripts.doubles.site_server import SITE_DIR, FixtureSite  # noqa: E402

QUESTIONS = json.loads((SITE_DIR / "questions.json").read_text())
FIXTURE_PAGES = 25

TOPICS = ["sump pumps", "water softeners", "gas lines", "bathroom remodels", "kitchen sinks",
          "shower valves", "outdoor spigots", "sewer lines", "septic tanks", "boilers",
          "radiant floors", "well pumps", "backflow devices", "water filters", "ice makers",
          "dishwashers", "laundry boxes", "floor drains", "vent stacks", "copper repipes"]
VERBS = ["inspect", "replace", "repair", "install", "flush", "upgrade", "clean", "test"]
NOUNS = ["fittings", "valves", "seals", "gaskets", "traps", "risers", "couplings", "lines",
         "tanks", "filters", "meters", "hoses"]
PLACES = ["basement", "crawl space", "attic", "garage", "laundry room", "yard", "kitchen"]


def _generated_page(i: int, rng: random.Random) -> tuple[str, str]:
    topic = rng.choice(TOPICS)
    sections = []
    for s in range(11):
        sentences = [
            f"Our team can {rng.choice(VERBS)} {rng.choice(NOUNS)} for {topic} in the "
            f"{rng.choice(PLACES)} in about {rng.randint(20, 180)} minutes."
            for _ in range(rng.randint(4, 7))]
        sections.append(f"<h2>{topic.title()} note {s + 1}</h2><p>{' '.join(sentences)}</p>")
    body = (f"<h1>Guide {i}: {topic}</h1><p>Everything about {topic} from our archive.</p>"
            + "".join(sections))
    html = ("<!doctype html><html><head><meta charset='utf-8'><title>Guide " + str(i)
            + f": {topic} | Harbor City Plumbing</title></head><body>{{{{HEADER}}}}<main>"
            + body + "</main>{{FOOTER}}</body></html>")
    return f"/archive/guide-{i}", html


def generated_site(total_pages: int) -> dict[str, str]:
    rng = random.Random(7)
    n = max(total_pages - FIXTURE_PAGES, 0)
    pages = dict(_generated_page(i, rng) for i in range(n))
    links = "".join(f'<li><a href="{path}">{path}</a></li>' for path in pages)
    pages["/archive/"] = ("<html><head><title>Archive | Harbor City Plumbing</title></head>"
                          f"<body><ul>{links}</ul></body></html>")
    return pages


async def _service(tmp: Path, name: str, embedder: WordLlamaEmbedder) -> KnowledgeService:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp}/{name}.db", data_dir=tmp,
                        crawl_allow_private=True, secret_key="bench")
    db = Database(settings.database_url)
    async with db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    return KnowledgeService(db, settings, embedder=embedder)


async def hit_rates(service: KnowledgeService, bid: int) -> dict[str, dict[str, float]]:
    out = {}
    items = QUESTIONS["answerable"]
    for mode in SearchMode:
        top1 = top3 = 0
        for item in items:
            result = await service.search(bid, item["q"], k=3, mode=mode)
            paths = [urlsplit(p.url).path for p in result.passages]
            top1 += bool(paths) and paths[0] in item["pages"]
            top3 += any(p in item["pages"] for p in paths)
        out[mode.value] = {"top1": round(top1 / len(items), 3), "top3": round(top3 / len(items), 3)}
    return out


async def main(pages: int, queries: int) -> dict[str, object]:
    import knowledge.models  # noqa: F401

    t0 = time.perf_counter()
    embedder = WordLlamaEmbedder.load()
    load_s = time.perf_counter() - t0
    report: dict[str, object] = {"embedder": embedder.name, "embedder_load_s": round(load_s, 3)}
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        extra = generated_site(pages)
        site = FixtureSite(extra_pages=extra)
        site.start()
        try:
            home = (SITE_DIR / "index.html").read_text().replace(
                "</main>", '<p><a href="/archive/">Archive</a></p></main>')
            site.set_page("/", home)
            service = await _service(tmp, "big", embedder)
            started = time.perf_counter()
            onboard = await service.onboard(site.base + "/", number="+15035550100",
                                            max_pages=pages)
            await service.search(onboard.business_id, "warm up")   # builds the index
            onboard_s = time.perf_counter() - started
            index = service._indexes[onboard.business_id][1]
            report["onboarding"] = {
                "pages_read": onboard.new, "passages": onboard.chunks,
                "skipped": len(onboard.skipped), "seconds": round(onboard_s, 2)}
            rng = random.Random(3)
            questions = [q["q"] for q in QUESTIONS["answerable"]] + QUESTIONS["unanswerable"]
            latencies = []
            for _ in range(queries):
                q = rng.choice(questions)
                t = time.perf_counter()
                await service.search(onboard.business_id, q, k=3)
                latencies.append((time.perf_counter() - t) * 1000)
            latencies.sort()

            def pct(p: float) -> float:
                return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))], 2)

            report["search_ms"] = {"chunks": len(index.chunks), "queries": queries,
                                   "p50": pct(0.5), "p95": pct(0.95), "p99": pct(0.99),
                                   "index_memory_mb": round(index.memory_bytes() / 1e6, 2),
                                   "peak_rss_mb": round(resource.getrusage(
                                       resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
            report["hit_rates_with_distractors"] = await hit_rates(service, onboard.business_id)
            await service.db.dispose()
        finally:
            site.stop()
        site = FixtureSite()
        site.start()
        try:
            service = await _service(tmp, "fixture", embedder)
            onboard = await service.onboard(site.base + "/", number="+15035550100")
            report["hit_rates_fixture_site"] = {
                "questions": len(QUESTIONS["answerable"]),
                **await hit_rates(service, onboard.business_id)}
            await service.db.dispose()
        finally:
            site.stop()
    return report


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--queries", type=int, default=1000)
    args = parser.parse_args()
    from scripts.machine_ref import machine_reference

    print(machine_reference(), flush=True)
    print(json.dumps(asyncio.run(main(args.pages, args.queries)), indent=2))
    print(machine_reference(), flush=True)
