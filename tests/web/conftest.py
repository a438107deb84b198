"""Fixtures for the owner pages: the app in-process with a chosen principal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from receptionist.core import Database
from scripts.doubles.twilio_rest import TwilioRestDouble
from tests.support.pages import PageClient, page_client
from tests.support.settings import make_settings


@pytest.fixture
async def pages(db: Database, db_url: str, tmp_path: Path) -> AsyncIterator[PageClient]:
    async with page_client(make_settings(db_url, None, tmp_path)) as client:
        yield client


@pytest.fixture
async def twilio_pages(db: Database, db_url: str, tmp_path: Path,
                       twilio: TwilioRestDouble) -> AsyncIterator[PageClient]:
    """The pages with SMS going to the Twilio REST double (the outbox drained by the test)."""
    async with page_client(make_settings(db_url, twilio, tmp_path)) as client:
        yield client
