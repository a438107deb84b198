"""URL rules for the crawl: one canonical form per page, what counts as the same site, and which
links cannot be pages (images, archives…) so they are skipped without a request."""

from __future__ import annotations

import posixpath
from urllib.parse import SplitResult, parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

__all__ = ["canonical_url", "host_key", "is_http_url", "join_url", "looks_like_file", "same_site"]

_TRACKING_PREFIXES = ("utm_",)
_TRACKING = {"fbclid", "gclid", "msclkid", "mc_cid", "mc_eid", "ref", "_ga", "sessionid", "sid"}
_SKIP_EXT = {
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".ico", ".bmp", ".tif", ".tiff", ".avif",
    ".css", ".js", ".mjs", ".map", ".json", ".xml", ".rss", ".atom", ".txt", ".csv",
    ".zip", ".gz", ".tgz", ".rar", ".7z", ".tar", ".dmg", ".exe", ".msi", ".apk",
    ".mp3", ".mp4", ".m4a", ".wav", ".ogg", ".webm", ".mov", ".avi",
    ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".woff", ".woff2", ".ttf", ".eot",
}


_NOT_A_URL = urlsplit("")


def _split(url: str) -> SplitResult:
    """``urlsplit`` that reads an unbalanced IPv6 bracket (``http://[::1/``) as no URL at all
    rather than raising."""
    try:
        return urlsplit(url)
    except ValueError:
        return _NOT_A_URL


def _port(parts: SplitResult) -> int | None:
    """The URL's port; ``-1`` when it is not a number in 0-65535 (``urlsplit().port`` raises)."""
    try:
        return parts.port
    except ValueError:
        return -1


def is_http_url(url: str) -> bool:
    """An http(s) URL with a host and a usable port."""
    parts = _split(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and _port(parts) != -1


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, default port and fragment dropped, tracking parameters
    removed, remaining query sorted, ``.``/``..`` segments resolved, empty path as ``/``.
    Raises ``ValueError`` for a port that is not a number in 0-65535 or an unbalanced IPv6
    bracket (check with :func:`is_http_url` first)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) \
        else f"{host}:{port}"
    path = parts.path or "/"
    if "/." in path:
        trailing = path.endswith("/")
        path = posixpath.normpath(path)
        path = path + "/" if trailing and not path.endswith("/") else path
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith(_TRACKING_PREFIXES) and k.lower() not in _TRACKING]
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


def join_url(base: str, href: str) -> str | None:
    """Resolve a link found on ``base``; ``None`` for mailto:, tel:, javascript: and the like."""
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    try:
        url = urljoin(base, href)
    except ValueError:
        return None
    if not is_http_url(url):
        return None
    canonical = canonical_url(url)
    return canonical if is_http_url(canonical) else None  # "http://./" has no host left


def host_key(url: str) -> str:
    """The host with any leading ``www.``: ``www.example.com`` and ``example.com`` are one site."""
    host = (_split(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def same_site(url: str, root: str) -> bool:
    """Same host as the start URL (``www.`` or not) and the same port."""
    a, b = _split(url), _split(root)
    default = {"http": 80, "https": 443}
    pa, pb = _port(a), _port(b)
    if pa == -1 or pb == -1:
        return False
    pa = pa or default.get(a.scheme)
    pb = pb or default.get(b.scheme)
    return host_key(url) == host_key(root) and (pa == pb or {pa, pb} == {80, 443})


def looks_like_file(url: str) -> bool:
    """A link whose extension says it is not a page (PDFs are pages here)."""
    ext = posixpath.splitext(_split(url).path)[1].lower()
    return ext in _SKIP_EXT
