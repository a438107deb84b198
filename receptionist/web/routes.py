"""The owner's JSON API, each answer showing only the businesses the signed-in user or token may
see (the pages are in ``receptionist.web.pages``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from receptionist.core import (
    BusinessNotFound,
    Database,
    all_businesses,
    get_business,
)
from receptionist.core.principal import CurrentPrincipal, Principal
from receptionist.deps import DbDep, TextbackDep

__all__ = ["router"]

router = APIRouter()
# Query strings are bounded like every other input.
BusinessQuery = Annotated[str | None, Query(max_length=200)]
SinceQuery = Annotated[str | None, Query(max_length=40)]


def business_json(b: object) -> dict[str, object]:
    from receptionist.core import Business

    assert isinstance(b, Business)
    return b.to_json()


def _since(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC) - timedelta(days=30)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise HTTPException(422, "since must be YYYY-MM-DD or an ISO 8601 time") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@router.get("/api/businesses")
async def list_businesses(db: DbDep, principal: CurrentPrincipal) -> list[dict[str, object]]:
    async with db.transaction() as session:
        return [business_json(b) for b in await all_businesses(session)
                if principal.may_see(b.id)]


async def _business_id(db: Database, principal: Principal, ref: str | None) -> int | None:
    """The business a list shows: the one asked for (if the principal may see it), else the
    principal's own; ``None`` (all) only for operators."""
    if not ref:
        return principal.scope(None)
    try:
        async with db.transaction() as session:
            business_id = (await get_business(session, ref)).id
    except BusinessNotFound as exc:
        raise HTTPException(404, "not found") from exc
    return principal.scope(business_id)


@router.get("/api/report")
async def report(db: DbDep, service: TextbackDep, principal: CurrentPrincipal,
                 business: BusinessQuery = None, since: SinceQuery = None) -> dict[str, object]:
    result = await service.report(await _business_id(db, principal, business), _since(since),
                                  datetime.now(UTC))
    return result.to_json()


@router.get("/api/messages")
async def messages(db: DbDep, service: TextbackDep, principal: CurrentPrincipal,
                   business: BusinessQuery = None, limit: int = 50) -> list[dict[str, object]]:
    rows = await service.recent_messages(await _business_id(db, principal, business),
                                         min(max(limit, 1), 500))
    now = datetime.now(UTC)
    return [{"id": m.id, "direction": m.direction, "kind": m.kind, "to": m.to_number,
             "from": m.from_number, "body": m.body, "status": m.shown_status(now),
             "held_until": m.held_until.isoformat() if m.held_until else None,
             "attempts": m.attempts, "error_code": m.error_code,
             "created_at": m.created_at.isoformat()} for m in rows]
