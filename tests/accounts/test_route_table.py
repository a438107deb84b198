"""Every route declares who may call it, and the declarations hold: the table is read from the
app's own router, so a route added without a declaration fails here."""

from __future__ import annotations

import re

import httpx
import pytest

from receptionist.accounts import RouteAccess
from receptionist.core.principal import Access
from tests.support.auth import bearer, session_of, sign_in
from tests.support.tenants import OWNER, Tenants, app_routes

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# The only routes anyone may call: sign-in, sign-out (it only ends the caller's own session),
# liveness, and static assets.
PUBLIC = {("GET", "/login"), ("POST", "/login"), ("POST", "/logout"), ("GET", "/healthz"),
          ("GET", "/static"), ("HEAD", "/static")}


def table() -> list[RouteAccess]:
    return app_routes()


def concrete(path: str) -> str:
    """A request path for a route path: each parameter becomes a harmless value."""
    return re.sub(r"\{[^}]+\}", "1", path)


def test_every_route_declares_who_may_call_it() -> None:
    routes = table()
    assert len(routes) > 30  # the whole app, included routers and all
    undeclared = [f"{sorted(r.methods)} {r.path}" for r in routes if r.access is None]
    assert undeclared == [], ("routes without an access declaration (use CurrentPrincipal, "
                              "PagePrincipal, AdminPrincipal, TwilioForm/TwilioSigned or "
                              f"Public): {undeclared}")


def test_only_sign_in_health_and_static_are_public_and_twilio_routes_are_signed() -> None:
    for route in table():
        if route.access is Access.PUBLIC:
            assert {(m, route.path) for m in route.methods} <= PUBLIC, route.path
        if route.access is Access.TWILIO_SIGNED:
            assert route.path.startswith("/twilio/"), route.path
        if route.path.startswith("/twilio/"):
            assert route.access is Access.TWILIO_SIGNED, route.path
        if route.path.startswith("/api/"):
            assert route.access in (Access.SIGNED_IN, Access.ADMIN), route.path


def guarded() -> list[tuple[str, str, RouteAccess]]:
    return [(method, concrete(r.path), r) for r in table()
            for method in sorted(r.methods - {"HEAD", "WEBSOCKET"})
            if r.access in (Access.SIGNED_IN, Access.PAGE, Access.ADMIN)]


@pytest.mark.slow  # every route of the app
async def test_anonymous_and_wrong_token_are_refused_on_every_guarded_route(
        tenants: Tenants) -> None:
    routes = guarded()
    assert routes
    async with httpx.AsyncClient(base_url=tenants.server.url, timeout=10) as client:
        for method, path, route in routes:
            r = await client.request(method, path)
            if route.access is Access.PAGE and method == "GET":
                assert r.status_code == 303, (method, path, r.status_code)
                assert r.headers["location"] == f"/login?next={path}"
            else:
                assert r.status_code == 401, (method, path, r.status_code, r.text)
            for wrong in ("rcp_" + "x" * 43, "not-a-token", tenants.token + "x"):
                r = await client.request(method, path, headers=bearer(wrong))
                assert r.status_code == 401, (method, path, wrong, r.status_code)
            r = await client.request(method, path, headers={"Authorization": "Basic eDp5"})
            assert r.status_code == 401, (method, path)
        # A forged or altered session cookie is no session.
        client.cookies.set("receptionist_session", "eyJ4IjoxfQ.forged.sig")
        r = await client.get("/api/businesses")
        assert r.status_code == 401


@pytest.mark.slow  # every route of the app
async def test_cookie_requests_that_change_state_need_the_csrf_token(tenants: Tenants) -> None:
    unsafe = [(m, p) for m, p, _ in guarded() if m in UNSAFE] + [("POST", "/logout")]
    assert len(unsafe) > 10
    async with httpx.AsyncClient(base_url=tenants.server.url, timeout=10) as client:
        assert (await sign_in(client, OWNER)).status_code == 303
        session = await session_of(client, tenants.db, tenants.settings)
        for method, path in unsafe:
            r = await client.request(method, path)
            assert r.status_code == 403, (method, path, r.status_code)
            r = await client.request(method, path, headers={"X-CSRF-Token": "wrong"})
            assert r.status_code == 403, (method, path, r.status_code)
            r = await client.request(method, path, data={"csrf_token": "wrong"})
            assert r.status_code == 403, (method, path, r.status_code)
        # With the session's token the request reaches the route (here: its own validation).
        r = await client.post("/api/calendar/rules", json={},
                              headers={"X-CSRF-Token": session.csrf_token})
        assert r.status_code == 422
        r = await client.post("/demo/missed-call", data={"csrf_token": session.csrf_token,
                                                         "to": "x", "from_": "y"})
        assert r.status_code == 422  # the form field works too, and the body still arrives
        # Reading needs no token; a bearer token needs none either.
        assert (await client.get("/api/businesses")).status_code == 200
    async with httpx.AsyncClient(base_url=tenants.server.url, timeout=10) as client:
        r = await client.post("/api/calendar/rules", json={}, headers=bearer(tenants.token))
        assert r.status_code == 422


async def test_openapi_and_docs_are_for_signed_in_users(tenants: Tenants) -> None:
    async with httpx.AsyncClient(base_url=tenants.server.url, timeout=10) as client:
        assert (await client.get("/openapi.json")).status_code == 401
        r = await client.get("/docs")
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/docs")
        r = await client.get("/openapi.json", headers=bearer(tenants.token))
        assert r.status_code == 200 and "/api/calendar/book" in r.json()["paths"]
        assert "/login" not in r.json()["paths"]
        await sign_in(client, OWNER)
        assert "swagger" in (await client.get("/docs")).text.lower()
        assert (await client.get("/redoc")).status_code == 200


async def test_open_paths_answer_without_credentials(tenants: Tenants) -> None:
    async with httpx.AsyncClient(base_url=tenants.server.url, timeout=10) as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        assert (await client.get("/login")).status_code == 200
        r = await client.post("/twilio/voice", data={"CallSid": "CA1"})
        assert r.status_code == 403  # open, but only with Twilio's signature
        r = await client.get("/no/such/page")
        assert r.status_code == 303  # unknown paths do not reveal what exists
