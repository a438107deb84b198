"""``/knowledge``: onboard or re-crawl the business's website with live progress (a crawl job
polled at ``/knowledge/jobs/{id}``), the profile to review and edit (through
``KnowledgeService.edit_profile``, so edited fields survive re-crawls), the pages read with their
passages, and an "ask" box showing what the receptionist would find."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select

from knowledge import (
    BusinessProfile,
    KnowledgeChunk,
    KnowledgeError,
    KnowledgePage,
    KnowledgeSite,
)
from receptionist.core import HoursError, WeeklyHours
from receptionist.deps import CrawlJobsDep, DbDep, KnowledgeDep
from receptionist.web.templating import Id, PageScope, PageScopeDep, render

__all__ = ["router"]

router = APIRouter()
FormStr = Annotated[str, Form()]
MAX_PAGES_LIMIT = 500


def services_text(profile: BusinessProfile) -> str:
    return "\n".join(" | ".join([s.name, s.price or "", str(s.duration_min or "")]).rstrip(" |")
                     for s in profile.services)


def faqs_text(profile: BusinessProfile) -> str:
    return "\n".join(f"{f.question} | {f.answer}" for f in profile.faqs)


def parse_services(text: str) -> list[dict[str, Any]]:
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        minutes = parts[2] if len(parts) > 2 else ""
        if minutes and not minutes.isdigit():
            raise ValueError(f"services line {n}: minutes must be a whole number")
        out.append({"name": parts[0], "price": (parts[1] if len(parts) > 1 else "") or None,
                    "duration_min": int(minutes) if minutes else None, "description": None})
    return out


def parse_faqs(text: str) -> list[dict[str, str]]:
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        question, sep, answer = line.partition("|")
        if not sep or not question.strip() or not answer.strip():
            raise ValueError(f"FAQ line {n}: write it as “Question? | Answer”")
        out.append({"question": question.strip(), "answer": answer.strip()})
    return out


PageRow = tuple[KnowledgePage, int, list[KnowledgeChunk]]


async def _pages(db: Any, business_id: int) -> list[PageRow]:
    """The pages read, each with its passage count and its first passages."""
    async with db.transaction() as session:
        pages = list((await session.execute(
            select(KnowledgePage).where(KnowledgePage.business_id == business_id)
            .order_by(KnowledgePage.url).limit(300))).scalars())
        counts = dict((await session.execute(
            select(KnowledgeChunk.page_id, func.count(KnowledgeChunk.id))
            .where(KnowledgeChunk.business_id == business_id)
            .group_by(KnowledgeChunk.page_id))).all())
        chunks: dict[int, list[KnowledgeChunk]] = {}
        for chunk in (await session.execute(
                select(KnowledgeChunk).where(KnowledgeChunk.business_id == business_id,
                                             KnowledgeChunk.position < 3)
                .order_by(KnowledgeChunk.page_id, KnowledgeChunk.position))).scalars():
            chunks.setdefault(chunk.page_id, []).append(chunk)
    return [(p, counts.get(p.id, 0), chunks.get(p.id, [])) for p in pages]


async def _page(request: Request, scope: PageScope, db: Any, knowledge: Any, jobs: Any, *,
                question: str = "", flash: str | None = None, error: bool = False,
                status_code: int = 200) -> HTMLResponse:
    business = scope.business
    if business is None:
        return render(request, scope, "knowledge.html", active="knowledge", title="Knowledge")
    async with db.transaction() as session:
        site = await session.get(KnowledgeSite, business.id)
    profile = await knowledge.profile(business.id)
    answer = None
    if question.strip() and site is not None:
        try:
            answer = await knowledge.search(business.id, question, k=3)
        except KnowledgeError as exc:
            flash, error = f"Search failed: {exc}", True
    return render(
        request, scope, "knowledge.html", active="knowledge", title="Knowledge", site=site,
        profile=profile, overrides=set(business.overrides or []) | set((site.owner or {})
                                                                      if site else {}),
        services=services_text(profile), faqs=faqs_text(profile),
        hours_text=profile.weekly_hours.to_text() if profile.hours else "",
        pages=await _pages(db, business.id) if site else [], job=await jobs.latest(business.id),
        question=question, answer=answer, may_edit=scope.principal.may_manage(business.id),
        flash=flash, flash_kind="error" if error else "ok", status_code=status_code)


@router.get("/knowledge", response_class=HTMLResponse)
async def knowledge_page(request: Request, scope: PageScopeDep, db: DbDep,
                         knowledge: KnowledgeDep, jobs: CrawlJobsDep, q: str = "",
                         saved: int = 0) -> HTMLResponse:
    return await _page(request, scope, db, knowledge, jobs, question=q[:500],
                       flash="Profile saved; a re-crawl keeps your edits." if saved else None)


def _may_edit(scope: PageScope) -> None:
    scope.principal.require_manager(scope.business_id)


@router.post("/knowledge/crawl")
async def start_crawl(scope: PageScopeDep, jobs: CrawlJobsDep, url: FormStr = "",
                      max_pages: FormStr = "", recrawl: FormStr = "") -> Response:
    """Start onboarding from ``url``, or re-crawl the known site (``recrawl``); the page then
    polls the job."""
    _may_edit(scope)
    business = scope.require_business()
    url = "" if recrawl else url.strip()
    if not url and not recrawl:
        raise HTTPException(422, "give the website's address")
    if url and not url.startswith(("http://", "https://")):
        url = "https://" + url
    limit = None
    if max_pages.strip():
        if not max_pages.strip().isdigit() or not 1 <= int(max_pages) <= MAX_PAGES_LIMIT:
            raise HTTPException(422, f"max pages must be between 1 and {MAX_PAGES_LIMIT}")
        limit = int(max_pages)
    job_id = await jobs.start(business.id, url or None, max_pages=limit)
    return RedirectResponse(scope.href("/knowledge", job=job_id) + "#crawl", status_code=303)


@router.get("/knowledge/jobs/{job_id}")
async def job_status(job_id: Id, scope: PageScopeDep, jobs: CrawlJobsDep) -> dict[str, object]:
    job = await jobs.get(scope.require_business().id, job_id)
    if job is None:
        raise HTTPException(404, "not found")
    return job.to_json()


@router.post("/knowledge/profile", response_model=None)
async def save_profile(request: Request, scope: PageScopeDep, db: DbDep,
                       knowledge: KnowledgeDep, jobs: CrawlJobsDep, name: FormStr = "",
                       phone: FormStr = "", address: FormStr = "", hours: FormStr = "",
                       booking_link: FormStr = "", services: FormStr = "",
                       faqs: FormStr = "") -> Response:
    """Only fields that differ from the profile shown are saved (and so become the owner's):
    the rest keep following the website."""
    _may_edit(scope)
    business = scope.require_business()
    current = await knowledge.profile(business.id)
    try:
        given: dict[str, Any] = {
            "name": name.strip(), "phone": phone.strip() or None,
            "address": address.strip() or None, "booking_link": booking_link.strip() or None,
            "hours": WeeklyHours.parse(hours).to_json() if hours.strip() else {},
            "services": parse_services(services), "faqs": parse_faqs(faqs),
        }
        shown: dict[str, Any] = {
            "name": current.name or "", "phone": current.phone, "address": current.address,
            "booking_link": current.booking_link, "hours": current.hours or {},
            "services": parse_services(services_text(current)),
            "faqs": parse_faqs(faqs_text(current)),
        }
        changes = {k: v for k, v in given.items() if v != shown[k]}
        if changes:
            await knowledge.edit_profile(business.id, changes)
    except (ValueError, HoursError, KnowledgeError) as exc:
        return await _page(request, scope, db, knowledge, jobs, flash=str(exc), error=True,
                           status_code=422)
    return RedirectResponse(scope.href("/knowledge", saved=1) + "#profile", status_code=303)

