"""Knowledge use cases: onboard a website, re-crawl it, search it, read and edit the profile.

The crawl and the embedding happen outside any transaction; the results are written in one
short transaction at the end. Search keeps one in-memory index per business, checked against
the stored ``generation`` on every call, so several app instances stay correct.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.crawl import CrawlConfig, Crawler, CrawlOutcome, KnownPage, ProgressCallback
from knowledge.embedders import build_embedder, build_profile_writer
from knowledge.errors import EmbeddingError, KnowledgeError, NotOnboarded
from knowledge.fetch import Fetcher, FetchLimits
from knowledge.index import (
    HybridIndex,
    PassageKind,
    SearchMode,
    SearchResult,
)
from knowledge.index_store import build_index
from knowledge.models import KnowledgeChunk, KnowledgePage, KnowledgeSite
from knowledge.overrides import apply_to_business, effective_profile, owner_value
from knowledge.page_store import OnboardReport, prepare_pages, store_crawl
from knowledge.ports import Embedder, ProfileWriter
from knowledge.profile import BusinessProfile
from knowledge.suggestions import fill_gaps
from receptionist.core import (
    Business,
    Database,
    OutboundPolicy,
    PhoneNumber,
    Settings,
    WeeklyHours,
    all_businesses,
    business_for_number,
    get_business,
    log_event,
    normalize,
)

__all__ = ["KnowledgeConfig", "KnowledgeService", "OnboardReport", "OnboardedHook"]

log = logging.getLogger("knowledge.service")


@dataclass(frozen=True)
class KnowledgeConfig:
    crawl: CrawlConfig = field(default_factory=CrawlConfig)
    fetch: FetchLimits = field(default_factory=FetchLimits)
    search_mode: SearchMode = SearchMode.HYBRID
    # Crawls running at once in this process; more wait their turn. A crawl holds pages and
    # parsers in memory, so a burst of onboardings must not multiply that without bound.
    max_concurrent_crawls: int = 2


OnboardedHook = Callable[["OnboardReport"], Awaitable[list[str]]]
"""Called after every onboard and re-crawl, once the profile is stored (e.g. the application
makes the services found bookable); returns lines for the owner."""


class KnowledgeService:
    def __init__(self, db: Database, settings: Settings, *,
                 embedder: Embedder | Literal["auto"] | None = "auto",
                 config: KnowledgeConfig | None = None,
                 writer: ProfileWriter | Literal["auto"] | None = "auto",
                 transport: httpx.AsyncBaseTransport | None = None,
                 on_onboarded: OnboardedHook | None = None,
                 policy: OutboundPolicy | None = None) -> None:
        self.db = db
        self.on_onboarded = on_onboarded
        self.settings = settings
        self.config = config or KnowledgeConfig()
        self._embedder_choice = embedder
        self._embedder: Embedder | None = None
        self._embedder_ready = embedder != "auto"
        if embedder != "auto":
            self._embedder = embedder
        self._transport = transport
        self._policy = policy  # default: public addresses only (RECEPTIONIST_CRAWL_ALLOW_PRIVATE)
        if writer == "auto":
            writer = build_profile_writer(settings)
        self._writer = writer
        self._indexes: dict[int, tuple[int, HybridIndex]] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        self._crawl_slots = asyncio.Semaphore(max(1, self.config.max_concurrent_crawls))

    async def embedder(self) -> Embedder | None:
        if not self._embedder_ready:
            self._embedder = await asyncio.to_thread(build_embedder, self.settings)
            self._embedder_ready = True
        return self._embedder

    async def aclose(self) -> None:
        if self._embedder is not None:
            await self._embedder.aclose()
        if self._writer is not None:
            await self._writer.aclose()

    # -- onboarding ----------------------------------------------------------------------
    async def onboard(self, url: str, *, business: str | int | None = None,
                      number: str | None = None, max_pages: int | None = None,
                      on_progress: ProgressCallback | None = None) -> OnboardReport:
        """Crawl ``url`` for a business (by id or number), creating it when ``number`` is new."""
        number = normalize(number) if number else None
        async with self.db.transaction() as session:
            biz = await _find_business(session, business, number)
            known = await _known_pages(session, biz.id) if biz else {}
        outcome = await self._crawl(url, known, max_pages, on_progress)
        prepared = await prepare_pages(outcome, await self.embedder())
        async with self.db.transaction() as session:
            created = False
            if biz is None and number is not None:
                biz = await business_for_number(session, number)
            if biz is None:
                assert number is not None
                biz = Business(name="(new business)", numbers=[PhoneNumber(number=number)],
                               team=[])
                session.add(biz)
                await session.flush()
                created = True
            else:
                biz = await get_business(session, biz.id)
            report = await store_crawl(session, biz, outcome, prepared, created,
                                       self._embedder.name if self._embedder is not None else None)
        self._indexes.pop(report.business_id, None)
        if self._writer is not None and (report.new or report.changed):
            report.profile = await self._suggest(report.business_id, outcome)
        if self.on_onboarded is not None:
            report.notes += await self.on_onboarded(report)
        log_event(log, "knowledge.onboarded", business_id=report.business_id,
                  pages=report.new + report.changed + report.unchanged, chunks=report.chunks,
                  skipped=len(report.skipped))
        return report

    async def recrawl(self, business: str | int, *, max_pages: int | None = None,
                      on_progress: ProgressCallback | None = None) -> OnboardReport:
        async with self.db.transaction() as session:
            biz = await get_business(session, business)
            site = await session.get(KnowledgeSite, biz.id)
        if site is None:
            raise NotOnboarded(f"{biz.name} has no website yet; run `receptionist onboard URL "
                               f"--business {biz.id}`")
        return await self.onboard(site.root_url, business=biz.id, max_pages=max_pages,
                                  on_progress=on_progress)

    async def _suggest(self, business_id: int, outcome: CrawlOutcome) -> BusinessProfile:
        """The optional LLM pass: fill what the rules missed, write greeting and text-back."""
        assert self._writer is not None
        async with self.db.transaction() as session:
            site = await session.get(KnowledgeSite, business_id)
            assert site is not None
            extracted = BusinessProfile.from_storage(site.extracted)
        try:
            suggestion = await self._writer.suggest(extracted, _excerpts(outcome))
        except KnowledgeError as exc:
            log_event(log, "knowledge.profile_writer_failed", logging.WARNING, error=str(exc))
            return await self.profile(business_id)
        filled = fill_gaps(extracted, suggestion)
        async with self.db.transaction() as session:
            biz = await get_business(session, business_id)
            site = await session.get(KnowledgeSite, business_id)
            assert site is not None
            site.extracted = filled.to_storage()
            apply_to_business(biz, filled, outcome.root, greeting=suggestion.greeting,
                              textback_template=suggestion.textback_template)
            await session.flush()
            return effective_profile(biz, site)

    async def _crawl(self, url: str, known: dict[str, KnownPage], max_pages: int | None,
                     on_progress: ProgressCallback | None) -> CrawlOutcome:
        config = self.config.crawl if max_pages is None else replace(self.config.crawl,
                                                                     max_pages=max_pages)
        async with self._crawl_slots:
            fetcher = Fetcher(allow_private=self.settings.crawl_allow_private,
                              limits=self.config.fetch, transport=self._transport,
                              policy=self._policy)
            crawler = Crawler(fetcher, config, on_progress)
            try:
                outcome = await crawler.crawl(url, known)
            finally:
                await fetcher.aclose()
        if on_progress is not None:  # chunking, embedding and storing come next: say so
            crawler.progress.last_event, crawler.progress.last_url = "indexing", outcome.root
            on_progress(crawler.progress)
        return outcome

    # -- reading -------------------------------------------------------------------------
    async def profile(self, business_id: int | str) -> BusinessProfile:
        """The profile the agent may use: the owner's edits over what the website says."""
        async with self.db.transaction() as session:
            biz = await get_business(session, business_id)
            site = await session.get(KnowledgeSite, biz.id)
            return effective_profile(biz, site)

    async def status(self, business_id: int | str) -> dict[str, Any]:
        async with self.db.transaction() as session:
            biz = await get_business(session, business_id)
            site = await session.get(KnowledgeSite, biz.id)
            if site is None:
                raise NotOnboarded(f"{biz.name} has no website yet")
            pages = (await session.execute(select(KnowledgePage.url).where(
                KnowledgePage.business_id == biz.id).order_by(KnowledgePage.url))).scalars()
            n_chunks = len((await session.execute(select(KnowledgeChunk.id).where(
                KnowledgeChunk.business_id == biz.id))).all())
            return {"business_id": biz.id, "root_url": site.root_url,
                    "crawled_at": site.crawled_at.isoformat(), "pages": list(pages),
                    "chunks": n_chunks, "last_crawl": site.last_crawl,
                    "overrides": sorted(set(biz.overrides or []) | set(site.owner or {}))}

    async def sources(self, business_id: int | str) -> dict[str, dict[str, str]]:
        """Where each profile field came from: ``{field: {"page": url, "method": how}}``; a
        field the owner set says so."""
        async with self.db.transaction() as session:
            biz = await get_business(session, business_id)
            site = await session.get(KnowledgeSite, biz.id)
            found = BusinessProfile.from_storage(site.extracted if site else None).sources
            owned = set(biz.overrides or []) | set((site.owner if site else None) or {})
        out = {k: v for k, v in found.items() if k not in owned}
        out.update({k: {"page": "", "method": "set by the owner"} for k in sorted(owned)})
        return out

    async def search(self, business_id: int, question: str, k: int = 3,
                     mode: SearchMode | None = None) -> SearchResult:
        """Ranked passages for a caller's question, best first, with a confidence."""
        question = " ".join(question.split())[:500]
        k = min(max(int(k), 1), 20)
        index = await self._index(business_id)
        mode = mode or self.config.search_mode
        vector = None
        if mode is not SearchMode.BM25 and index.has_vectors and self._embedder is not None:
            try:
                vector = (await self._embedder.embed([question]))[0]
            except EmbeddingError as exc:
                log_event(log, "knowledge.query_embedding_failed", logging.WARNING,
                          error=str(exc))
        return index.search(question, vector, k, mode)

    async def site_text(self, business_id: int) -> tuple[list[str], list[str]]:
        """(site-wide passages: headers, footers, sidebars; page passages), empty before an
        onboard: the names a caller may say (insurers, payment methods, staff, places) are
        read from them to bias speech recognition."""
        try:
            index = await self._index(business_id)
        except NotOnboarded:
            return [], []
        site = [c.text for c in index.chunks if c.kind is PassageKind.SITE]
        pages = [c.text for c in index.chunks if c.kind is PassageKind.PAGE]
        return site, pages

    async def _index(self, business_id: int) -> HybridIndex:
        lock = self._locks.setdefault(business_id, asyncio.Lock())
        async with lock:
            async with self.db.transaction() as session:
                generation = await session.scalar(select(KnowledgeSite.generation).where(
                    KnowledgeSite.business_id == business_id))
            if generation is None:
                raise NotOnboarded(f"business {business_id} has no website knowledge yet; run "
                                   "`receptionist onboard URL` first")
            cached = self._indexes.get(business_id)
            if cached is not None and cached[0] == generation:
                return cached[1]
            index = await self._build_index(business_id)
            self._indexes[business_id] = (generation, index)
            return index

    async def _build_index(self, business_id: int) -> HybridIndex:
        return await build_index(self.db, await self.embedder(), business_id)

    # -- owner edits ---------------------------------------------------------------------
    async def edit_profile(self, business_id: int | str, changes: dict[str, Any]
                           ) -> BusinessProfile:
        """Apply the owner's edits; each edited field is never overwritten by a re-crawl."""
        async with self.db.transaction() as session:
            biz = await get_business(session, business_id)
            site = await session.get(KnowledgeSite, biz.id)
            for key, value in changes.items():
                if key == "name":
                    if not str(value or "").strip():
                        raise ValueError("name cannot be empty")
                    biz.name = str(value).strip()
                elif key == "hours":
                    hours = WeeklyHours.parse(value) if isinstance(value, str) else \
                        WeeklyHours.from_json(value)
                    biz.hours = hours.to_json()
                elif key in ("address", "booking_link"):
                    if key == "booking_link" and value and not str(value).startswith(
                            ("http://", "https://")):
                        raise ValueError("booking_link must be an http(s) URL")
                    setattr(biz, key, (str(value).strip() or None) if value else None)
                elif key in ("phone", "services", "faqs"):
                    if site is None:
                        site = KnowledgeSite(business_id=biz.id, root_url="", extracted={},
                                             owner={}, generation=0)
                        session.add(site)
                    site.owner = {**(site.owner or {}), key: owner_value(key, value)}
                    continue
                else:
                    raise ValueError(f"{key!r} is not a profile field")
                biz.mark_overridden(key)
            await session.flush()
            return effective_profile(biz, site)


