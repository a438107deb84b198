"""``/bookings``: upcoming and past bookings, with cancel and reschedule through the calendar
service (the same re-checked, conflict-safe path a caller's booking takes; the caller is texted
as they would be on the phone)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse

from calendar_sync import BookingInfo, CalendarError
from receptionist.deps import CalendarDep
from receptionist.web.templating import Id, PageScope, PageScopeDep, render

__all__ = ["router"]

router = APIRouter()


async def _page(request: Request, scope: PageScope, calendar: CalendarDep, *,
                flash: str | None = None, error: bool = False,
                status_code: int = 200) -> HTMLResponse:
    business = scope.business
    if business is None:
        return render(request, scope, "bookings.html", active="bookings", title="Bookings")
    every = await calendar.bookings(business.id, include_past=True)
    now = datetime.now(UTC)
    upcoming = [b for b in every if b.end > now]
    past = sorted((b for b in every if b.end <= now), key=lambda b: b.start, reverse=True)[:100]
    return render(request, scope, "bookings.html", active="bookings", title="Bookings",
                  upcoming=upcoming, past=past, flash=flash,
                  flash_kind="error" if error else "ok", status_code=status_code)


@router.get("/bookings", response_class=HTMLResponse)
async def bookings(request: Request, scope: PageScopeDep, calendar: CalendarDep) -> HTMLResponse:
    return await _page(request, scope, calendar)


async def _booking(scope: PageScope, calendar: CalendarDep, booking_id: int) -> BookingInfo:
    business = scope.require_business()
    found = [b for b in await calendar.bookings(business.id) if b.id == booking_id]
    if not found or found[0].uid is None:
        raise HTTPException(404, "not found")  # another business's, past, or not booked
    return found[0]


@router.post("/bookings/{booking_id}/cancel", response_class=HTMLResponse)
async def cancel(request: Request, booking_id: Id, scope: PageScopeDep,
                 calendar: CalendarDep) -> HTMLResponse:
    booking = await _booking(scope, calendar, booking_id)
    try:
        result = await calendar.cancel(scope.require_business().id, booking.caller_phone,
                                       uid=booking.uid)
    except CalendarError as exc:
        return await _page(request, scope, calendar, error=True, status_code=502,
                           flash=f"The calendar could not be reached: {exc}")
    return await _page(request, scope, calendar, error=result.status != "cancelled",
                       flash=result.message or f"Booking {result.status}.")


@router.post("/bookings/{booking_id}/reschedule", response_class=HTMLResponse)
async def reschedule(request: Request, booking_id: Id, scope: PageScopeDep,
                     calendar: CalendarDep, start: Annotated[str, Form()]) -> HTMLResponse:
    booking = await _booking(scope, calendar, booking_id)
    try:
        local = datetime.fromisoformat(start)
    except ValueError:
        return await _page(request, scope, calendar, error=True, status_code=422,
                           flash="Give the new time as a date and time, e.g. 2026-12-08T15:30.")
    new_start = local if local.tzinfo else local.replace(tzinfo=scope.tz)
    try:
        result = await calendar.reschedule(scope.require_business().id, booking.caller_phone,
                                           new_start, uid=booking.uid)
    except CalendarError as exc:
        return await _page(request, scope, calendar, error=True, status_code=502,
                           flash=f"The calendar could not be reached: {exc}")
    if result.booked:
        return await _page(request, scope, calendar,
                           flash=f"Moved to {scope.local(result.start)}.")
    others = ", ".join(scope.local(s.start) for s in result.alternatives[:3])
    return await _page(request, scope, calendar, error=True, status_code=409,
                       flash=(result.message or f"That time is not free ({result.reason}).")
                       + (f" Free nearby: {others}." if others else ""))
