"""``POST /api/chat``: signed-in users, their own business only, bounded input."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from receptionist.app import create_app
from receptionist.core import Database, FixedClock, Settings
from receptionist.core.principal import Principal, PrincipalKind, Role
from receptionist.services import Overrides
from tests.agent.world import MONDAY_9AM
from tests.support.factories import add_business
from textback import ConsoleSmsSender


class AsPrincipal:
    """Test-only ASGI middleware: every request acts as ``principal`` (None: anonymous), as the
    access layer would set it from a session or token."""

    def __init__(self, app: Any, principal: Principal | None) -> None:
        self.app = app
        self.principal = principal

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and self.principal is not None:
            scope.setdefault("state", {})["principal"] = self.principal
        await self.app(scope, receive, send)


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


def client(app: Any, business_id: int | None) -> httpx.AsyncClient:
    principal = None if business_id is None else Principal(
        PrincipalKind.USER, Role.OWNER, "owner@example.com", business_id)
    return httpx.AsyncClient(transport=httpx.ASGITransport(AsPrincipal(app, principal)),
                             base_url="http://test")


async def test_a_signed_in_owner_talks_to_their_receptionist(app: Any, ids: tuple[int, int]
                                                             ) -> None:
    mine, _ = ids
    async with client(app, mine) as http:
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


async def test_anonymous_other_tenants_and_bad_input_are_refused(app: Any, ids: tuple[int, int]
                                                                 ) -> None:
    mine, theirs = ids
    async with client(app, None) as http:
        assert (await http.post("/api/chat", json={"business_id": mine})).status_code == 401
    async with client(app, theirs) as http:
        opened = await http.post("/api/chat", json={"business_id": theirs})
        assert opened.status_code == 200
        theirs_id = opened.json()["conversation_id"]
        assert (await http.post("/api/chat", json={"business_id": mine})).status_code == 404
    async with client(app, mine) as http:
        # another tenant's conversation, named under one's own business: not found
        r = await http.post("/api/chat", json={"business_id": mine, "text": "hi",
                                               "conversation_id": theirs_id})
        assert r.status_code == 404
        r = await http.post("/api/chat", json={"business_id": mine, "text": "x" * 1001})
        assert r.status_code == 422
        r = await http.post("/api/chat", json={"business_id": mine, "caller_phone": "banana"})
        assert r.status_code == 422 and "phone number" in r.text
