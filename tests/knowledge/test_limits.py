"""Limits that keep one website from taking the process down: a compressed sitemap is inflated
only up to a cap (a gzip bomb is skipped and reported), crawls per process are bounded, and the
crawl's connections go through the outbound guard (DNS rebinding, NAT64 answers)."""

from __future__ import annotations

import asyncio
import gzip

import pytest

from knowledge import KnowledgeService
from knowledge.crawl import Crawler
from knowledge.errors import CrawlError
from knowledge.fetch import Fetcher, FetchLimits
from knowledge.service import KnowledgeConfig
from knowledge.sitemaps import MAX_SITEMAP_BYTES, SitemapTooLarge, inflate_gzip
from receptionist.core import Database, OutboundPolicy, Settings, guarded_transport
from scripts.doubles.site_server import FixtureSite
from tests.support.internet import FakeDns, RoutedNetwork

PUBLIC = "93.184.216.34"


def _bomb(base: str, size: int) -> bytes:
    entry = f"<url><loc>{base}/about</loc></url>\n".encode()
    body = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    return gzip.compress(body + entry * (size // len(entry)) + b"</urlset>", compresslevel=6)


def test_inflate_stops_at_the_cap() -> None:
    small = b"<urlset>" + b"<url><loc>https://a.example/</loc></url>" * 100 + b"</urlset>"
    assert inflate_gzip(gzip.compress(small)) == small
    assert inflate_gzip(gzip.compress(small) + gzip.compress(b"")) == small   # two members
    with pytest.raises(SitemapTooLarge):
        inflate_gzip(gzip.compress(b"\0" * (MAX_SITEMAP_BYTES + 1)))
    with pytest.raises(SitemapTooLarge):
        inflate_gzip(gzip.compress(b"\0" * 5000), limit=4096)
    with pytest.raises(ValueError, match="truncated"):
        inflate_gzip(gzip.compress(small)[:-20])


async def test_gzip_bomb_sitemap_is_skipped_and_the_crawl_goes_on(site: FixtureSite) -> None:
    """A 24 MB sitemap in ~50 KB of gzip, named in robots.txt: reported as too large, nothing
    of it used; the site's pages are still read from its links."""
    bomb = _bomb(site.base, 24_000_000)
    assert len(bomb) < 200_000
    site.gzip_files["/sitemap.xml.gz"] = bomb
    site.pages["/robots.txt"] = f"User-agent: *\nSitemap: {site.base}/sitemap.xml.gz\n".encode()
    fetcher = Fetcher(allow_private=True, limits=FetchLimits(timeout_s=5.0))
    try:
        outcome = await Crawler(fetcher).crawl(site.base + "/")
    finally:
        await fetcher.aclose()
    reasons = {s.url: s.reason for s in outcome.skipped}
    assert reasons[site.base + "/sitemap.xml.gz"] == "sitemap larger than 10 MB uncompressed"
    assert "/sitemap.xml.gz" in site.requests
    assert any(p.url == site.base + "/hours" for p in outcome.pages)


async def test_small_gzip_sitemap_is_read(site: FixtureSite) -> None:
    site.gzip_files["/sitemap.xml.gz"] = gzip.compress(
        f'<urlset><url><loc>{site.base}/warranty</loc></url></urlset>'.encode())
    site.pages["/robots.txt"] = f"User-agent: *\nSitemap: {site.base}/sitemap.xml.gz\n".encode()
    site.pages["/"] = b"<html><title>Home</title><body><p>Welcome to the shop.</p></body></html>"
    site.pages["/warranty"] = b"<html><title>Warranty</title><body><p>Two years.</p></body></html>"
    fetcher = Fetcher(allow_private=True, limits=FetchLimits(timeout_s=5.0))
    try:
        outcome = await Crawler(fetcher).crawl(site.base + "/")
    finally:
        await fetcher.aclose()
    assert {p.url for p in outcome.pages} == {site.base + "/", site.base + "/warranty"}


async def test_at_most_two_crawls_at_once(db: Database, ksettings: Settings,
                                          site: FixtureSite) -> None:
    """Three onboardings at once: the third waits for a slot. Each crawl is made sequential
    (one page) and its robots.txt slow, so the server sees one request per running crawl."""
    site.delay_s["/robots.txt"] = 0.4
    service = KnowledgeService(db, ksettings, embedder=None, writer=None,
                               config=KnowledgeConfig(max_concurrent_crawls=2))
    try:
        await asyncio.gather(*(service.onboard(site.base + "/", number=f"+1503555010{i}",
                                               max_pages=1) for i in range(3)))
    finally:
        await service.aclose()
    assert site.requests.count("/robots.txt") == 3
    assert site.peak_active == 2


async def test_crawl_refuses_a_name_that_rebinds_to_loopback(site: FixtureSite) -> None:
    """The start URL's first lookup answers a public address, every later one 127.0.0.1: the
    connection is refused at connect time and the local server never sees a request."""
    port = int(site.base.rsplit(":", 1)[1])
    dns = FakeDns({"plumber.test": [[PUBLIC], ["127.0.0.1"]]})
    policy = OutboundPolicy(resolver=dns)
    network = RoutedNetwork({PUBLIC: ("127.0.0.1", port)})
    fetcher = Fetcher(allow_private=False, policy=policy,
                      transport=guarded_transport(policy, inner=network))
    try:
        with pytest.raises(CrawlError, match="private, loopback"):
            await Crawler(fetcher).crawl(f"http://plumber.test:{port}/")
    finally:
        await fetcher.aclose()
    assert network.connects == []
    assert site.requests == []


@pytest.mark.parametrize("answer", ["64:ff9b::7f00:1", "2002:7f00:1::1", "::ffff:127.0.0.1",
                                    "10.0.0.8"])
async def test_fetcher_refuses_private_answers_in_any_spelling(site: FixtureSite,
                                                               answer: str) -> None:
    """The default transport of the fetcher is the guarded one (the resolver is injected)."""
    port = int(site.base.rsplit(":", 1)[1])
    fetcher = Fetcher(allow_private=False,
                      policy=OutboundPolicy(resolver=FakeDns({"shop.test": [[answer]]})))
    try:
        with pytest.raises(Exception, match="refused"):
            await fetcher.fetch(f"http://shop.test:{port}/")
    finally:
        await fetcher.aclose()
    assert site.requests == []
