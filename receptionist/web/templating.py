"""Rendering the owner pages: the Jinja2 environment, its filters, and the business a page shows.

Every page handler takes ``scope: PageScopeDep``: the signed-in principal (anonymous visitors are
sent to /login by ``PagePrincipal``), the business to show (an operator may pick one with
``?business=ID``; anyone else asking for another business gets 404), and the nav's unread count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Depends, HTTPException, Query, Request
from fastapi import Path as FastApiPath
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from receptionist.core import Business, BusinessNotFound, all_businesses, get_business
from receptionist.core import pretty_phone as _pretty_phone
from receptionist.core.principal import PagePrincipal, Principal
from receptionist.deps import DbDep, TextbackDep

__all__ = ["MAX_ID", "STATIC_DIR", "Id", "PageScope", "PageScopeDep", "render", "templates"]

_HERE = Path(__file__).parent
STATIC_DIR = _HERE / "static"
templates = Jinja2Templates(directory=_HERE / "templates")


def _pretty(number: str | None) -> str:
    if not number:
        return "unknown caller"
    try:
        return _pretty_phone(number)
    except ValueError:
        return number


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    s = int(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    if s < 86400:
        return f"{s // 3600} h {s % 3600 // 60:02d} min"
    return f"{s // 86400} d {s % 86400 // 3600} h"


templates.env.filters["phone"] = _pretty
templates.env.filters["pct"] = _pct
templates.env.filters["duration"] = _duration


@dataclass(frozen=True)
class PageScope:
    principal: Principal
    business: Business | None  # None: an operator's install with no business yet
    businesses: list[Business]  # for an operator's business picker; empty for everyone else
    unread: int

    @property
    def business_id(self) -> int | None:
        return self.business.id if self.business is not None else None

    @property
    def tz(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.business.timezone if self.business else "UTC")
        except (KeyError, ValueError):
            return ZoneInfo("UTC")

    def local(self, moment: datetime | None, fmt: str = "%a %d %b %H:%M") -> str:
        if moment is None:
            return "–"
        return moment.astimezone(self.tz).strftime(fmt)

    def href(self, path: str, **params: Any) -> str:
        """A link within the pages that keeps an operator's business choice."""
        query = {k: v for k, v in params.items() if v not in (None, "")}
        if self.principal.is_admin and self.business is not None:
            query["business"] = self.business.id
        return path + ("?" + urlencode(query) if query else "")

    def require_business(self) -> Business:
        if self.business is None:
            raise HTTPException(404, "no business yet: add one with `receptionist business add`")
        return self.business


# An id in a page address or query: a database integer (larger ones are refused with 422).
MAX_ID = 2**31 - 1


async def page_scope(principal: PagePrincipal, db: DbDep, textback: TextbackDep,
                     business: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None
                     ) -> PageScope:
    wanted = principal.scope(business)  # 404 when a non-operator asks for another business
    async with db.transaction() as session:
        businesses = await all_businesses(session) if principal.is_admin else []
        found: Business | None
        if wanted is None:
            found = businesses[0] if businesses else None
        else:
            try:
                found = await get_business(session, wanted)
            except BusinessNotFound as exc:
                raise HTTPException(404, "not found") from exc
    unread = await textback.unread(found.id) if found is not None else 0
    return PageScope(principal, found, businesses, unread)


PageScopeDep = Annotated[PageScope, Depends(page_scope)]
Id = Annotated[int, FastApiPath(ge=1, le=MAX_ID)]  # a row id in a page's path


def render(request: Request, scope: PageScope, template: str, *, active: str,
           status_code: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, template, {
        "scope": scope, "active": active, "now": datetime.now(UTC), **context,
    }, status_code=status_code)
