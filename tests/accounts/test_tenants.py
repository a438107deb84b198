"""A tenant never sees another's data: every route that names a business answers 404 for
another tenant's (never its data), lists show only the caller's business, and a token acts for
its own business only. The table below must name every route that takes a business."""

from __future__ import annotations

from typing import Any

import httpx

from receptionist.core import get_business
from receptionist.core.principal import Access, Role
from scripts.doubles.factories import BUSINESS_NUMBER
from tests.support.auth import bearer, signed_in_client
from tests.support.tenants import OTHER_NUMBER, Tenants, app_routes

OTHER = "2"  # the other tenant's business id (also reachable by its number)
SLOT = "2026-12-08T15:30:00-05:00"

# (method, route path, request path, query, json body, form, expected status)
TENANT_REQUESTS: list[tuple[str, str, str, dict[str, str], Any, dict[str, str] | None, int]] = [
    ("GET", "/api/report", "/api/report", {"business": OTHER}, None, None, 404),
    ("GET", "/api/messages", "/api/messages", {"business": OTHER_NUMBER}, None, None, 404),
    ("GET", "/api/calls", "/api/calls", {"business": OTHER}, None, None, 404),
    # Onboarding another business's number is refused, and changes nothing.
    ("POST", "/api/businesses/onboard", "/api/businesses/onboard", {},
     {"url": "http://127.0.0.1:9/", "number": OTHER_NUMBER}, None, 409),
    ("POST", "/api/businesses/{ref}/onboard", f"/api/businesses/{OTHER}/onboard", {},
     {"url": "http://127.0.0.1:9/"}, None, 404),
    ("POST", "/api/businesses/{ref}/recrawl", f"/api/businesses/{OTHER_NUMBER}/recrawl", {},
     None, None, 404),
    ("GET", "/api/businesses/{ref}/profile", f"/api/businesses/{OTHER}/profile", {}, None,
     None, 404),
    ("PATCH", "/api/businesses/{ref}/profile", f"/api/businesses/{OTHER}/profile", {},
     {"booking_link": "https://evil.example/r"}, None, 404),
    ("GET", "/api/businesses/{ref}/knowledge", f"/api/businesses/{OTHER}/knowledge", {}, None,
     None, 404),
    ("GET", "/api/businesses/{ref}/knowledge/search",
     f"/api/businesses/{OTHER}/knowledge/search", {"q": "hours"}, None, None, 404),
    ("GET", "/api/calendar/services", "/api/calendar/services", {"business": OTHER}, None,
     None, 404),
    ("POST", "/api/calendar/services", "/api/calendar/services", {},
     {"business": OTHER, "name": "your refund: https://evil.example/r", "minutes": 30}, None,
     404),
    ("DELETE", "/api/calendar/services", "/api/calendar/services",
     {"business": OTHER, "name": "Cleaning"}, None, None, 404),
    ("POST", "/api/calendar/connect", "/api/calendar/connect", {},
     {"business": OTHER, "url": "https://evil.example/dav", "username": "u", "password": "p"},
     None, 404),
    ("POST", "/api/calendar/disconnect", "/api/calendar/disconnect", {"business": OTHER}, None,
     None, 404),
    ("GET", "/api/calendar/rules", "/api/calendar/rules", {"business": OTHER}, None, None, 404),
    ("POST", "/api/calendar/rules", "/api/calendar/rules", {},
     {"business": OTHER, "notice_minutes": 0}, None, 404),
    ("GET", "/api/calendar/test", "/api/calendar/test", {"business": OTHER}, None, None, 404),
    ("GET", "/api/calendar/calendars", "/api/calendar/calendars", {"business": OTHER}, None,
     None, 404),
    ("GET", "/api/calendar/slots", "/api/calendar/slots",
     {"business": OTHER, "service": "Cleaning"}, None, None, 404),
    ("POST", "/api/calendar/book", "/api/calendar/book", {},
     {"business": OTHER_NUMBER, "service": "Cleaning", "start": SLOT, "name": "Mallory",
      "phone": "+447700900123"}, None, 404),
    ("POST", "/api/calendar/cancel", "/api/calendar/cancel", {},
     {"business": OTHER, "phone": "+12025550143"}, None, 404),
    ("POST", "/api/calendar/reschedule", "/api/calendar/reschedule", {},
     {"business": OTHER, "phone": "+12025550143", "start": SLOT}, None, 404),
    ("GET", "/api/calendar/bookings", "/api/calendar/bookings", {"business": OTHER}, None,
     None, 404),
    ("POST", "/demo/missed-call", "/demo/missed-call", {}, None,
     {"to": OTHER_NUMBER, "from_": "+12025550143"}, 404),
    ("POST", "/api/chat", "/api/chat", {}, {"business_id": 2, "text": "When are you open?"},
     None, 404),
]


def _names_a_business(route: Any) -> bool:
    dependant = route.route.dependant
    names = {p.name for p in dependant.query_params + dependant.path_params}
    for body in dependant.body_params:
        names |= set(getattr(body.field_info.annotation, "model_fields", {}))
    return bool(names & {"business", "business_id", "ref"})


