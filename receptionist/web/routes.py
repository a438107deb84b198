"""The owner's JSON API (the pages are in ``receptionist.web.pages``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, HTTPException

from receptionist.core import BusinessNotFound, Database, all_businesses, get_business
from receptionist.deps import DbDep, TextbackDep

__all__ = ["router"]

router = APIRouter()


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
async def list_businesses(db: DbDep) -> list[dict[str, object]]:
    async with db.transaction() as session:
        return [business_json(b) for b in await all_businesses(session)]


async def _business_id(db: Database, ref: str | None) -> int | None:
    if not ref:
        return None
    try:
        async with db.transaction() as session:
            return (await get_business(session, ref)).id
    except BusinessNotFound as exc:
        raise HTTPException(404, str(exc)) from exc


@router.get("/api/report")
async def report(db: DbDep, service: TextbackDep, business: str | None = None,
                 since: str | None = None) -> dict[str, object]:
    result = await service.report(await _business_id(db, business), _since(since),
                                  datetime.now(UTC))
    return result.to_json()


@router.get("/api/messages")
async def messages(db: DbDep, service: TextbackDep, business: str | None = None,
                   limit: int = 50) -> list[dict[str, object]]:
    rows = await service.recent_messages(await _business_id(db, business),
                                         min(max(limit, 1), 500))
    return [{"id": m.id, "direction": m.direction, "kind": m.kind, "to": m.to_number,
             "from": m.from_number, "body": m.body, "status": m.status,
             "attempts": m.attempts, "error_code": m.error_code,
             "created_at": m.created_at.isoformat()} for m in rows]
