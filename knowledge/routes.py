"""JSON API for the dashboard: onboard a website, read and edit the profile, search. Every
route acts for the signed-in principal, on a business it may see (404 otherwise)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request

from knowledge.errors import CrawlError, NotOnboarded
from knowledge.schemas import NewBusinessOnboardRequest, OnboardRequest, ProfileEdit
from knowledge.service import KnowledgeService
from receptionist.core import (
    BusinessNotFound,
    Database,
    HoursError,
    InvalidPhoneNumber,
    business_for_number,
    get_business,
    normalize,
)
from receptionist.core.principal import CurrentPrincipal, Principal
from receptionist.core.provided import Provided

__all__ = ["router"]

router = APIRouter(prefix="/api/businesses", tags=["knowledge"])


get_service: Provided[KnowledgeService] = Provided("knowledge")
_db: Provided[Database] = Provided("db")


def _service(request: Request) -> KnowledgeService:
    return get_service.get(request)


async def _business_id(request: Request, principal: Principal, ref: str, *,
                       manage: bool = False) -> int:
    """The business ``ref`` names when the principal may see it (404 otherwise); ``manage``:
    also change it, which staff members may not (403)."""
    try:
        async with _db.get(request).transaction() as session:
            business_id = int((await get_business(session, ref)).id)
    except BusinessNotFound as exc:
        raise HTTPException(404, "not found") from exc
    if manage:
        principal.require_manager(business_id)
    else:
        principal.require(business_id)
    return business_id


@router.post("/onboard")
async def onboard_new(request: Request, body: NewBusinessOnboardRequest,
                      principal: CurrentPrincipal) -> dict[str, Any]:
    """Onboard a website for a number: creates the business when the number is new (operators
    only). A number that already belongs to a business is refused unless the caller may act
    for that business."""
    try:
        number = normalize(body.number)
    except InvalidPhoneNumber as exc:
        raise HTTPException(422, str(exc)) from exc
    async with _db.get(request).transaction() as session:
        existing = await business_for_number(session, number)
    if existing is not None and not principal.may_see(existing.id):
        raise HTTPException(409, f"{number} already belongs to another business")
    if existing is not None:
        principal.require_manager(existing.id)
    if existing is None and not principal.is_admin:
        raise HTTPException(403, "only an operator can add a business; onboard your own with "
                                 "POST /api/businesses/{id}/onboard")
    try:
        if existing is not None:
            report = await _service(request).onboard(body.url, business=existing.id,
                                                     max_pages=body.max_pages)
        else:
            report = await _service(request).onboard(body.url, number=number,
                                                     max_pages=body.max_pages)
    except CrawlError as exc:
        raise HTTPException(422, str(exc)) from exc
    return report.to_json()


@router.post("/{ref}/onboard")
async def onboard(request: Request, ref: str, body: OnboardRequest,
                  principal: CurrentPrincipal) -> dict[str, Any]:
    business_id = await _business_id(request, principal, ref, manage=True)
    try:
        report = await _service(request).onboard(body.url, business=business_id,
                                                 max_pages=body.max_pages)
    except CrawlError as exc:
        raise HTTPException(422, str(exc)) from exc
    return report.to_json()


@router.post("/{ref}/recrawl")
async def recrawl(request: Request, ref: str, principal: CurrentPrincipal) -> dict[str, Any]:
    business_id = await _business_id(request, principal, ref, manage=True)
    try:
        report = await _service(request).recrawl(business_id)
    except NotOnboarded as exc:
        raise HTTPException(404, str(exc)) from exc
    except CrawlError as exc:
        raise HTTPException(422, str(exc)) from exc
    return report.to_json()


@router.get("/{ref}/profile")
async def profile(request: Request, ref: str, principal: CurrentPrincipal) -> dict[str, Any]:
    business_id = await _business_id(request, principal, ref)
    return (await _service(request).profile(business_id)).to_json()


@router.patch("/{ref}/profile")
async def edit_profile(request: Request, ref: str, principal: CurrentPrincipal,
                       changes: ProfileEdit) -> dict[str, Any]:
    """Owner edits (name, phone, address, hours, booking_link, services, faqs); an edited field
    is never overwritten by a re-crawl."""
    business_id = await _business_id(request, principal, ref, manage=True)
    try:
        result = await _service(request).edit_profile(business_id, changes.changes())
    except (ValueError, HoursError, InvalidPhoneNumber, KeyError, TypeError) as exc:
        raise HTTPException(422, str(exc)) from exc
    return result.to_json()


@router.get("/{ref}/knowledge")
async def knowledge_status(request: Request, ref: str,
                           principal: CurrentPrincipal) -> dict[str, Any]:
    business_id = await _business_id(request, principal, ref)
    try:
        return await _service(request).status(business_id)
    except NotOnboarded as exc:
        raise HTTPException(404, str(exc)) from exc


@router.get("/{ref}/knowledge/search")
async def search(request: Request, ref: str, principal: CurrentPrincipal,
                 q: Annotated[str, Query(min_length=1, max_length=500)],
                 k: Annotated[int, Query(ge=1, le=20)] = 3) -> dict[str, Any]:
    business_id = await _business_id(request, principal, ref)
    try:
        result = await _service(request).search(business_id, q, k)
    except NotOnboarded as exc:
        raise HTTPException(404, str(exc)) from exc
    return result.to_json()