async def _find_business(session: AsyncSession, ref: str | int | None,
                         number: str | None) -> Business | None:
    if ref is not None and str(ref).strip():
        return await get_business(session, ref)
    if number is not None:
        return await business_for_number(session, number)
    found = await all_businesses(session)
    if len(found) == 1:
        return found[0]
    raise ValueError("say which business this website is for: --business ID or --number +1… "
                     "(a new number creates the business)")


async def _known_pages(session: AsyncSession, business_id: int) -> dict[str, KnownPage]:
    rows = (await session.execute(select(KnowledgePage).where(
        KnowledgePage.business_id == business_id))).scalars()
    return {r.url: KnownPage(r.url, r.etag, r.last_modified, r.content_hash, tuple(r.links or []))
            for r in rows}


def _excerpts(outcome: CrawlOutcome, limit: int = 8000) -> str:
    """The pages that say most about a business (home, about, contact, hours) first."""
    def rank(url: str) -> int:
        path = url.split("://", 1)[-1].partition("/")[2]
        return 0 if not path.strip("/") else 1 if any(
            w in path for w in ("about", "contact", "hour", "location")) else 2

    pages = sorted((p for p in outcome.pages if p.extracted is not None), key=lambda p: rank(
        p.url))
    out, size = [], 0
    for page in pages:
        assert page.extracted is not None
        text = f"## {page.extracted.title} ({page.url})\n{page.extracted.text.strip()}\n"
        out.append(text[: max(limit - size, 0)])
        size += len(text)
        if size >= limit:
            break
    return "\n".join(out)
