"""Knowledge errors.

    KnowledgeError
    ├── CrawlError                  onboarding could not start or finish
    │     └── UnsafeUrl             the URL is not http(s) or its host resolves to a private,
    │                               loopback or link-local address (SSRF guard)
    ├── FetchError                  one page could not be fetched; the crawl records it and goes on
    │     .reason: short text shown to the owner ("too large", "HTTP 404", "timed out")
    │     .transient: a later re-crawl may succeed (timeouts, 5xx)
    ├── EmbeddingError              an embeddings provider failed
    │     .transient: retry later (timeouts, 5xx, rate limits); permanent otherwise
    └── NotOnboarded                the business has no knowledge base yet
"""

from __future__ import annotations

__all__ = [
    "CrawlError",
    "EmbeddingError",
    "FetchError",
    "KnowledgeError",
    "NotOnboarded",
    "UnsafeUrl",
]


class KnowledgeError(Exception):
    """Root of knowledge errors."""


class CrawlError(KnowledgeError, ValueError):
    """Onboarding cannot go on (bad URL, the start page cannot be fetched)."""


class UnsafeUrl(CrawlError):
    """Refused before any request: not http(s), or the host is private, loopback or link-local."""


class FetchError(KnowledgeError):
    def __init__(self, reason: str, *, transient: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient


class EmbeddingError(KnowledgeError):
    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


class NotOnboarded(KnowledgeError, LookupError):
    """The business has no website knowledge yet; run ``receptionist onboard URL`` first."""
