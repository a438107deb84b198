"""The outbound guard: which addresses count as public (every IPv6 spelling of a private IPv4
address included), and that a connection goes to the address that was checked – one lookup per
connection, so a DNS answer that changes afterwards (rebinding) cannot reach inside."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from receptionist.core import (
    BlockedDestination,
    OutboundPolicy,
    guarded_transport,
    is_public_address,
)
from scripts.doubles.site_server import FixtureSite, serve_site
from tests.support.internet import FakeDns, RoutedNetwork

PUBLIC = "93.184.216.34"


@pytest.fixture
def site() -> Iterator[FixtureSite]:
    with serve_site() as fixture:
        yield fixture


@pytest.mark.parametrize("ip", [
    "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
    "0.0.0.0", "224.0.0.1", "255.255.255.255", "192.0.2.1", "::", "::1", "fe80::1", "fd00::1",
    "ff02::1",
    "::ffff:127.0.0.1", "::ffff:169.254.169.254",      # IPv4-mapped
    "::127.0.0.1", "::10.0.0.1",                        # IPv4-compatible (deprecated form)
    "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe",            # NAT64 of loopback, of the metadata IP
    "64:ff9b:1::a00:1",                                 # local-use NAT64 prefix
    "2002:7f00:1::1", "2002:a9fe:a9fe::",               # 6to4 around loopback, metadata
    "not an address",
])
def test_private_addresses_in_any_spelling_are_not_public(ip: str) -> None:
    assert not is_public_address(ip)


@pytest.mark.parametrize("ip", [PUBLIC, "2606:2800:220:1:248:1893:25c8:1946",
                                "64:ff9b::5db8:d822", "2002:5db8:d822::1"])
def test_public_addresses(ip: str) -> None:
    assert is_public_address(ip)


async def test_check_url_refuses_names_resolving_inside_and_odd_urls() -> None:
    dns = FakeDns({"shop.test": [[PUBLIC]], "mixed.test": [[PUBLIC, "10.0.0.7"]],
                   "nat64.test": [["64:ff9b::7f00:1"]]})
    policy = OutboundPolicy(resolver=dns)
    await policy.check_url("https://shop.test/")
    for url in ("https://mixed.test/", "http://nat64.test/", "http://nowhere.test/",
                "ftp://shop.test/", "http://user:pw@shop.test/", "http://[::ffff:7f00:1]/",
                "http://127.0.0.1:8000/"):
        with pytest.raises(BlockedDestination):
            await policy.check_url(url)
    await OutboundPolicy(allow_private=True, resolver=dns).check_url("http://127.0.0.1:8000/")


async def test_rebinding_cannot_reach_loopback(site: FixtureSite) -> None:
    """The name answers a public address to the first lookup and 127.0.0.1 to every later one.
    The guard looks it up once and connects to the checked address; the local server (standing
    at 127.0.0.1) is never reached by name."""
    port = int(site.base.rsplit(":", 1)[1])
    dns = FakeDns({"rebind.test": [[PUBLIC], ["127.0.0.1"]]})
    network = RoutedNetwork()          # the "public" address is not reachable here
    policy = OutboundPolicy(resolver=dns)
    async with httpx.AsyncClient(transport=guarded_transport(policy, inner=network),
                                 trust_env=False) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(f"http://rebind.test:{port}/")
        with pytest.raises(BlockedDestination):     # the next lookup answers loopback: refused
            await client.get(f"http://rebind.test:{port}/")
    assert network.connects == [(PUBLIC, port)]
    assert dns.lookups == ["rebind.test", "rebind.test"]
    assert site.requests == []


async def test_connection_goes_to_the_checked_address_and_keeps_the_host(
        site: FixtureSite) -> None:
    port = int(site.base.rsplit(":", 1)[1])
    dns = FakeDns({"plumber.test": [[PUBLIC]]})
    network = RoutedNetwork({PUBLIC: ("127.0.0.1", port)})
    async with httpx.AsyncClient(transport=guarded_transport(OutboundPolicy(resolver=dns),
                                                             inner=network),
                                 trust_env=False) as client:
        resp = await client.get(f"http://plumber.test:{port}/hours")
    assert resp.status_code == 200
    assert network.connects == [(PUBLIC, port)]
    assert site.requests == ["/hours"]


async def test_every_redirect_hop_is_checked(site: FixtureSite) -> None:
    """A public site redirecting to a name that resolves to the metadata address: the hop is
    refused at connection time."""
    port = int(site.base.rsplit(":", 1)[1])
    dns = FakeDns({"plumber.test": [[PUBLIC]], "metadata.test": [["169.254.169.254"]]})
    network = RoutedNetwork({PUBLIC: ("127.0.0.1", port)})
    site.extra_redirects = {"/go": f"http://metadata.test:{port}/latest/meta-data/"}
    async with httpx.AsyncClient(transport=guarded_transport(OutboundPolicy(resolver=dns),
                                                             inner=network),
                                 trust_env=False, follow_redirects=True) as client:
        with pytest.raises(BlockedDestination, match=r"169\.254\.169\.254"):
            await client.get(f"http://plumber.test:{port}/go")
    assert network.connects == [(PUBLIC, port)]
