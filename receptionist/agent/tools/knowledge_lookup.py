"""``KnowledgeLookup`` over the knowledge subsystem's ``KnowledgeService``.

A business that has not been onboarded yet simply has no passages (the owner's settings still
answer hours, address and services); the profile already carries the owner's edits over what the
website says.
"""

from __future__ import annotations

from typing import Any

from knowledge import KnowledgeService, NotOnboarded
from receptionist.agent.ports import BusinessProfile, KnowledgeHit

__all__ = ["KnowledgeServiceLookup"]


class KnowledgeServiceLookup:
    def __init__(self, service: KnowledgeService) -> None:
        self.service = service

    async def search(self, business_id: int, question: str, k: int = 3
                     ) -> tuple[list[KnowledgeHit], float]:
        try:
            result = await self.service.search(business_id, question, k)
        except NotOnboarded:
            return [], 0.0
        hits = [KnowledgeHit(url=p.url, title=p.title or p.heading, text=p.text,
                             score=float(p.score), heading=p.heading) for p in result.passages]
        return hits, float(result.confidence)

    async def profile(self, business_id: int) -> BusinessProfile:
        p = await self.service.profile(business_id)
        services: list[dict[str, Any]] = [s.to_json() for s in p.services]
        return BusinessProfile(
            name=p.name or "",
            services=services,
            hours=dict(p.hours) if p.hours else None,
            address=p.address,
            phone=p.phone,
            booking_link=p.booking_link,
            faqs=[{"question": f.question, "answer": f.answer} for f in p.faqs],
        )

    async def site_text(self, business_id: int) -> tuple[list[str], list[str]]:
        return await self.service.site_text(business_id)
