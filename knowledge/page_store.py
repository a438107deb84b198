"""What a crawl leaves in the database: the pages' chunks (embedded when an embedder is set) and
the pages, site and extracted profile, written in the one transaction that ends an onboarding."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.chunking import chunk_text
from knowledge.crawl import CrawlOutcome, Skip
from knowledge.errors import EmbeddingError
from knowledge.facts import PageFacts
from knowledge.index import IndexedChunk
from knowledge.models import KnowledgeChunk, KnowledgePage, KnowledgeSite
from knowledge.overrides import apply_to_business, effective_profile
from knowledge.ports import Embedder
from knowledge.profile import BusinessProfile, build_profile
from receptionist.core import Business, log_event, utcnow

__all__ = ["OnboardReport", "Prepared", "prepare_pages", "store_crawl"]

log = logging.getLogger("knowledge.page_store")

Prepared = dict[str, list[tuple[str, str, bytes | None]]]  # url -> (heading, text, vector)


@dataclass
class OnboardReport:
    business_id: int
    created: bool
    profile: BusinessProfile
    found: int
    new: int
    changed: int
    unchanged: int
    removed: int
    chunks: int
    skipped: list[Skip]
    notes: list[str] = field(default_factory=list)  # what the application did with it

    def to_json(self) -> dict[str, Any]:
        return {"business_id": self.business_id, "created": self.created,
                "profile": self.profile.to_json(),
                "crawl": {"found": self.found, "new": self.new, "changed": self.changed,
                          "unchanged": self.unchanged, "removed": self.removed,
                          "chunks": self.chunks,
                          "skipped": [{"url": s.url, "reason": s.reason} for s in self.skipped]}}


async def prepare_pages(outcome: CrawlOutcome, embedder: Embedder | None) -> Prepared:
    """Chunk and embed the pages that are new or changed."""
    chunks: list[tuple[str, str, str, str]] = []  # url, title, heading, text
    for page in outcome.pages:
        if page.extracted is None:
            continue
        for c in chunk_text(page.extracted.text):
            chunks.append((page.url, page.extracted.title, c.heading, c.text))
    vectors: list[bytes | None] = [None] * len(chunks)
    if embedder is not None and chunks:
        try:
            matrix = await embedder.embed([IndexedChunk(u, t, h, x).indexed_text
                                           for u, t, h, x in chunks])
            vectors = [row.astype(np.float32).tobytes() for row in matrix]
        except EmbeddingError as exc:
            log_event(log, "knowledge.embedding_failed", logging.WARNING, error=str(exc),
                      transient=exc.transient)
    prepared: Prepared = {p.url: [] for p in outcome.pages if p.extracted is not None}
    for (url, _title, heading, text), vec in zip(chunks, vectors, strict=True):
        prepared[url].append((heading, text, vec))
    return prepared


async def store_crawl(session: AsyncSession, biz: Business, outcome: CrawlOutcome,
                      prepared: Prepared, created: bool,
                      embedder_name: str | None) -> OnboardReport:
    """Write what a crawl found in the caller's transaction: pages added, changed or gone, their
    chunks, the extracted profile, and the site's generation (so search indexes rebuild)."""
    rows = {p.url: p for p in (await session.execute(
        select(KnowledgePage).where(KnowledgePage.business_id == biz.id))).scalars()}
    now = utcnow()
    seen = {p.url for p in outcome.pages} | outcome.kept
    # A page disappeared when it now fails for good, or when a complete crawl no longer
    # finds it; a crawl cut short by the page limit proves nothing about unread pages.
    removed = [row for url, row in rows.items() if url not in seen
               and (url in outcome.gone or not outcome.truncated)]
    for row in removed:
        await session.execute(delete(KnowledgeChunk).where(KnowledgeChunk.page_id == row.id))
        await session.delete(row)
    n_chunks = 0
    for page in outcome.pages:
        existing = rows.get(page.url)
        if page.extracted is None:
            if existing is not None:
                row = existing
                row.etag, row.last_modified, row.fetched_at = (page.etag, page.last_modified,
                                                               now)
            continue
        if existing is None:
            row = KnowledgePage(business_id=biz.id, url=page.url)
            session.add(row)
        else:
            row = existing
            await session.execute(delete(KnowledgeChunk).where(
                KnowledgeChunk.page_id == row.id))
        row.title, row.kind = page.extracted.title[:500], page.kind
        row.etag, row.last_modified = page.etag, page.last_modified
        row.content_hash, row.facts = page.content_hash, page.extracted.facts.to_json()
        row.links, row.fetched_at, row.changed_at = page.extracted.links[:500], now, now
        await session.flush()
        for pos, (heading, text, vec) in enumerate(prepared.get(page.url, [])):
            session.add(KnowledgeChunk(
                business_id=biz.id, page_id=row.id, position=pos, heading=heading[:500],
                text=text, embedder=embedder_name if vec is not None else None,
                embedding=vec))
            n_chunks += 1
    await session.flush()
    pages = (await session.execute(select(KnowledgePage).where(
        KnowledgePage.business_id == biz.id).order_by(KnowledgePage.id))).scalars().all()
    facts = [(p.url, p.title, PageFacts.from_json(p.facts)) for p in pages]
    profile = build_profile(facts, outcome.root)
    site = await session.get(KnowledgeSite, biz.id)
    if site is None:
        site = KnowledgeSite(business_id=biz.id, root_url=outcome.root, owner={},
                             generation=0)
        session.add(site)
    counts = {s: sum(p.status == s for p in outcome.pages)
              for s in ("new", "changed", "unchanged")}
    if counts["new"] or counts["changed"] or removed or site.generation == 0:
        site.generation = (site.generation or 0) + 1
    site.root_url, site.extracted, site.crawled_at = outcome.root, profile.to_storage(), now
    site.last_crawl = {**counts, "removed": len(removed), "found": len(seen) + len(
        outcome.skipped), "skipped": [{"url": s.url, "reason": s.reason}
                                      for s in outcome.skipped[:300]]}
    apply_to_business(biz, profile, outcome.root)
    await session.flush()
    effective = effective_profile(biz, site)
    return OnboardReport(
        business_id=biz.id, created=created, profile=effective,
        found=site.last_crawl["found"], new=counts["new"], changed=counts["changed"],
        unchanged=counts["unchanged"], removed=len(removed), chunks=n_chunks,
        skipped=list(outcome.skipped))
