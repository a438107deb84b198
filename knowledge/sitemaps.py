"""Sitemaps read safely: gzip inflated in steps with a cap (a small compressed sitemap can hold
gigabytes), XML parsed without entities or network. Pure, no I/O."""

from __future__ import annotations

import zlib

from lxml import etree

__all__ = ["MAX_SITEMAP_BYTES", "SitemapTooLarge", "inflate_gzip", "parse_sitemap"]

# A compressed sitemap is inflated in steps and given up past this size: 2.5 MB of gzip can
# hold gigabytes (a "gzip bomb"). The sitemap protocol itself caps a sitemap at 50 MB; real ones
# for a small business are far below 1 MB.
MAX_SITEMAP_BYTES = 10_000_000
_INFLATE_STEP = 256 * 1024


class SitemapTooLarge(ValueError):
    """A compressed sitemap inflates past :data:`MAX_SITEMAP_BYTES`."""


def inflate_gzip(data: bytes, limit: int = MAX_SITEMAP_BYTES) -> bytes:
    """Decompress gzip (several members allowed) holding at most ``limit`` bytes in memory:
    raise :class:`SitemapTooLarge` as soon as the output would pass it, ``ValueError`` when the
    data is not gzip."""
    out = bytearray()
    while data:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        pending = data
        while not inflater.eof:
            try:
                chunk = inflater.decompress(pending, _INFLATE_STEP)
            except zlib.error as exc:
                raise ValueError("not gzip") from exc
            out += chunk
            if len(out) > limit:
                raise SitemapTooLarge(f"over {limit} bytes")
            pending = inflater.unconsumed_tail
            if not chunk and not pending:
                break
        if not inflater.eof:
            raise ValueError("truncated gzip")
        data = inflater.unused_data if inflater.unused_data[:2] == b"\x1f\x8b" else b""
    return bytes(out)


def parse_sitemap(body: bytes) -> tuple[list[str], list[str]]:
    """``(child sitemaps, page URLs)`` from a sitemap or sitemap index (gzip allowed)."""
    if body[:2] == b"\x1f\x8b":
        try:
            body = inflate_gzip(body)
        except SitemapTooLarge:
            raise
        except ValueError:
            return [], []
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             recover=True)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError:
        return [], []
    if root is None:
        return [], []
    locs = [(el.text or "").strip() for el in root.iter("{*}loc")]
    locs = [u for u in locs if u]
    if etree.QName(root).localname == "sitemapindex":
        return locs, []
    return [], locs
