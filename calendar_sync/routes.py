"""JSON endpoints mirroring ``receptionist service …`` / ``receptionist calendar …`` (all but
``calendar phone``, which shows a password).

The application mounts ``router`` and provides a :class:`CalendarService` as
the app's ``calendar`` service.
Errors: 404 unknown business/service/booking (and any business the signed-in principal may not
see), 422 bad input or set-up, 503 calendar unreachable (with the caller-facing sentence).
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from calendar_sync.errors import CalendarError, SetupError
from calendar_sync.schemas import (
    BookIn,
    BusinessParam,
    CancelIn,
    ConnectIn,
    NameParam,
    PhoneParam,
    RescheduleIn,
    RulesIn,
    ServiceIn,
    WhenParam,
)
from calendar_sync.service import CalendarService
from receptionist.core import BusinessNotFound, Database, InvalidPhoneNumber, get_business
from receptionist.core.principal import CurrentPrincipal
from receptionist.core.provided import Provided

__all__ = ["router"]

router = APIRouter(prefix="/api/calendar", tags=["calendar"])
T = TypeVar("T")


get_service: Provided[CalendarService] = Provided("calendar")  # 503 when not running
Calendar = Annotated[CalendarService, Depends(get_service)]
_db: Provided[Database] = Provided("db")


async def _allowed(request: Request, principal: CurrentPrincipal, ref: str, *,
                   manage: bool = False) -> str:
    """The business ``ref`` names, as its id, when the principal may act for it; 404 for an
    unknown business and for another tenant's alike. ``manage``: a change of set-up (services,
    connection, rules), which staff members may not make (403)."""
    try:
        async with _db.get(request).transaction() as session:
            business_id = (await get_business(session, ref)).id
    except BusinessNotFound as exc:
        raise HTTPException(404, "not found") from exc
    if manage:
        principal.require_manager(business_id)
    else:
        principal.require(business_id)
    return str(business_id)


async def _call(awaitable: Awaitable[T]) -> T:
    try:
        return await awaitable
    except (BusinessNotFound, LookupError) as exc:
        raise HTTPException(404, str(exc)) from exc
    except (SetupError, InvalidPhoneNumber, ValueError) as exc:
        raise HTTPException(422, str(exc)) from exc
    except CalendarError as exc:
        raise HTTPException(503, {"error": str(exc), "kind": type(exc).__name__,
                                  "message": exc.caller_message}) from exc


@router.get("/services")
async def list_services(request: Request, principal: CurrentPrincipal, calendar: Calendar,
                        business: BusinessParam) -> list[dict[str, Any]]:
    business = await _allowed(request, principal, business)
    return [s.to_json() for s in await _call(calendar.list_services(business))]


@router.post("/services")
async def add_service(request: Request, principal: CurrentPrincipal, calendar: Calendar,
                      body: ServiceIn) -> dict[str, Any]:
    business = await _allowed(request, principal, body.business, manage=True)
    before = body.buffer_minutes if body.buffer_before_minutes is None \
        else body.buffer_before_minutes
    after = body.buffer_minutes if body.buffer_after_minutes is None \
        else body.buffer_after_minutes
    info, created = await _call(calendar.add_service(
        business, body.name, body.minutes, buffer_before_minutes=before,
        buffer_after_minutes=after, calendars=body.calendars))
    return {**info.to_json(), "created": created}


@router.delete("/services")
async def remove_service(request: Request, principal: CurrentPrincipal, calendar: Calendar,
                         business: BusinessParam, name: NameParam) -> dict[str, Any]:
    business = await _allowed(request, principal, business, manage=True)
    return (await _call(calendar.remove_service(business, name))).to_json()


@router.post("/connect")
async def connect(request: Request, principal: CurrentPrincipal, calendar: Calendar,
                  body: ConnectIn) -> list[dict[str, Any]]:
    business = await _allowed(request, principal, body.business, manage=True)
    found = await _call(calendar.connect(business, body.url, body.username, body.password,
                                         body.calendars))
    return [c.to_json() for c in found]


@router.post("/disconnect")
async def disconnect(request: Request, principal: CurrentPrincipal, calendar: Calendar,
                     business: BusinessParam) -> dict[str, int]:
    business = await _allowed(request, principal, business, manage=True)
    return {"removed": await _call(calendar.disconnect(business))}


@router.get("/rules")
async def rules(request: Request, principal: CurrentPrincipal, calendar: Calendar,
                business: BusinessParam) -> dict[str, int]:
    business = await _allowed(request, principal, business)
    return await _call(calendar.set_policy(business))


@router.post("/rules")
async def set_rules(request: Request, principal: CurrentPrincipal, calendar: Calendar,
                    body: RulesIn) -> dict[str, int]:
    business = await _allowed(request, principal, body.business, manage=True)
    return await _call(calendar.set_policy(
        business, notice_minutes=body.notice_minutes, horizon_days=body.horizon_days,
        slot_minutes=body.slot_minutes))


@router.get("/test")
async def test(request: Request, principal: CurrentPrincipal, calendar: Calendar,
               business: BusinessParam) -> dict[str, Any]:
    business = await _allowed(request, principal, business)
    return (await _call(calendar.test(business))).to_json()


@router.get("/calendars")
async def list_calendars(request: Request, principal: CurrentPrincipal, calendar: Calendar,
                         business: BusinessParam) -> list[dict[str, Any]]:
    business = await _allowed(request, principal, business)
    return [c.to_json() for c in await _call(calendar.list_calendars(business))]


@router.get("/slots")
async def slots(request: Request, principal: CurrentPrincipal, calendar: Calendar,
                business: BusinessParam, service: NameParam,
                from_: Annotated[date | None, Query(alias="from")] = None,
                to: date | None = None, when: WhenParam = None) -> dict[str, Any]:
    business = await _allowed(request, principal, business)
    search = await _call(calendar.find_slots(business, service, when, start=from_,
                                             end=to or from_))
    return search.to_json()


@router.post("/book")
async def book(request: Request, principal: CurrentPrincipal, calendar: Calendar,
               body: BookIn) -> dict[str, Any]:
    business = await _allowed(request, principal, body.business)
    result = await _call(calendar.book(business, body.service, body.start, body.name,
                                       body.phone, notes=body.notes, call_sid=body.call_sid,
                                       source="api"))
    return result.to_json()


@router.post("/cancel")
async def cancel(request: Request, principal: CurrentPrincipal, calendar: Calendar,
                 body: CancelIn) -> dict[str, Any]:
    business = await _allowed(request, principal, body.business)
    return (await _call(calendar.cancel(business, body.phone, uid=body.uid,
                                        on=body.on))).to_json()


@router.post("/reschedule")
async def reschedule(request: Request, principal: CurrentPrincipal, calendar: Calendar,
                     body: RescheduleIn) -> dict[str, Any]:
    business = await _allowed(request, principal, body.business)
    return (await _call(calendar.reschedule(business, body.phone, body.start,
                                            uid=body.uid, on=body.on))).to_json()


@router.get("/bookings")
async def bookings(request: Request, principal: CurrentPrincipal, calendar: Calendar,
                   business: BusinessParam, phone: PhoneParam = None,
                   include_past: bool = False) -> list[dict[str, Any]]:
    business = await _allowed(request, principal, business)
    found = await _call(calendar.bookings(business, phone, include_past=include_past))
    return [b.to_json() for b in found]
