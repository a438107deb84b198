"""The owner pages, one module per page, mounted as one router (static files: ``STATIC_DIR``)."""

from __future__ import annotations

from fastapi import APIRouter

from receptionist.web import (
    bookings,
    calls,
    inbox,
    knowledge_page,
    overview,
    settings_page,
    try_page,
)
from receptionist.web.templating import STATIC_DIR

__all__ = ["STATIC_DIR", "router"]

router = APIRouter()
for module in (overview, calls, inbox, settings_page, bookings, knowledge_page, try_page):
    router.include_router(module.router)
