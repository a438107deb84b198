"""Fixtures of the access tests: two tenants on one console-SMS server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from receptionist.core import Database, Settings
from tests.support.settings import make_settings
from tests.support.tenants import Tenants, two_tenants


@pytest.fixture
def access_settings(db_url: str, tmp_path: Path) -> Settings:
    return make_settings(db_url, None, tmp_path, demo=True, crawl_allow_private=True)


@pytest.fixture
async def tenants(db: Database, access_settings: Settings) -> AsyncIterator[Tenants]:
    async with two_tenants(db, access_settings) as set_up:
        yield set_up
