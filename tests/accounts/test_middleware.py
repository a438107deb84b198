"""The access layer on its own, in front of a small app (in-process, no server): what it puts
on ``request.state``, and WebSockets opened with a session cookie."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import SimpleNamespace

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket, WebSocketDisconnect

from receptionist.accounts import SESSION_COOKIE, AccessMiddleware
from receptionist.core import Database, Settings
from receptionist.core.principal import Role
from scripts.doubles.factories import add_business
from tests.support.auth import accounts_for, add_token, add_user
from tests.support.settings import make_settings


async def whoami(request: Request) -> JSONResponse:
    principal = request.state.principal
    return JSONResponse({"subject": principal.subject, "business_id": principal.business_id,
                         "kind": principal.kind.value,
                         "csrf": getattr(request.state, "csrf_token", None)})


async def note(request: Request) -> JSONResponse:
    form = await request.form()
    return JSONResponse({"note": form.get("note")})


async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text(websocket.state.principal.subject)
    await websocket.close()


def app_for(settings: Settings) -> Starlette:
    """The test client runs the app on its own event loop: it gets its own database engine."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        db = Database(settings.database_url)
        app.state.services = SimpleNamespace(accounts=accounts_for(db, settings))
        yield
        await db.dispose()

    app = Starlette(routes=[Route("/api/me", whoami), Route("/note", note, methods=["POST"]),
                            WebSocketRoute("/ws", echo)],
                    lifespan=lifespan)
    app.add_middleware(AccessMiddleware)
    return app


@pytest.fixture
def settings(db_url, tmp_path) -> Settings:
    return make_settings(db_url, None, tmp_path)


async def test_the_principal_and_csrf_token_are_on_request_state(db, settings) -> None:
    business = await add_business(db)
    token = await add_token(db, settings, business, "crm")
    await add_user(db, settings, "dana@example.com", business=business, role=Role.STAFF)
    signed = await accounts_for(db, settings).sign_in("dana@example.com",
                                                      "correct horse battery staple",
                                                      address="198.51.100.7")
    cookie = accounts_for(db, settings).cookies.session_value(signed.key)
    with TestClient(app_for(settings)) as client:
        me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).json()
        assert me == {"subject": "crm", "business_id": business, "kind": "token", "csrf": None}
        client.cookies.set(SESSION_COOKIE, cookie)
        me = client.get("/api/me").json()
        assert me == {"subject": "dana@example.com", "business_id": business, "kind": "user",
                      "csrf": signed.csrf_token}
        # Another app's malformed cookie on the same host does not hide the session.
        client.cookies.clear()
        r = client.get("/api/me", headers={"Cookie": f'other="x; {SESSION_COOKIE}={cookie}'})
        assert r.json()["subject"] == "dana@example.com"


async def test_a_cookie_websocket_must_come_from_this_site(db, settings) -> None:
    await add_user(db, settings, "ops@example.com", role=Role.ADMIN)
    signed = await accounts_for(db, settings).sign_in("ops@example.com",
                                                      "correct horse battery staple",
                                                      address="198.51.100.7")
    cookie = accounts_for(db, settings).cookies.session_value(signed.key)
    with TestClient(app_for(settings), base_url="http://testserver") as client:
        with pytest.raises(WebSocketDisconnect):
            with client.websocket_connect("/ws"):  # anonymous
                pass
        client.cookies.set(SESSION_COOKIE, cookie)
        with client.websocket_connect("/ws", headers={"Origin": "http://testserver"}) as ws:
            assert ws.receive_text() == "ops@example.com"
        with pytest.raises(WebSocketDisconnect):
            with client.websocket_connect("/ws", headers={"Origin": "https://evil.example"}):
                pass


async def test_the_form_reaches_the_route_after_its_csrf_token_was_read(db, settings) -> None:
    await add_user(db, settings, "ops@example.com", role=Role.ADMIN)
    signed = await accounts_for(db, settings).sign_in("ops@example.com",
                                                      "correct horse battery staple",
                                                      address="198.51.100.7")
    cookie = accounts_for(db, settings).cookies.session_value(signed.key)
    with TestClient(app_for(settings)) as client:
        client.cookies.set(SESSION_COOKIE, cookie)
        form = {"csrf_token": signed.csrf_token, "note": "call back at 3"}
        assert client.post("/note", data=form).json() == {"note": "call back at 3"}
        photo = {"photo": ("leak.jpg", b"\xff\xd8", "image/jpeg")}
        r = client.post("/note", data=form, files=photo)
        assert r.json() == {"note": "call back at 3"}  # multipart too
        assert client.post("/note", data={"note": "x"}).status_code == 403
        assert client.post("/note", content=b"csrf_token=%zz&" * 2000,
                           headers={"content-type": "application/x-www-form-urlencoded"}
                           ).status_code == 403
        assert client.post("/note", content=b"x" * (1024 * 1024 + 1),
                           headers={"content-type": "application/x-www-form-urlencoded"}
                           ).status_code == 413
