"""Onboarding by website URL: a polite crawl, the business profile (name, phone, address, hours,
services, booking link, FAQs) and a searchable knowledge base of the rest of the site.

Agent-facing API (one :class:`KnowledgeService` per process, built by the composition root)::

    result = await knowledge.search(business_id, "do you come out on Sundays?", k=3)
    result.passages      # tuple[Passage(url, title, text, score, heading)], best first
    result.confidence    # float in [0, 1]
    result.confident     # False: say "I'm not sure, let me take a message" instead of guessing

    profile = await knowledge.profile(business_id)
    profile.hours, profile.weekly_hours, profile.services  # Service(name, price, duration_min…)
    profile.address, profile.phone, profile.booking_link, profile.faqs  # Faq(question, answer)

Owner-facing: ``KnowledgeService.onboard``/``recrawl``/``edit_profile``/``status``, the
``receptionist onboard`` and ``receptionist knowledge …`` commands (:mod:`knowledge.cli`) and
the JSON API (:data:`router`).
"""

from typing import TYPE_CHECKING

from receptionist.core.lazy import lazy_exports

if TYPE_CHECKING:  # imported on first use: see receptionist.core.lazy
    from knowledge.crawl import CrawlConfig, CrawlProgress, Skip
    from knowledge.errors import (
        CrawlError,
        EmbeddingError,
        FetchError,
        KnowledgeError,
        NotOnboarded,
        UnsafeUrl,
    )
    from knowledge.fetch import FetchLimits
    from knowledge.index import CONFIDENT_AT, Passage, SearchMode, SearchResult
    from knowledge.models import KnowledgeChunk, KnowledgePage, KnowledgeSite
    from knowledge.ports import Embedder, ProfileWriter
    from knowledge.profile import PROFILE_KEYS, BusinessProfile, Faq, Service
    from knowledge.routes import router
    from knowledge.service import KnowledgeConfig, KnowledgeService, OnboardReport
    from knowledge.suggestions import ProfileSuggestion
else:
    __getattr__, __dir__ = lazy_exports(__name__, __file__)

__all__ = [
    "CONFIDENT_AT",
    "PROFILE_KEYS",
    "BusinessProfile",
    "CrawlConfig",
    "CrawlError",
    "CrawlProgress",
    "Embedder",
    "EmbeddingError",
    "Faq",
    "FetchError",
    "FetchLimits",
    "KnowledgeChunk",
    "KnowledgeConfig",
    "KnowledgeError",
    "KnowledgePage",
    "KnowledgeService",
    "KnowledgeSite",
    "NotOnboarded",
    "OnboardReport",
    "Passage",
    "ProfileSuggestion",
    "ProfileWriter",
    "SearchMode",
    "SearchResult",
    "Service",
    "Skip",
    "UnsafeUrl",
    "router",
]
