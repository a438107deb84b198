"""Benchmark onboarding on real small-business websites (the development set in
``shared/fixtures/real-sites``): profile fields against the hand-read ground truth and search
hit rates (top-1, top-3) for the caller questions. The scoring rules are in
``scripts/doubles/real_sites.py`` and docs/benchmarks.md.

    .venv/bin/python scripts/bench_sites.py [--site NAME] [--verbose] [--json] [--sites-dir D]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge import KnowledgeService  # noqa: E402
from knowledge.wordllama_embeddings import WordLlamaEmbedder  # noqa: E402
from receptionist.core import Base, Database, Settings  # noqa: E402
from receptionist.core import tenancy as _tenancy  # noqa: E402, F401

sys.path.insert(0, str(ROOT / "scripts"))
from machine_ref import machine_reference  # noqa: E402

from scripts.doubles.real_sites import (  # noqa: E402
    FIELDS,
    RealSite,
    field_right,
    found_in,
    real_sites,
    serve_real_site,
)


async def bench_site(site: RealSite, tmp: Path, embedder: WordLlamaEmbedder,
                     verbose: bool) -> dict[str, Any]:
    import knowledge.models  # noqa: F401

    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp}/{site.name}.db", data_dir=tmp,
                        crawl_allow_private=True, secret_key="bench", demo=False)
    db = Database(settings.database_url)
    async with db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    service = KnowledgeService(db, settings, embedder=embedder, writer=None)
    try:
        with serve_real_site(site) as base:
            started = time.perf_counter()
            report = await service.onboard(base + "/", number="+15035550100")
            onboard_s = time.perf_counter() - started
            profile = (await service.profile(report.business_id)).to_json()
            truth = site.truth["profile"]
            fields = {f: field_right(f, truth.get(f), profile.get(f), base) for f in FIELDS}
            top1 = top3 = 0
            misses = []
            answerable = [q for q in site.truth["questions"] if not q.get("not_on_site")]
            for q in answerable:
                result = await service.search(report.business_id, q["q"], k=3)
                passages = [(p.url, f"{p.title}\n{p.text}") for p in result.passages]
                hit1 = found_in(q, passages[:1], base)
                hit3 = found_in(q, passages[:3], base)
                top1 += hit1
                top3 += hit3
                if not hit1:
                    misses.append({"q": q["q"], "want": q["answer_contains"], "top3": hit3,
                                   "got": [u.removeprefix(base) for u, _ in passages]})
            # Questions the site cannot answer should not look answered.
            unanswerable = [q for q in site.truth["questions"] if q.get("not_on_site")]
            confident_wrong = 0
            for q in unanswerable:
                confident_wrong += (await service.search(report.business_id, q["q"])).confident
    finally:
        await service.aclose()
        await db.dispose()
    out: dict[str, Any] = {
        "site": site.name, "pages": report.new, "passages": report.chunks,
        "onboard_s": round(onboard_s, 2), "fields": sum(fields.values()),
        "fields_total": len(fields), "top1": top1, "top3": top3, "questions": len(answerable),
        "unanswerable": len(unanswerable), "confident_unanswerable": confident_wrong,
        "wrong_fields": [f for f, ok in fields.items() if not ok]}
    if verbose:
        out["profile"] = {f: profile.get(f) for f in FIELDS if not fields[f]}
        out["misses"] = misses
    return out


async def main(only: str | None, verbose: bool, directory: Path | None = None
               ) -> dict[str, Any]:
    sites = [s for s in real_sites(directory) if only in (None, s.name)]
    if not sites:
        raise SystemExit("no real-site fixtures found (shared/fixtures/real-sites)")
    embedder = WordLlamaEmbedder.load()
    rows = []
    with tempfile.TemporaryDirectory() as tmp_dir:
        for site in sites:
            rows.append(await bench_site(site, Path(tmp_dir), embedder, verbose))
    total = {k: sum(r[k] for r in rows) for k in ("fields", "fields_total", "top1", "top3",
                                                   "questions", "unanswerable",
                                                   "confident_unanswerable")}
    return {"sites": rows, "total": total}


def _print_table(result: dict[str, Any]) -> None:
    print(f"{'site':20} {'fields':>7} {'top-1':>7} {'top-3':>7} {'pages':>6} {'onboard s':>9}"
          "  wrong fields")
    for r in result["sites"]:
        print(f"{r['site']:20} {r['fields']:>3}/{r['fields_total']:<3} {r['top1']:>3}/"
              f"{r['questions']:<3} {r['top3']:>3}/{r['questions']:<3} {r['pages']:>6} "
              f"{r['onboard_s']:>9}  {', '.join(r['wrong_fields']) or '-'}")
    t = result["total"]
    print(f"{'total':20} {t['fields']:>3}/{t['fields_total']:<3} {t['top1']:>3}/"
          f"{t['questions']:<3} {t['top3']:>3}/{t['questions']:<3}")
    print(f"fields {t['fields'] / t['fields_total']:.0%}, top-1 {t['top1'] / t['questions']:.0%}"
          f", top-3 {t['top3'] / t['questions']:.0%}; confident on {t['confident_unanswerable']}"
          f" of {t['unanswerable']} questions the sites cannot answer")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", help="Only this site (folder name).")
    parser.add_argument("--verbose", action="store_true", help="Wrong fields and missed "
                        "questions in detail.")
    parser.add_argument("--json", action="store_true", help="Print JSON.")
    parser.add_argument("--sites-dir", type=Path, help="The development set's folder (found "
                        "next to the repository by default).")
    args = parser.parse_args()
    print(machine_reference())
    result = asyncio.run(main(args.site, args.verbose, args.sites_dir))
    if args.json or args.verbose:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    _print_table(result)
