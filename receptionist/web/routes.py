"""The owner's dashboard (one HTML page) and its JSON API, each showing only the businesses the
signed-in user or token may see."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from receptionist.core import (
    BusinessNotFound,
    Database,
    SmsProvider,
    all_businesses,
    get_business,
    mask,
)
from receptionist.core.principal import CurrentPrincipal, PagePrincipal, Principal
from receptionist.deps import DbDep, SettingsDep, TextbackDep

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


@router.get("/", response_class=HTMLResponse)
async def dashboard(request: Request, db: DbDep, service: TextbackDep, settings: SettingsDep,
                    principal: PagePrincipal) -> str:
    async with db.transaction() as session:
        businesses = [b for b in await all_businesses(session) if principal.may_see(b.id)]
    scope = principal.scope(None)
    msgs = await service.recent_messages(scope, 20)
    rep = await service.report(scope, datetime.now(UTC) - timedelta(days=30), datetime.now(UTC))
    csrf = html.escape(str(getattr(request.state, "csrf_token", "") or ""))
    demo = settings.demo and settings.sms_provider is SmsProvider.CONSOLE
    esc = html.escape
    now = datetime.now(UTC)
    rows = "".join(
        f"<tr><td>{esc(m.created_at.strftime('%H:%M:%S'))}</td><td>{esc(m.kind)}</td>"
        f"<td>{esc(mask(m.to_number))}</td><td>{esc(m.shown_status(now))}</td>"
        f"<td>{esc(m.body)}</td></tr>"
        for m in msgs
    )
    biz = "".join(
        f"<li><b>{esc(b.name)}</b> {esc(', '.join(n.number for n in b.numbers))} "
        f"· {esc(b.routing)}"
        + (f"""<form method="post" action="/demo/missed-call" style="display:inline">
            <input type="hidden" name="csrf_token" value="{csrf}">
            <input type="hidden" name="to" value="{esc(b.primary_number or '')}">
            <input name="from_" value="+12025550143" size="14">
            <button>Simulate a missed call</button></form>""" if b.primary_number and demo
           else "")
        + "</li>"
        for b in businesses
    )
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>Receptionist</title>
<meta http-equiv="refresh" content="5">
<style>body{{font:15px system-ui;margin:2em;max-width:70em}}td{{padding:2px 8px;
vertical-align:top}}table{{border-collapse:collapse}}tr:nth-child(even){{background:#f4f4f4}}
</style></head><body>
<h1>Receptionist</h1>
<form method="post" action="/logout"><input type="hidden" name="csrf_token" value="{csrf}">
<span>{esc(principal.subject)}</span> <button>Sign out</button></form>
<h2>Businesses</h2><ul>{biz or '<li>None yet: <code>receptionist business add</code></li>'}</ul>
<h2>Last 30 days</h2>
<p>Missed calls: {rep.missed_calls} · text-backs sent: {rep.textbacks_sent} · skipped:
{sum(rep.textbacks_skipped.values())} · failed: {rep.textbacks_failed} · held for quiet hours:
{rep.held} · reply rate:
{_pct(rep.reply_rate)} · conversion: {_pct(rep.conversion_rate)} · opt-outs: {rep.opt_outs}</p>
<h2>Recent texts</h2>
<table><tr><th>time (UTC)</th><th>kind</th><th>to</th><th>status</th><th>text</th></tr>
{rows}</table></body></html>"""


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"
