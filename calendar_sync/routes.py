"""JSON endpoints mirroring ``receptionist service …`` / ``receptionist calendar …`` (all but
``calendar phone``, which shows a password).

The application mounts ``router`` and provides a :class:`CalendarService` as
the app's ``calendar`` service.
Errors: 404 unknown business/service/booking, 422 bad input or set-up,
503 calendar unreachable (with the caller-facing sentence).
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query

from calendar_sync.errors import CalendarError, SetupError
from calendar_sync.schemas import BookIn, CancelIn, ConnectIn, RescheduleIn, RulesIn, ServiceIn
from calendar_sync.service import CalendarService
from receptionist.core import BusinessNotFound, InvalidPhoneNumber
from receptionist.core.provided import Provided

__all__ = ["router"]

router = APIRouter(prefix="/api/calendar", tags=["calendar"])
T = TypeVar("T")


get_service: Provided[CalendarService] = Provided("calendar")  # 503 when not running
Calendar = Annotated[CalendarService, Depends(get_service)]


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
async def list_services(calendar: Calendar, business: str) -> list[dict[str, Any]]:
    return [s.to_json() for s in await _call(calendar.list_services(business))]


@router.post("/services")
async def add_service(calendar: Calendar, body: ServiceIn) -> dict[str, Any]:
    before = body.buffer_minutes if body.buffer_before_minutes is None \
        else body.buffer_before_minutes
    after = body.buffer_minutes if body.buffer_after_minutes is None \
        else body.buffer_after_minutes
    info, created = await _call(calendar.add_service(
        body.business, body.name, body.minutes, buffer_before_minutes=before,
        buffer_after_minutes=after, calendars=body.calendars))
    return {**info.to_json(), "created": created}


@router.delete("/services")
async def remove_service(calendar: Calendar, business: str, name: str) -> dict[str, Any]:
    return (await _call(calendar.remove_service(business, name))).to_json()


@router.post("/connect")
async def connect(calendar: Calendar, body: ConnectIn) -> list[dict[str, Any]]:
    found = await _call(calendar.connect(body.business, body.url, body.username, body.password,
                                         body.calendars))
    return [c.to_json() for c in found]


@router.post("/disconnect")
async def disconnect(calendar: Calendar, business: str) -> dict[str, int]:
    return {"removed": await _call(calendar.disconnect(business))}


@router.get("/rules")
async def rules(calendar: Calendar, business: str) -> dict[str, int]:
    return await _call(calendar.set_policy(business))


@router.post("/rules")
async def set_rules(calendar: Calendar, body: RulesIn) -> dict[str, int]:
    return await _call(calendar.set_policy(
        body.business, notice_minutes=body.notice_minutes, horizon_days=body.horizon_days,
        slot_minutes=body.slot_minutes))


@router.get("/test")
async def test(calendar: Calendar, business: str) -> dict[str, Any]:
    return (await _call(calendar.test(business))).to_json()


@router.get("/calendars")
async def list_calendars(calendar: Calendar, business: str) -> list[dict[str, Any]]:
    return [c.to_json() for c in await _call(calendar.list_calendars(business))]


@router.get("/slots")
async def slots(calendar: Calendar, business: str, service: str,
                from_: Annotated[date | None, Query(alias="from")] = None,
                to: date | None = None, when: str | None = None) -> dict[str, Any]:
    search = await _call(calendar.find_slots(business, service, when, start=from_,
                                             end=to or from_))
    return search.to_json()


@router.post("/book")
async def book(calendar: Calendar, body: BookIn) -> dict[str, Any]:
    result = await _call(calendar.book(body.business, body.service, body.start, body.name,
                                       body.phone, notes=body.notes, call_sid=body.call_sid,
                                       source="api"))
    return result.to_json()


@router.post("/cancel")
async def cancel(calendar: Calendar, body: CancelIn) -> dict[str, Any]:
    return (await _call(calendar.cancel(body.business, body.phone, uid=body.uid,
                                        on=body.on))).to_json()


@router.post("/reschedule")
async def reschedule(calendar: Calendar, body: RescheduleIn) -> dict[str, Any]:
    return (await _call(calendar.reschedule(body.business, body.phone, body.start,
                                            uid=body.uid, on=body.on))).to_json()


@router.get("/bookings")
async def bookings(calendar: Calendar, business: str, phone: str | None = None,
                   include_past: bool = False) -> list[dict[str, Any]]:
    found = await _call(calendar.bookings(business, phone, include_past=include_past))
    return [b.to_json() for b in found]
