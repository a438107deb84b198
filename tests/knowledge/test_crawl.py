"""The crawl of the fixture website over real HTTP: what is read, what is skipped and why, and
what is never requested."""

from __future__ import annotations

import time

import pytest

from knowledge.crawl import CrawlConfig, Crawler
from knowledge.errors import CrawlError, UnsafeUrl
from knowledge.fetch import Fetcher, FetchLimits
from scripts.doubles.site_server import FixtureSite

PAGES = {
    "/", "/services/", "/services/drain-cleaning", "/services/water-heaters",
    "/services/leak-detection", "/services/emergency", "/services/toilets-faucets",
    "/services/commercial", "/hours", "/about", "/faq", "/contact", "/book", "/service-area",
    "/reviews", "/financing", "/warranty", "/careers", "/privacy", "/blog/",
    "/blog/winterize-pipes", "/blog/water-heater-signs", "/blog/low-water-pressure",
    "/blog/garbage-disposal", "/price-list.pdf",
}


async def crawl(site: FixtureSite, path: str = "/", **config: object):  # type: ignore[no-untyped-def]
    fetcher = Fetcher(allow_private=True, limits=FetchLimits(timeout_s=2.0))
    events: list[str] = []
    try:
        crawler = Crawler(fetcher, CrawlConfig(**config),  # type: ignore[arg-type]
                          on_progress=lambda p: events.append(p.last_event))
        return await crawler.crawl(site.base + path), events
    finally:
        await fetcher.aclose()


async def test_crawl_reads_the_site_and_records_every_skip(site: FixtureSite) -> None:
    outcome, events = await crawl(site)
    base = site.base
    assert {p.url.removeprefix(base) for p in outcome.pages} == PAGES
    assert {p.kind for p in outcome.pages if p.url.endswith(".pdf")} == {"pdf"}
    reasons = {s.url.removeprefix(base): s.reason for s in outcome.skipped}
    assert reasons["/private/staff-notes"] == "disallowed by robots.txt"
    assert reasons[site.foreign + "/partner"] == "another site"
    assert reasons["https://calendly.com/harbor-city-plumbing/service-visit"] == "another site"
    assert reasons["/partner-offer"] == f"redirects to {site.foreign}/offer: another site"
    assert reasons["/old-services"] in (f"same page as {base}/services/",
                                        f"redirects to {base}/services/: already read")
    assert reasons["/download/coupon"] == "not HTML or PDF (application/zip)"
    assert reasons["/files/truck.jpg"] == "not HTML or PDF"
    assert reasons["/huge"].startswith("too large")
    assert reasons["/blog/holiday-kitchen-draft"] == "HTTP 404"
    assert reasons["/loop-a"] == "more than 5 redirects"
    assert "fetched" in events and any(e.startswith("skipped") for e in events)


async def test_disallowed_foreign_and_non_page_urls_are_never_requested(
        site: FixtureSite) -> None:
    await crawl(site)
    requested = {r.split("?")[0] for r in site.requests}
    assert "/robots.txt" in requested and "/sitemap.xml" in requested
    assert "/private/staff-notes" not in requested      # robots.txt, though in the sitemap
    assert "/files/truck.jpg" not in requested          # extension says it is not a page
    assert site.foreign_requests == []                  # neither the link nor the redirect


async def test_page_limit(site: FixtureSite) -> None:
    outcome, _ = await crawl(site, max_pages=5)
    assert len(outcome.pages) <= 5
    assert any(s.reason == "page limit reached" for s in outcome.skipped)


async def test_hostile_pages_cannot_hang_or_crash_the_crawl(hostile_site: FixtureSite) -> None:
    started = time.monotonic()
    outcome, _ = await crawl(hostile_site, "/trap/", max_pages=40)
    assert time.monotonic() - started < 20
    reasons = {s.url.removeprefix(hostile_site.base): s.reason for s in outcome.skipped}
    assert reasons["/trap/slow"] == "timed out"
    assert reasons["/trap/script-only"] == "no readable text"
    assert reasons["/trap/garbage"] in ("no readable text", "not HTML or PDF (no content type)")
    assert reasons["/huge"].startswith("too large")
    assert reasons["/loop-a"] == "more than 5 redirects"
    assert any(r == "page limit reached" for r in reasons.values())   # the endless calendar
    read = {p.url.removeprefix(hostile_site.base) for p in outcome.pages}
    assert "/trap/bad-encoding" in read and len(outcome.pages) <= 40


async def test_private_hosts_refused_unless_allowed(site: FixtureSite) -> None:
    fetcher = Fetcher(allow_private=False)
    try:
        with pytest.raises(UnsafeUrl):
            await Crawler(fetcher).crawl(site.base + "/")
    finally:
        await fetcher.aclose()
    assert site.requests == []


async def test_unreachable_site_is_a_clear_error() -> None:
    fetcher = Fetcher(allow_private=True, limits=FetchLimits(timeout_s=2.0))
    try:
        with pytest.raises(CrawlError, match="network error"):
            await Crawler(fetcher).crawl("http://127.0.0.1:1/")
    finally:
        await fetcher.aclose()
