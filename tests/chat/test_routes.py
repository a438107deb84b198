"""``POST /api/chat``: signed-in users and API tokens, their own business only, bounded input."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from receptionist.app import create_app
from receptionist.core import Database, FixedClock, Settings
from receptionist.services import Overrides
from scripts.doubles.factories import add_business
from tests.agent.world import MONDAY_9AM
from tests.support.auth import add_token, bearer
from textback import ConsoleSmsSender


@pytest.fixture
def settings(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("RECEPTIONIST_CALENDAR_EMBEDDED_PORT", "0")
    return Settings(database_url=db.url, data_dir=tmp_path / "data", secret_key="k", demo=False)


@pytest.fixture
async def ids(db: Database) -> tuple[int, int]:
    mine = await add_business(db, routing="ai", hours="Mon-Fri 08:00-17:00")
    theirs = await add_business(db, name="Other Co", number="+12025550199")
    return mine, theirs


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Any]:
    app = create_app(settings, Overrides(clock=FixedClock(MONDAY_9AM), voice=False,
                                         sms_sender=ConsoleSmsSender(), run_workers=False))
    async with app.router.lifespan_context(app):
        yield app


def client(app: Any, token: str | None) -> httpx.AsyncClient:
    """A caller of the API with the business's token (the access layer's bearer), or none."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test",
                             headers=bearer(token) if token else {})


async def test_a_signed_in_owner_talks_to_their_receptionist(
        app: Any, ids: tuple[int, int], db: Database, settings: Settings) -> None:
    mine, _ = ids
    async with client(app, await add_token(db, settings, mine)) as http:
        r = await http.post("/api/chat", json={"business_id": mine,
                                               "text": "What are your hours?"})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["reply"].startswith("Our hours are Monday to Friday, 8 am to 5 pm")
        assert [t["role"] for t in body["turns"]] == ["agent", "caller", "agent"]
        r = await http.post("/api/chat", json={"business_id": mine, "text": "thanks, bye",
                                               "conversation_id": body["conversation_id"]})
        assert r.status_code == 200 and r.json()["ended"] is True
        assert len(r.json()["turns"]) == 5
        again = await http.post("/api/chat", json={"business_id": mine, "text": "hello?",
                                                   "conversation_id": body["conversation_id"]})
        assert again.status_code == 409


async def test_anonymous_other_tenants_and_bad_input_are_refused(
        app: Any, ids: tuple[int, int], db: Database, settings: Settings) -> None:
    mine, theirs = ids
    async with client(app, None) as http:
        assert (await http.post("/api/chat", json={"business_id": mine})).status_code == 401
    async with client(app, await add_token(db, settings, theirs)) as http:
        opened = await http.post("/api/chat", json={"business_id": theirs})
        assert opened.status_code == 200
        theirs_id = opened.json()["conversation_id"]
        assert (await http.post("/api/chat", json={"business_id": mine})).status_code == 404
    async with client(app, await add_token(db, settings, mine)) as http:
        # another tenant's conversation, named under one's own business: not found
        r = await http.post("/api/chat", json={"business_id": mine, "text": "hi",
                                               "conversation_id": theirs_id})
        assert r.status_code == 404
        r = await http.post("/api/chat", json={"business_id": mine, "text": "x" * 1001})
        assert r.status_code == 422
        r = await http.post("/api/chat", json={"business_id": mine, "caller_phone": "banana"})
        assert r.status_code == 422 and "phone number" in r.text
