"""Canonical URLs, the same-site rule and the SSRF guard (also after redirects)."""

from __future__ import annotations

import httpx
import pytest

from knowledge.errors import FetchError, UnsafeUrl
from knowledge.fetch import Fetcher
from knowledge.safety import check_url, is_public_address
from knowledge.urls import canonical_url, join_url, looks_like_file, same_site
from scripts.doubles.site_server import FixtureSite


def test_canonical_url() -> None:
    assert canonical_url("HTTPS://Example.COM:443/a/./b/../c?utm_source=x&b=2&a=1#frag") == \
        "https://example.com/a/c?a=1&b=2"
    assert canonical_url("http://example.com") == "http://example.com/"
    assert canonical_url("http://example.com:8080/x/") == "http://example.com:8080/x/"
    assert join_url("https://a.example/x/", "../y#z") == "https://a.example/y"
    assert join_url("https://a.example/", "tel:+1555") is None
    assert join_url("https://a.example/", "mailto:a@b.c") is None


def test_same_site_and_files() -> None:
    root = "https://example.com/"
    assert same_site("https://www.example.com/about", root)
    assert same_site("http://example.com/about", root)
    assert not same_site("https://shop.example.com/", root)
    assert not same_site("https://example.com.evil.net/", root)
    assert not same_site("http://127.0.0.1:9/", "http://127.0.0.1:8/")
    assert looks_like_file("https://example.com/photo.JPG")
    assert not looks_like_file("https://example.com/menu.pdf")


@pytest.mark.parametrize("ip", ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1",
                                "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "fe80::1",
                                "fd00::1", "::ffff:127.0.0.1", "224.0.0.1"])
def test_private_addresses_are_not_public(ip: str) -> None:
    assert not is_public_address(ip)


def test_public_addresses() -> None:
    assert is_public_address("93.184.216.34")
    assert is_public_address("2606:2800:220:1:248:1893:25c8:1946")


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/", "http://localhost/",
                                 "http://169.254.169.254/latest/meta-data/", "http://[::1]/",
                                 "http://10.0.0.5/admin", "ftp://example.com/",
                                 "http://user:pw@93.184.216.34/"])
async def test_unsafe_urls_refused_by_default(url: str) -> None:
    with pytest.raises(UnsafeUrl):
        await check_url(url, allow_private=False)


async def test_private_allowed_for_development() -> None:
    await check_url("http://127.0.0.1:8000/", allow_private=True)


async def test_redirect_to_a_private_address_is_refused(site: FixtureSite) -> None:
    """A public page that redirects to loopback: the hop is checked and never requested."""
    target = site.base + "/"

    def public_internet(request: httpx.Request) -> httpx.Response:
        assert request.url.host == "93.184.216.34"
        return httpx.Response(302, headers={"Location": target})

    fetcher = Fetcher(allow_private=False, transport=httpx.MockTransport(public_internet))
    try:
        with pytest.raises(FetchError, match="refused"):
            await fetcher.fetch("http://93.184.216.34/start")
    finally:
        await fetcher.aclose()
    assert site.requests == []
