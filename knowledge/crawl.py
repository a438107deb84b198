"""The polite crawl of one website: robots.txt, sitemaps, same site only, a page limit,
bounded concurrency and pacing, conditional re-fetches. Every page that is not used is recorded
with the reason, and no single page can stop the crawl."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from protego import Protego

from knowledge.errors import CrawlError, FetchError
from knowledge.extract import ExtractedPage, extract_page
from knowledge.fetch import ROBOTS_AGENT, Fetcher
from knowledge.safety import check_url
from knowledge.script_data import data_text, fragment_paths, is_data_script
from knowledge.sitemaps import MAX_SITEMAP_BYTES, SitemapTooLarge, parse_sitemap
from knowledge.urls import canonical_url, is_http_url, join_url, looks_like_file, same_site

__all__ = ["CrawlConfig", "CrawlOutcome", "CrawlProgress", "CrawledPage", "Crawler",
           "KnownPage", "Skip"]

log = logging.getLogger("knowledge.crawl")
_MAX_SITEMAPS = 10
_MAX_SITEMAP_URLS = 5000
_MAX_SCRIPTS = 30   # the site's own scripts read as data in one crawl


@dataclass(frozen=True)
class CrawlConfig:
    max_pages: int = 200
    extract_timeout_s: float = 15.0
    max_crawl_delay_s: float = 2.0   # a robots.txt Crawl-delay above this is capped


@dataclass(frozen=True)
class KnownPage:
    """What a previous crawl stored about a page, for conditional requests."""

    url: str
    etag: str | None
    last_modified: str | None
    content_hash: str
    links: tuple[str, ...] = ()


@dataclass
class CrawledPage:
    url: str
    kind: str
    status: str                       # "new" | "changed" | "unchanged"
    content_hash: str
    etag: str | None
    last_modified: str | None
    extracted: ExtractedPage | None   # None when unchanged


@dataclass(frozen=True)
class Skip:
    url: str
    reason: str


@dataclass
class CrawlProgress:
    found: int = 0
    fetched: int = 0
    skipped: int = 0
    last_url: str = ""
    last_event: str = ""  # "fetched", "skipped: <reason>", … and "indexing" once the crawl ends

    @property
    def queued(self) -> int:
        """Pages found and still to be fetched."""
        return max(0, self.found - self.fetched - self.skipped)


@dataclass
class CrawlOutcome:
    root: str
    pages: list[CrawledPage] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    gone: set[str] = field(default_factory=set)   # known pages that now fail permanently
    kept: set[str] = field(default_factory=set)   # known pages that failed transiently
    truncated: bool = False                       # the page limit stopped the crawl


ProgressCallback = Callable[[CrawlProgress], None]


class Crawler:
    def __init__(self, fetcher: Fetcher, config: CrawlConfig | None = None,
                 on_progress: ProgressCallback | None = None) -> None:
        self.fetcher = fetcher
        self.config = config or CrawlConfig()
        self.on_progress = on_progress
        self.progress = CrawlProgress()

    async def crawl(self, start_url: str, known: dict[str, KnownPage] | None = None
                    ) -> CrawlOutcome:
        if not is_http_url(start_url):
            raise CrawlError(f"{start_url!r} is not a website address; use https://…")
        root = canonical_url(start_url)
        await check_url(root, allow_private=self.fetcher.allow_private,
                        policy=self.fetcher.policy)
        known = known or {}
        outcome = CrawlOutcome(root=root)
        robots = await self._robots(root)
        self._root, self._robots_parser, self._known, self._outcome = root, robots, known, outcome
        self._seen: set[str] = set()
        self._scripts: set[str] = set()
        self._done_urls: set[str] = set()
        self._queue: deque[str] = deque()
        self._budget = self.config.max_pages
        self._enqueue(root)
        for url in await self._sitemap_urls(root, robots):
            self._enqueue(url)
        await self._run()
        if not outcome.pages and not outcome.kept:
            reasons = {s.url: s.reason for s in outcome.skipped}
            reason = reasons.get(root) or "no page could be fetched"
            raise CrawlError(f"cannot onboard {root}: {reason}")
        return outcome

    # -- rules -------------------------------------------------------------------------
    def _gate(self, url: str) -> str | None:
        """Why a page URL is not crawled, or None."""
        reason = self._site_gate(url)
        if reason is None and looks_like_file(url):
            return "not HTML or PDF"
        return reason

    def _site_gate(self, url: str) -> str | None:
        """Why any URL (a page, the site's own script) is not fetched: another site, robots."""
        if not same_site(url, self._root):
            return "another site"
        if self._robots_parser is not None and not self._robots_parser.can_fetch(url,
                                                                                ROBOTS_AGENT):
            return "disallowed by robots.txt"
        return None

    def _enqueue(self, url: str) -> None:
        url = canonical_url(url)
        if url in self._seen:
            return
        self._seen.add(url)
        self.progress.found += 1
        reason = self._gate(url)
        if reason:
            self._skip(url, reason)
        else:
            self._queue.append(url)

    def _skip(self, url: str, reason: str) -> None:
        self._outcome.skipped.append(Skip(url, reason))
        self.progress.skipped += 1
        self._report(url, f"skipped: {reason}")

    def _report(self, url: str, event: str) -> None:
        self.progress.last_url, self.progress.last_event = url, event
        if self.on_progress is not None:
            self.on_progress(self.progress)

    # -- robots and sitemaps -------------------------------------------------------------
    async def _robots(self, root: str) -> Protego | None:
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(root))
        try:
            fetched = await self.fetcher.fetch(origin + "/robots.txt", any_type=True,
                                               gate=lambda u: None if same_site(u, root)
                                               else "another site")
        except FetchError as exc:
            log.debug("knowledge.robots_missing url=%s reason=%s", root, exc.reason)
            return None
        try:
            parser = Protego.parse(fetched.text()[:500_000])
        except (ValueError, TypeError):
            return None
        delay = parser.crawl_delay(ROBOTS_AGENT)
        if delay:
            self.fetcher.delay_s = max(self.fetcher.delay_s,
                                       min(float(delay), self.config.max_crawl_delay_s))
        return parser

    async def _sitemap_urls(self, root: str, robots: Protego | None) -> list[str]:
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(root))
        pending = deque(list(robots.sitemaps) if robots is not None else [])
        if not pending:
            pending.append(origin + "/sitemap.xml")
        seen: set[str] = set()
        urls: list[str] = []
        while pending and len(seen) < _MAX_SITEMAPS and len(urls) < _MAX_SITEMAP_URLS:
            named = pending.popleft()
            if not is_http_url(named):  # robots.txt and sitemap indexes may name anything
                continue
            sitemap = canonical_url(named)
            if sitemap in seen or not same_site(sitemap, root):
                continue
            seen.add(sitemap)
            try:
                fetched = await self.fetcher.fetch(sitemap, any_type=True,
                                                   gate=lambda u: None if same_site(u, root)
                                                   else "another site")
            except FetchError:
                continue
            try:
                children, locs = parse_sitemap(fetched.body)
            except SitemapTooLarge:
                self._skip(sitemap, f"sitemap larger than {MAX_SITEMAP_BYTES // 1_000_000} MB "
                                    "uncompressed")
                continue
            pending.extend(children)
            urls.extend(u for u in locs if is_http_url(u))
        return urls[:_MAX_SITEMAP_URLS]

    # -- the crawl -----------------------------------------------------------------------
    async def _run(self) -> None:
        in_flight: set[asyncio.Task[None]] = set()
        limit = self.fetcher.limits.concurrency
        while self._queue or in_flight:
            while self._queue and len(in_flight) < limit:
                url = self._queue.popleft()
                if self._budget <= 0:
                    self._outcome.truncated = True
                    if url in self._known:
                        self._outcome.kept.add(url)   # not read this time, not gone either
                    self._skip(url, "page limit reached")
                    continue
                self._budget -= 1
                in_flight.add(asyncio.create_task(self._visit(url)))
            if in_flight:
                done, in_flight = await asyncio.wait(in_flight,
                                                     return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    task.result()

    def _redirect_gate(self, url: str) -> str | None:
        return "already read" if canonical_url(url) in self._done_urls else self._gate(url)

    async def _visit(self, url: str) -> None:
        if url in self._done_urls:
            return
        prev = self._known.get(url)
        try:
            fetched = await self.fetcher.fetch(
                url, gate=self._redirect_gate, etag=prev.etag if prev else None,
                last_modified=prev.last_modified if prev else None)
        except FetchError as exc:
            if prev is not None:
                (self._outcome.kept if exc.transient else self._outcome.gone).add(url)
            self._skip(url, exc.reason)
            return
        final = fetched.url
        if final in self._done_urls:
            self._skip(url, f"same page as {final}")
            return
        if final != url:
            self._seen.add(final)
            prev = prev or self._known.get(final)
        self._done_urls.add(final)
        if fetched.status == 304 and prev is not None:
            self._unchanged(prev, final)
            return
        digest = hashlib.sha256(fetched.body).hexdigest()
        if prev is not None and prev.content_hash == digest:
            self._unchanged(prev, final, fetched.etag, fetched.last_modified)
            return
        try:
            extracted = await asyncio.wait_for(
                asyncio.to_thread(extract_page, final, fetched.kind, fetched.body,
                                  fetched.encoding),
                self.config.extract_timeout_s)
        except TimeoutError:
            self._skip(final, "took too long to read")
            return
        except ValueError as exc:
            self._skip(final, str(exc))
            return
        if extracted.scripts:
            await self._read_scripts(final, extracted)
        if not extracted.nofollow:
            for link in extracted.links:
                self._enqueue(link)
        canonical = extracted.canonical
        if canonical and canonical != final and same_site(canonical, self._root):
            if canonical in self._done_urls:
                self._skip(final, f"same page as {canonical}")
                return
            self._seen.add(canonical)
        if extracted.noindex:
            self._skip(final, "marked noindex")
            return
        if not extracted.text.strip() and not _has_facts(extracted):
            self._skip(final, "no readable text")
            return
        self._outcome.pages.append(CrawledPage(
            url=final, kind=fetched.kind, status="changed" if prev else "new",
            content_hash=digest, etag=fetched.etag, last_modified=fetched.last_modified,
            extracted=extracted))
        self.progress.fetched += 1
        self._report(final, "fetched")

    async def _read_scripts(self, url: str, page: ExtractedPage) -> None:
        """The site's own scripts a page runs, read once per crawl, never run: their plain data
        (a menu, the specials) joins the text of the first page that runs them, and the pages
        they load into it (a header, a footer, a call to action) join its links."""
        found: list[str] = []
        for script in page.scripts:
            script = canonical_url(script)
            if script in self._scripts or len(self._scripts) >= _MAX_SCRIPTS \
                    or self._site_gate(script):
                continue
            self._scripts.add(script)
            try:
                fetched = await self.fetcher.fetch(script, any_type=True, gate=self._site_gate)
            except FetchError as exc:
                log.debug("knowledge.script_unreadable url=%s reason=%s", script, exc.reason)
                continue
            code = fetched.text()
            if not is_data_script(code):
                continue
            # a script's fetch("/components/cta.html") is relative to the page, not the script
            page.links += [link for link in (join_url(url, p) for p in fragment_paths(code))
                           if link and link not in page.links]
            try:
                text = await asyncio.wait_for(asyncio.to_thread(data_text, code),
                                              self.config.extract_timeout_s)
            except TimeoutError:
                continue
            if text:
                found.append(text)
        if found:
            page.text = "\n\n".join([page.text, *found]).strip()

    def _unchanged(self, prev: KnownPage, url: str, etag: str | None = None,
                   last_modified: str | None = None) -> None:
        for link in prev.links:
            self._enqueue(link)
        self._outcome.pages.append(CrawledPage(
            url=prev.url, kind="", status="unchanged", content_hash=prev.content_hash,
            etag=etag or prev.etag, last_modified=last_modified or prev.last_modified,
            extracted=None))
        self.progress.fetched += 1
        self._report(url, "unchanged")


def _has_facts(page: ExtractedPage) -> bool:
    f = page.facts
    return bool(f.businesses or f.services or f.faqs)
