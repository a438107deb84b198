"""Two businesses, each with an owner and an API token, on one console-SMS test server: the
set-up of the access tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from receptionist.accounts import RouteAccess, route_table
from receptionist.app import create_app
from receptionist.core import Database, Settings
from receptionist.services import Overrides
from scripts.doubles.factories import BUSINESS_NUMBER, add_business
from tests.support.auth import add_token, add_user
from tests.support.server import AppServer

OTHER_NUMBER = "+12025550200"
OWNER = "owner@greenfield.example"
OTHER_OWNER = "owner@harbor.example"


@dataclass
class Tenants:
    server: AppServer
    settings: Settings
    db: Database
    mine: int  # business id of OWNER and of ``token``
    other: int
    token: str  # an API token of ``mine``
    other_token: str


@asynccontextmanager
async def two_tenants(db: Database, settings: Settings) -> AsyncIterator[Tenants]:
    mine = await add_business(db, name="Greenfield Plumbing", number=BUSINESS_NUMBER)
    other = await add_business(db, name="Harbor Dental", number=OTHER_NUMBER,
                               team=[("Ola", "+12025550212", "replies")])
    await add_user(db, settings, OWNER, business=mine)
    await add_user(db, settings, OTHER_OWNER, business=other)
    token = await add_token(db, settings, mine, "mine")
    other_token = await add_token(db, settings, other, "other")
    server = AppServer(settings, Overrides(run_workers=False, voice=False)).start()
    try:
        yield Tenants(server, settings, db, mine, other, token, other_token)
    finally:
        server.stop()


def app_routes() -> list[RouteAccess]:
    """Every route of the app as ``create_app`` builds it, with its declared access."""
    import tempfile

    unused = Path(tempfile.gettempdir()) / "receptionist-route-table.db"  # never opened
    return route_table(create_app(Settings(database_url=f"sqlite+aiosqlite:///{unused}",
                                           secret_key="x", demo=False)))
