"""The owner pages in-process: the app over ASGI (httpx), signed in through the real /login form
as users made by the accounts service (what ``receptionist user add`` runs).

    async with page_client(settings) as pages:
        await pages.as_owner(business_id)     # a session cookie; forms get its CSRF token
        r = await pages.get("/inbox")
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from receptionist.app import create_app
from receptionist.core import Settings
from receptionist.core.principal import Role
from receptionist.services import Overrides, Services
from tests.support.auth import PASSWORD, add_user, session_of, sign_in


class PageClient:
    """An httpx client on the app; ``as_owner`` / ``as_staff`` / ``as_operator`` sign in."""

    def __init__(self, app: FastAPI, client: httpx.AsyncClient, settings: Settings) -> None:
        self.app = app
        self.http = client
        self.settings = settings
        self._users: set[str] = set()

    @property
    def services(self) -> Services:
        services: Services = self.app.state.services
        return services

    async def _sign_in(self, email: str, *, business: int | None, role: Role) -> None:
        db = self.services.db
        if email not in self._users:
            await add_user(db, self.settings, email, business=business, role=role)
            self._users.add(email)
        self.sign_out()
        r = await sign_in(self.http, email, PASSWORD)
        assert r.status_code == 303, r.text
        # As the pages' forms and scripts do: the session's CSRF token with every request.
        self.http.headers["X-CSRF-Token"] = (await session_of(self.http, db,
                                                              self.settings)).csrf_token

    async def as_owner(self, business_id: int) -> None:
        await self._sign_in(f"owner{business_id}@example.com", business=business_id,
                            role=Role.OWNER)

    async def as_staff(self, business_id: int) -> None:
        await self._sign_in(f"staff{business_id}@example.com", business=business_id,
                            role=Role.STAFF)

    async def as_operator(self) -> None:
        await self._sign_in("ops@example.com", business=None, role=Role.ADMIN)

    def sign_out(self) -> None:
        self.http.cookies.clear()
        self.http.headers.pop("X-CSRF-Token", None)

    async def get(self, url: str, **kw: Any) -> httpx.Response:
        return await self.http.get(url, **kw)

    async def post(self, url: str, **kw: Any) -> httpx.Response:
        return await self.http.post(url, **kw)


@asynccontextmanager
async def page_client(settings: Settings, overrides: Overrides | None = None
                      ) -> AsyncIterator[PageClient]:
    app = create_app(settings, overrides or Overrides(voice=False, run_workers=False))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://pages.test",
                                     follow_redirects=False) as client:
            yield PageClient(app, client, settings)


async def browser_sign_in(page: Any, base_url: str, email: str) -> None:
    """Sign in through the /login form in a Playwright page."""
    await page.goto(base_url + "/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(base_url + "/")
