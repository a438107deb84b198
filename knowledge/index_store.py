"""The search index of one business, built from the stored passages (embedding the ones whose
vectors are missing or stale, and storing them) plus the passages made at build time: the
profile and the site-wide text (:mod:`knowledge.sitewide`)."""

from __future__ import annotations

import logging
from dataclasses import replace

import numpy as np
from sqlalchemy import select

from knowledge.errors import EmbeddingError
from knowledge.facts import PageFacts
from knowledge.index import HybridIndex, IndexedChunk, PassageKind, is_document
from knowledge.models import KnowledgeChunk, KnowledgePage, KnowledgeSite
from knowledge.overrides import effective_profile
from knowledge.ports import Embedder
from knowledge.profile import BusinessProfile
from knowledge.sitewide import extra_passages
from receptionist.core import Database, get_business, log_event

__all__ = ["build_index"]

log = logging.getLogger("knowledge.index_store")


async def build_index(db: Database, embedder: Embedder | None, business_id: int) -> HybridIndex:
    """The index of ``business_id``'s stored passages and its profile and site-wide passages;
    BM25 alone when there is no embedder or embedding fails."""
    async with db.transaction() as session:
        rows = (await session.execute(
            select(KnowledgeChunk.id, KnowledgePage.url, KnowledgePage.title,
                   KnowledgePage.kind,
                   KnowledgeChunk.heading, KnowledgeChunk.text, KnowledgeChunk.embedder,
                   KnowledgeChunk.embedding)
            .join(KnowledgePage, KnowledgePage.id == KnowledgeChunk.page_id)
            .where(KnowledgeChunk.business_id == business_id)
            .order_by(KnowledgePage.id, KnowledgeChunk.position))).all()
    chunks = [IndexedChunk(r.url, r.title, r.heading, r.text,
                           PassageKind.DOCUMENT if is_document(r.url, r.title, r.kind)
                           else PassageKind.PAGE) for r in rows]
    # The same passage on two URLs ("/" and "/index.html") is indexed once.
    seen: set[str] = set()
    keep = []
    for i, c in enumerate(chunks):
        key = " ".join(c.text.lower().split())
        if key not in seen:
            seen.add(key)
            keep.append(i)
    rows = [rows[i] for i in keep]
    chunks = [chunks[i] for i in keep]
    # An extra passage whose body a page already holds word for word (an FAQ answer, a
    # footer the main text kept) would only crowd that page out of the results.
    extras = [c for c in await _extra_passages(db, business_id)
              if " ".join(c.text.lower().split()) not in seen
              and " ".join(c.text.partition("\n")[2].lower().split()) not in seen]
    if embedder is None or not chunks:
        return HybridIndex(chunks + extras, None)
    stale = [i for i, r in enumerate(rows) if r.embedder != embedder.name or not r.embedding]
    vectors: list[np.ndarray | None] = [
        None if i in set(stale) else np.frombuffer(r.embedding, dtype=np.float32)
        for i, r in enumerate(rows)]
    if stale:
        try:
            fresh = await embedder.embed([chunks[i].indexed_text for i in stale])
        except EmbeddingError as exc:
            log_event(log, "knowledge.embedding_failed", logging.WARNING, error=str(exc))
            return HybridIndex(chunks + extras, None)
        async with db.transaction() as session:
            for i, row in zip(stale, fresh, strict=True):
                vectors[i] = row
                chunk = await session.get(KnowledgeChunk, rows[i].id)
                if chunk is not None:
                    chunk.embedder, chunk.embedding = embedder.name, row.tobytes()
    if extras:
        try:
            vectors += list(await embedder.embed([c.indexed_text for c in extras]))
        except EmbeddingError as exc:
            log_event(log, "knowledge.embedding_failed", logging.WARNING, error=str(exc))
            return HybridIndex(chunks + extras, None)
    ready = [v for v in vectors if v is not None]
    if len(ready) != len(vectors) or len({v.shape[0] for v in ready}) != 1:
        return HybridIndex(chunks + extras, None)
    return HybridIndex(chunks + extras, np.vstack(ready).astype(np.float32))


async def _extra_passages(db: Database, business_id: int) -> list[IndexedChunk]:
    """The profile (with the owner's edits) and the site-wide text, as passages."""
    async with db.transaction() as session:
        biz = await get_business(session, business_id)
        site = await session.get(KnowledgeSite, business_id)
        if site is None:
            return []
        profile = effective_profile(biz, site)
        if site.extracted:
            profile = replace(profile, sources=BusinessProfile.from_storage(
                site.extracted).sources, other_phones=BusinessProfile.from_storage(
                site.extracted).other_phones)
        pages = (await session.execute(select(KnowledgePage.url, KnowledgePage.title,
                                              KnowledgePage.facts).where(
            KnowledgePage.business_id == business_id).order_by(KnowledgePage.id))).all()
    facts = [(p.url, p.title, PageFacts.from_json(p.facts)) for p in pages]
    return extra_passages(facts, profile, site.root_url)
