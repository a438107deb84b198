"""``/settings``: routing and ring time, hours and closed days, greeting, text-back templates (a
live character and segment counter from ``GET /settings/preview``, the one segment rule being
``textback.count_segments``), cooldown, team members and what each receives, the calendar
connection with "test connection", the Twilio webhook URLs, the engine.

Each section is its own form posting to ``/settings/<section>``; changes go through
``receptionist.web.business_edit`` (the rules the CLI uses) and count as the owner's own, so a
website re-crawl keeps them. Staff may look; owners and operators change.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from calendar_sync import CalendarError
from receptionist.call import ENGINE_CHOICES, choose_engine
from receptionist.core import (
    NOTIFY_KINDS,
    Business,
    Routing,
    TeamMember,
    get_business,
    normalize,
)
from receptionist.deps import AccountsDep, CalendarDep, DbDep, SettingsDep
from receptionist.web.business_edit import apply_changes, team_kinds
from receptionist.web.templating import Id, PageScope, PageScopeDep, render
from textback import TemplateError, count_segments
from textback import render as render_text

__all__ = ["router"]

router = APIRouter()

TWILIO_HOOKS = [
    ("Voice: “A call comes in” (HTTP POST)", "/twilio/voice"),
    ("Voice: “Call status changes”", "/twilio/voice/status"),
    ("Voice: “Primary handler fails”", "/twilio/voice/fallback"),
    ("Messaging: “A message comes in” (HTTP POST)", "/twilio/sms"),
]
FormStr = Annotated[str, Form()]


def preview_json(business: Business, template: str, *, after_hours: bool) -> dict[str, Any]:
    """What a template sends as this business, and what it costs in SMS segments."""
    try:
        text = render_text(template or None, business=business.name,
                           booking_link=business.booking_link, after_hours=after_hours)
    except TemplateError as exc:
        return {"error": str(exc)}
    seg = text.segments
    return {"body": text.body, "chars": len(text.body), "encoding": seg.encoding,
            "units": seg.units, "segments": seg.segments, "single_limit": seg.single_limit,
            "warning": text.warning}


async def _page(request: Request, scope: PageScope, db: Any, settings: Any, calendar: Any, *,
                flash: str | None = None, error: bool = False, status_code: int = 200,
                accounts: Any = None) -> HTMLResponse:
    """The page; ``accounts`` (the settings page itself, not a form's answer) adds the users
    and API tokens of the business."""
    business = scope.business
    if business is None:
        return render(request, scope, "settings.html", active="settings", title="Settings")
    async with db.transaction() as session:
        engine = await choose_engine(session, business.id, None, datetime.now(UTC))
    try:
        targets = (await calendar.context(business.id)).targets
    except CalendarError:
        targets = ()
    previews = {
        "template": preview_json(business, business.textback_template or "", after_hours=False),
        "after_hours_template": preview_json(business,
                                             business.textback_after_hours_template or "",
                                             after_hours=True),
    }
    users, tokens = ([], []) if accounts is None else (
        await accounts.list_users(business.id), await accounts.tokens.list(business.id))
    base = settings.public_url.rstrip("/")
    return render(
        request, scope, "settings.html", active="settings", title="Settings",
        b=business, routings=list(Routing), kinds=NOTIFY_KINDS, previews=previews,
        engine=engine, engines=ENGINE_CHOICES, default_engine=settings.voice_engine,
        targets=targets, hooks=[(label, base + path) for label, path in TWILIO_HOOKS],
        media_url=base.replace("http", "ws", 1) + "/twilio/media",
        may_edit=scope.principal.may_manage(business.id), users=users, tokens=tokens,
        show_access=accounts is not None, flash=flash, flash_kind="error" if error else "ok",
        status_code=status_code,
    )


@router.get("/settings", response_class=HTMLResponse)
async def settings_page(request: Request, scope: PageScopeDep, db: DbDep, settings: SettingsDep,
                        calendar: CalendarDep, accounts: AccountsDep,
                        saved: str = "") -> HTMLResponse:
    return await _page(request, scope, db, settings, calendar, accounts=accounts,
                       flash=f"Saved {saved}." if saved.isalpha() else None)


@router.get("/settings/preview")
async def template_preview(scope: PageScopeDep, template: str = "",
                           after_hours: bool = False) -> dict[str, Any]:
    """The live counter: the text as sent, its characters and SMS segments."""
    return preview_json(scope.require_business(), template[:2000], after_hours=after_hours)


Change = Callable[[AsyncSession, Business], Awaitable[Any]]


async def _save(request: Request, scope: PageScope, db: Any, settings: Any, calendar: Any,
                section: str, change: Change) -> Response:
    """Apply one section's change in one transaction; a refused value re-renders the page
    with the reason (422) and changes nothing."""
    scope.principal.require_manager(scope.business_id)
    business = scope.require_business()
    warnings: list[str] = []
    try:
        async with db.transaction() as session:
            fresh = await get_business(session, business.id)
            result = await change(session, fresh)
            if isinstance(result, list):
                warnings = result
    except (ValueError, TemplateError) as exc:
        return await _page(request, scope, db, settings, calendar, flash=str(exc), error=True,
                           status_code=422)
    if warnings:
        return await _page(request, scope, db, settings, calendar,
                           flash="Saved, but: " + "; ".join(warnings), error=True)
    return RedirectResponse(scope.href("/settings", saved=section) + f"#{section}",
                            status_code=303)


def _none_kwargs(**given: Any) -> dict[str, Any]:
    keys = ("name", "timezone", "routing", "forward_to", "ring_seconds", "booking_link", "hours",
            "closed", "textback", "cooldown", "template", "after_hours_template",
            "after_hours_textback", "greeting")
    return {k: given.get(k) for k in keys}


def _int(text: str, name: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number") from exc
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}")
    return value


@router.post("/settings/routing")
async def save_routing(request: Request, scope: PageScopeDep, db: DbDep, settings: SettingsDep,
                       calendar: CalendarDep, routing: FormStr, ring_seconds: FormStr = "20",
                       forward_to: FormStr = "",
                       after_hours_textback: FormStr = "") -> Response:
    async def change(session: AsyncSession, b: Business) -> Any:
        try:
            mode = Routing(routing)
        except ValueError as exc:
            raise ValueError(f"routing must be one of {', '.join(r.value for r in Routing)}") \
                from exc
        return apply_changes(b, **_none_kwargs(
            routing=mode, ring_seconds=_int(ring_seconds, "ring time", 5, 120),
            forward_to=forward_to.strip(), after_hours_textback=bool(after_hours_textback)))

    return await _save(request, scope, db, settings, calendar, "routing", change)


@router.post("/settings/hours")
async def save_hours(request: Request, scope: PageScopeDep, db: DbDep, settings: SettingsDep,
                     calendar: CalendarDep, hours: FormStr = "", closed: FormStr = "",
                     timezone: FormStr = "") -> Response:
    async def change(session: AsyncSession, b: Business) -> Any:
        return apply_changes(b, **_none_kwargs(hours=hours, closed=closed,
                                                timezone=timezone.strip() or None))

    return await _save(request, scope, db, settings, calendar, "hours", change)


@router.post("/settings/greeting")
async def save_greeting(request: Request, scope: PageScopeDep, db: DbDep, settings: SettingsDep,
                        calendar: CalendarDep, greeting: FormStr = "") -> Response:
    async def change(session: AsyncSession, b: Business) -> Any:
        if len(greeting) > 500:
            raise ValueError("the greeting is longer than 500 characters")
        return apply_changes(b, **_none_kwargs(greeting=greeting.strip()))

    return await _save(request, scope, db, settings, calendar, "greeting", change)


@router.post("/settings/textback")
async def save_textback(request: Request, scope: PageScopeDep, db: DbDep, settings: SettingsDep,
                        calendar: CalendarDep, template: FormStr = "",
                        after_hours_template: FormStr = "", cooldown_hours: FormStr = "24",
                        enabled: FormStr = "") -> Response:
    async def change(session: AsyncSession, b: Business) -> Any:
        for text in (template, after_hours_template):
            if len(text) > 1000:
                raise ValueError("a template is longer than 1000 characters")
            if text.strip():
                count_segments(text)  # the same rule the outbox counts with
        return apply_changes(b, **_none_kwargs(
            template=template.strip(), after_hours_template=after_hours_template.strip(),
            cooldown=_int(cooldown_hours, "cooldown", 0, 24 * 90), textback=bool(enabled)))

    return await _save(request, scope, db, settings, calendar, "textback", change)


@router.post("/settings/team")
async def add_member(request: Request, scope: PageScopeDep, db: DbDep, settings: SettingsDep,
                     calendar: CalendarDep, name: FormStr, phone: FormStr,
                     receives: Annotated[list[str] | None, Form()] = None) -> Response:
    async def change(session: AsyncSession, b: Business) -> Any:
        number = normalize(phone)
        if not name.strip():
            raise ValueError("give the team member a name")
        if any(m.phone == number for m in b.team):
            raise ValueError(f"{number} is already on the team")
        b.team.append(TeamMember(name=name.strip()[:200], phone=number,
                                 receives=",".join(team_kinds(",".join(receives or [])))))
        return None

    return await _save(request, scope, db, settings, calendar, "team", change)


@router.post("/settings/team/{member_id}")
async def update_member(request: Request, member_id: Id, scope: PageScopeDep, db: DbDep,
                        settings: SettingsDep, calendar: CalendarDep,
                        receives: Annotated[list[str] | None, Form()] = None,
                        remove: FormStr = "") -> Response:
    async def change(session: AsyncSession, b: Business) -> Any:
        member = next((m for m in b.team if m.id == member_id), None)
        if member is None:
            raise HTTPException(404, "not found")
        if remove:
            b.team.remove(member)
        else:
            member.receives = ",".join(team_kinds(",".join(receives or [])))
        return None

    return await _save(request, scope, db, settings, calendar, "team", change)


@router.post("/settings/engine")
async def save_engine(request: Request, scope: PageScopeDep, db: DbDep, settings: SettingsDep,
                      calendar: CalendarDep, engine: FormStr) -> Response:
    async def change(session: AsyncSession, b: Business) -> Any:
        await choose_engine(session, b.id, engine, datetime.now(UTC))
        return None

    return await _save(request, scope, db, settings, calendar, "engine", change)


@router.post("/settings/calendar/test", response_class=HTMLResponse)
async def test_calendar(request: Request, scope: PageScopeDep, db: DbDep, settings: SettingsDep,
                        calendar: CalendarDep) -> HTMLResponse:
    business = scope.require_business()
    try:
        check = await calendar.test(business.id)
    except CalendarError as exc:
        return await _page(request, scope, db, settings, calendar, error=True,
                           flash=f"Calendar test failed: {exc}")
    parts = [f"{name}: {'ok' if err is None else err}" for name, err in check.calendars]
    verdict = "Calendar reachable" if check.ok else "Calendar test failed"
    return await _page(request, scope, db, settings, calendar, error=not check.ok,
                       flash=f"{verdict} ({check.kind}, {check.elapsed_ms:.0f} ms): "
                             + ("; ".join(parts) or "no calendars"))


@router.post("/settings/calendar")
async def connect_calendar(request: Request, scope: PageScopeDep, db: DbDep,
                           settings: SettingsDep, calendar: CalendarDep, url: FormStr,
                           username: FormStr, password: FormStr,
                           calendar_name: FormStr = "") -> Response:
    scope.principal.require_manager(scope.business_id)
    business = scope.require_business()
    try:
        found = await calendar.connect(business.id, url.strip(), username.strip(), password,
                                       [calendar_name.strip()] if calendar_name.strip() else [])
    except (CalendarError, ValueError) as exc:
        return await _page(request, scope, db, settings, calendar, error=True,
                           flash=f"Could not connect: {exc}", status_code=422)
    names = ", ".join(c.name for c in found if c.selected) or "none selected"
    return await _page(request, scope, db, settings, calendar,
                       flash=f"Connected. Calendars used for bookings: {names}.")