def test_the_tenant_table_covers_every_route_that_takes_a_business() -> None:
    covered = {(method, path) for method, path, *_ in TENANT_REQUESTS}
    missing = [(m, r.path) for r in app_routes() if r.access is Access.SIGNED_IN
               and _names_a_business(r) for m in r.methods if (m, r.path) not in covered]
    assert missing == [], f"add these routes to TENANT_REQUESTS: {missing}"


async def test_another_tenants_objects_are_not_found(tenants: Tenants) -> None:
    async with httpx.AsyncClient(base_url=tenants.server.url, timeout=20,
                                 headers=bearer(tenants.token)) as client:
        for method, _route, path, query, body, form, expected in TENANT_REQUESTS:
            r = await client.request(method, path, params=query, json=body, data=form)
            assert r.status_code == expected, (method, path, r.status_code, r.text)
            assert "Harbor" not in r.text and "+12025550212" not in r.text, (method, path)
        # The same requests for the caller's own business get past the access check.
        r = await client.get("/api/calendar/rules", params={"business": BUSINESS_NUMBER})
        assert r.status_code == 200, r.text
        r = await client.get(f"/api/businesses/{tenants.mine}/profile")
        assert r.status_code == 200
    async with tenants.db.transaction() as session:
        other = await get_business(session, OTHER)
    assert other.booking_link == "https://greenfield.example/book"  # untouched


async def test_lists_show_only_the_callers_business(tenants: Tenants) -> None:
    async with httpx.AsyncClient(base_url=tenants.server.url, timeout=20) as client:
        for token, name in ((tenants.token, "Greenfield Plumbing"),
                            (tenants.other_token, "Harbor Dental")):
            rows = (await client.get("/api/businesses", headers=bearer(token))).json()
            assert [b["name"] for b in rows] == [name]
            for path in ("/api/calls", "/api/messages", "/api/report"):
                r = await client.get(path, headers=bearer(token))
                assert r.status_code == 200, (path, r.text)


async def test_operators_see_every_business(tenants: Tenants) -> None:
    async with signed_in_client(tenants.server.url, tenants.db, tenants.settings) as client:
        rows = (await client.get("/api/businesses")).json()
        assert {b["name"] for b in rows} == {"Greenfield Plumbing", "Harbor Dental"}
        r = await client.get(f"/api/businesses/{OTHER}/profile")
        assert r.status_code == 200
        r = await client.get("/api/report", params={"business": OTHER})
        assert r.status_code == 200


async def test_staff_use_their_business_but_only_its_owner_changes_its_set_up(
        tenants: Tenants) -> None:
    mine = str(tenants.mine)
    async with signed_in_client(tenants.server.url, tenants.db, tenants.settings,
                                email="sam@greenfield.example", role=Role.STAFF,
                                business=tenants.mine) as staff:
        for method, path, query, body in [
            ("PATCH", f"/api/businesses/{mine}/profile", {}, {"booking_link": "https://x.example"}),
            ("POST", f"/api/businesses/{mine}/recrawl", {}, None),
            ("POST", "/api/businesses/onboard", {},
             {"url": "http://127.0.0.1:9/", "number": BUSINESS_NUMBER}),
            ("POST", "/api/calendar/services", {}, {"business": mine, "name": "X", "minutes": 30}),
            ("DELETE", "/api/calendar/services", {"business": mine, "name": "X"}, None),
            ("POST", "/api/calendar/connect", {},
             {"business": mine, "url": "https://dav.example", "username": "u", "password": "p"}),
            ("POST", "/api/calendar/disconnect", {"business": mine}, None),
            ("POST", "/api/calendar/rules", {}, {"business": mine, "notice_minutes": 0}),
        ]:
            r = await staff.request(method, path, params=query, json=body)
            assert r.status_code == 403, (method, path, r.status_code, r.text)
        assert (await staff.get(f"/api/businesses/{mine}/profile")).status_code == 200
        assert (await staff.get("/api/calendar/rules", params={"business": mine})).status_code \
            == 200
        r = await staff.get("/api/calendar/rules", params={"business": OTHER})
        assert r.status_code == 404  # another tenant stays not found, not forbidden


async def test_onboarding_by_number_refuses_other_businesses_and_new_ones_for_owners(
        tenants: Tenants) -> None:
    async with httpx.AsyncClient(base_url=tenants.server.url, timeout=20,
                                 headers=bearer(tenants.token)) as client:
        dead_site = "http://127.0.0.1:9/"  # nothing listens: past the access check, it is 422
        r = await client.post("/api/businesses/onboard",
                              json={"url": dead_site, "number": BUSINESS_NUMBER})
        assert r.status_code == 422, r.text  # its own number: allowed, the crawl fails
        r = await client.post("/api/businesses/onboard",
                              json={"url": dead_site, "number": OTHER_NUMBER})
        assert r.status_code == 409 and "another business" in r.text
        r = await client.post("/api/businesses/onboard",
                              json={"url": dead_site, "number": "+12025550299"})
        assert r.status_code == 403 and "operator" in r.text
