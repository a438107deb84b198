"""Two businesses on one console-SMS server, for the access tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from receptionist.core import Database, Settings
from receptionist.services import Overrides
from tests.support.auth import add_token, add_user
from tests.support.factories import BUSINESS_NUMBER, add_business
from tests.support.server import AppServer
from tests.support.settings import make_settings

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


@pytest.fixture
def access_settings(db_url: str, tmp_path: Path) -> Settings:
    return make_settings(db_url, None, tmp_path, demo=True, crawl_allow_private=True)


@pytest.fixture
async def tenants(db: Database, access_settings: Settings) -> AsyncIterator[Tenants]:
    mine = await add_business(db, name="Greenfield Plumbing", number=BUSINESS_NUMBER)
    other = await add_business(db, name="Harbor Dental", number=OTHER_NUMBER,
                               team=[("Ola", "+12025550212", "replies")])
    await add_user(db, access_settings, OWNER, business=mine)
    await add_user(db, access_settings, OTHER_OWNER, business=other)
    token = await add_token(db, access_settings, mine, "mine")
    other_token = await add_token(db, access_settings, other, "other")
    server = AppServer(access_settings, Overrides(run_workers=False, voice=False)).start()
    try:
        yield Tenants(server, access_settings, db, mine, other, token, other_token)
    finally:
        server.stop()
