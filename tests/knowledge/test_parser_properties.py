"""Property tests on what websites send: robots.txt, sitemaps (plain and gzip), HTML and the
links in it. Parsing never raises anything but the documented errors, and what comes out is
usable: canonical URLs are http(s) and stable, sitemap URLs are non-empty."""

from __future__ import annotations

import gzip

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from protego import Protego

from knowledge.extract import extract_page
from knowledge.sitemaps import SitemapTooLarge, inflate_gzip, parse_sitemap
from knowledge.urls import canonical_url, is_http_url, join_url, same_site

pytestmark = pytest.mark.slow  # a property search

FAST = settings(max_examples=120, deadline=None)
ROOT = "https://example.com/"
HREFS = st.one_of(
    st.text(max_size=40),
    st.from_regex(r"(https?://)?[a-z.]{0,12}(:[0-9a-z]{0,7})?(/[a-z.%?=&#]{0,10}){0,3}",
                  fullmatch=True),
    st.sampled_from(["http://example.com:99999/", "http://example.com:x/", "http://[::1/",
                     "//example.com:-1/a", "mailto:a@b", "javascript:alert(1)", "#top",
                     "http://ex%ample.com/", "http://example.com/../../a/./b?utm_source=x&b=1"]),
)


@FAST
@given(HREFS)
@example("http://example.com:99999/")  # a port out of range made urlsplit().port raise
@example("http://example.com:x/")
@example("http://./")  # a host of only dots canonicalised to "http:///"
def test_links_join_to_canonical_http_urls_or_none(href: str) -> None:
    url = join_url("https://example.com/a/b", href)
    if url is None:
        return
    assert is_http_url(url)
    assert canonical_url(url) == url
    assert isinstance(same_site(url, ROOT), bool)


@FAST
@given(HREFS)
@example("http://example.com:99999/")
@example("http://[::1/")  # urlsplit raises on an unbalanced IPv6 bracket
def test_same_site_never_raises(url: str) -> None:
    assert isinstance(same_site(url, ROOT), bool)


XML_BITS = st.sampled_from([
    "<?xml version='1.0'?>", "<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>",
    "</urlset>", "<sitemapindex>", "</sitemapindex>", "<url>", "</url>", "<sitemap>",
    "</sitemap>", "<loc>", "</loc>", "https://example.com/a", " ", "&amp;", "&bogus;",
    "<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>", "&e;", "<![CDATA[x]]>", "\x00",
])


@FAST
@given(st.one_of(st.lists(XML_BITS, max_size=15).map("".join).map(str.encode),
                 st.binary(max_size=200)), st.booleans())
@example(b"<urlset><url><loc>  </loc></url></urlset>", False)
@example(b"\x1f\x8b\x08garbage", False)
def test_sitemaps_parse_to_lists_of_urls(body: bytes, compress: bool) -> None:
    data = gzip.compress(body) if compress else body
    children, pages = parse_sitemap(data)
    assert all(u and u == u.strip() for u in children + pages)
    assert "root:" not in " ".join(children + pages)  # no external entity was read
    assert not (children and pages)


@FAST
@given(st.binary(max_size=300), st.integers(1, 400))
def test_inflate_is_bounded_or_refuses(data: bytes, limit: int) -> None:
    for blob in (data, gzip.compress(data), gzip.compress(data) + gzip.compress(data)):
        try:
            out = inflate_gzip(blob, limit)
        except SitemapTooLarge:
            continue
        except ValueError:
            assert blob is data  # only the raw bytes may fail to be gzip
            continue
        assert len(out) <= limit


ROBOT_LINES = st.sampled_from([
    "User-agent: *", "User-agent: ReceptionistBot", "Disallow: /", "Disallow: /private",
    "Allow: /private/ok", "Crawl-delay: 5", "Crawl-delay: -1", "Crawl-delay: abc",
    "Crawl-delay: 1e309", "Sitemap: https://example.com/s.xml", "Sitemap:", "Disallow: *$",
    "Request-rate: 1/0", "\ufeffUser-agent: *", "Disallow: /%zz",
])


@FAST
@given(st.lists(st.one_of(ROBOT_LINES, st.text(max_size=30)), max_size=8))
@example(["User-agent: *", "Crawl-delay: 1e309"])
def test_robots_parse_and_answer(lines: list[str]) -> None:
    parser = Protego.parse("\n".join(lines))
    assert isinstance(parser.can_fetch("https://example.com/private/x", "ReceptionistBot"), bool)
    delay = parser.crawl_delay("ReceptionistBot")
    assert delay is None or isinstance(delay, (int, float))
    assert all(isinstance(s, str) for s in parser.sitemaps)


HTML_BITS = st.sampled_from([
    "<html>", "</html>", "<head>", "<title>Plumbing</title>", "<body>", "<h1>Services</h1>",
    "<h2>FAQ</h2>", "<p>We fix boilers.</p>", "<a href='/contact'>c</a>", "<a href=''>",
    '<script type="application/ld+json">{"@type":"LocalBusiness","name":"X",'
    '"openingHours":"Mo-Fr 09:00-17:00","telephone":"+1 555"}</script>',
    '<script type="application/ld+json">{bad json</script>', "<meta charset='klingon'>",
    "<div itemscope itemtype='http://schema.org/Service'><span itemprop='name'>Y</span></div>",
    "<table><tr><td>Mon</td><td>9-5</td></tr></table>", "\x00", "&#0;", "&#xD800;", "<",
    "<meta property='og:title' content='T'>", "<![CDATA[", "<!--",
])


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.lists(HTML_BITS, max_size=14).map("".join).map(str.encode),
                 st.binary(max_size=200)),
       st.sampled_from([None, "utf-8", "latin-1", "klingon", "utf-16"]))
@example(b"<html><body>\xff\xfe</body></html>", "klingon")
@example(b"", None)
@example(b"<html></html><head>", None)  # extruct raised KeyError('opengraph')
def test_html_extraction_never_raises(body: bytes, encoding: str | None) -> None:
    page = extract_page("https://example.com/", "html", body, encoding)
    assert isinstance(page.text, str)
    assert "\x00" not in page.text
