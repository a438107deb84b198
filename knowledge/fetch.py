"""One polite, bounded HTTP fetch: redirects followed by hand (each hop checked), a size limit
read from the stream, HTML and PDF only, conditional requests for re-crawls."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from knowledge.errors import FetchError
from knowledge.safety import crawl_policy
from knowledge.urls import canonical_url, join_url
from receptionist.core import BlockedDestination, OutboundPolicy, guarded_transport

__all__ = ["USER_AGENT", "FetchLimits", "Fetched", "Fetcher"]

USER_AGENT = "ReceptionistBot/0.1 (+website onboarding; honours robots.txt)"
ROBOTS_AGENT = "ReceptionistBot"


@dataclass(frozen=True)
class FetchLimits:
    timeout_s: float = 10.0          # one page, connect to last byte
    max_bytes: int = 3_000_000       # a larger page is skipped, not truncated
    max_redirects: int = 5
    concurrency: int = 4             # requests in flight to the site
    delay_s: float = 0.02            # minimum gap between request starts


@dataclass(frozen=True)
class Fetched:
    url: str                 # canonical URL after redirects
    status: int              # 200, or 304 when the stored ETag/Last-Modified still hold
    kind: str                # "html" | "pdf" | "" for 304 and plain text like robots.txt
    body: bytes
    encoding: str | None
    etag: str | None
    last_modified: str | None

    def text(self) -> str:
        return self.body.decode(self.encoding or "utf-8", errors="replace")


# Given a URL about to be requested, a reason to refuse it (off-site, robots) or None.
Gate = Callable[[str], str | None]


class Fetcher:
    def __init__(self, *, allow_private: bool, limits: FetchLimits | None = None,
                 transport: httpx.AsyncBaseTransport | None = None,
                 policy: OutboundPolicy | None = None) -> None:
        self.allow_private = allow_private
        self.policy = crawl_policy(allow_private=allow_private, policy=policy)
        self.limits = limits or FetchLimits()
        # Every connection goes through the outbound guard (resolve once, connect to the checked
        # address); a transport given by a test stands in for the network, the URL form of each
        # hop is still checked here. No proxy from the environment: it would connect instead.
        self._client = httpx.AsyncClient(
            follow_redirects=False, trust_env=False,
            transport=transport or guarded_transport(self.policy,
                                                     max_connections=self.limits.concurrency),
            headers={"User-Agent": USER_AGENT},
            timeout=httpx.Timeout(self.limits.timeout_s, connect=min(5.0, self.limits.timeout_s)),
            limits=httpx.Limits(max_connections=self.limits.concurrency),
        )
        self._slots = asyncio.Semaphore(self.limits.concurrency)
        self._pace = asyncio.Lock()
        self._last_start = 0.0
        self.delay_s = self.limits.delay_s

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(self, url: str, *, gate: Gate | None = None, etag: str | None = None,
                    last_modified: str | None = None, any_type: bool = False) -> Fetched:
        """Fetch ``url``; raise :class:`FetchError` with the reason when it is not usable."""
        async with self._slots:
            await self._wait_turn()
            try:
                async with asyncio.timeout(self.limits.timeout_s * 2):
                    return await self._fetch(url, gate, etag, last_modified, any_type)
            except TimeoutError as exc:
                raise FetchError("timed out", transient=True) from exc
            except BlockedDestination as exc:
                raise FetchError(f"refused: {exc}") from exc
            except httpx.TimeoutException as exc:
                raise FetchError("timed out", transient=True) from exc
            except httpx.HTTPError as exc:
                raise FetchError(f"network error: {type(exc).__name__}", transient=True) from exc

    async def _wait_turn(self) -> None:
        async with self._pace:
            wait = self._last_start + self.delay_s - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self._last_start = time.monotonic()

    async def _fetch(self, url: str, gate: Gate | None, etag: str | None,
                     last_modified: str | None, any_type: bool) -> Fetched:
        current = url
        for _hop in range(self.limits.max_redirects + 1):
            self.policy.check_url_form(current)
            headers = {}
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
            async with self._client.stream("GET", current, headers=headers) as resp:
                if resp.status_code in (301, 302, 303, 307, 308):
                    target = join_url(current, resp.headers.get("location", ""))
                    if target is None:
                        raise FetchError("redirect without a usable Location")
                    refusal = gate(target) if gate else None
                    if refusal:
                        raise FetchError(f"redirects to {target}: {refusal}")
                    current = target
                    continue
                return await self._read(current, resp, any_type)
        raise FetchError(f"more than {self.limits.max_redirects} redirects")

    async def _read(self, url: str, resp: httpx.Response, any_type: bool) -> Fetched:
        etag = resp.headers.get("etag")
        modified = resp.headers.get("last-modified")
        if resp.status_code == 304:
            return Fetched(canonical_url(url), 304, "", b"", None, etag, modified)
        if resp.status_code >= 400:
            raise FetchError(f"HTTP {resp.status_code}", transient=resp.status_code >= 500
                             or resp.status_code == 429)
        ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
        kind = _kind(ctype)
        if not kind and not any_type and ctype:
            raise FetchError(f"not HTML or PDF ({ctype})")
        declared = resp.headers.get("content-length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > self.limits.max_bytes:
            raise FetchError(f"too large ({int(declared) // 1_000_000} MB)")
        body = bytearray()
        async for chunk in resp.aiter_bytes():
            body.extend(chunk)
            if len(body) > self.limits.max_bytes:
                raise FetchError(f"too large (over {self.limits.max_bytes // 1_000_000} MB)")
        if not kind and not any_type:
            kind = "pdf" if body[:5] == b"%PDF-" else "html" if body.lstrip()[:1] == b"<" else ""
            if not kind:
                raise FetchError("not HTML or PDF (no content type)")
        return Fetched(canonical_url(url), resp.status_code, kind, bytes(body),
                       resp.charset_encoding, etag, modified)


def _kind(ctype: str) -> str:
    if ctype in ("text/html", "application/xhtml+xml"):
        return "html"
    if ctype == "application/pdf":
        return "pdf"
    return ""
