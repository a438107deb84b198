"""The owner pages in-process: the app over ASGI (httpx), signed in as a chosen principal.

``SignedInAs`` is a test-only ASGI middleware that puts a ``Principal`` on the request, as the
accounts layer does for a session cookie, so page tests can choose who is asking (an owner, an
operator, another business's owner, nobody)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from receptionist.app import create_app
from receptionist.core import Settings
from receptionist.core.principal import Principal, PrincipalKind, Role
from receptionist.services import Overrides, Services


def owner_of(business_id: int, email: str = "owner@example.com") -> Principal:
    return Principal(PrincipalKind.USER, Role.OWNER, email, business_id, user_id=1)


def operator(email: str = "ops@example.com") -> Principal:
    return Principal(PrincipalKind.USER, Role.ADMIN, email, None, user_id=2)


class SignedInAs:
    def __init__(self, app: Any, holder: PageClient) -> None:
        self.app = app
        self.holder = holder

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket") and self.holder.principal is not None:
            scope.setdefault("state", {})["principal"] = self.holder.principal
        await self.app(scope, receive, send)


class PageClient:
    """An httpx client on the app, with ``principal`` choosing who is signed in."""

    def __init__(self, app: FastAPI, client: httpx.AsyncClient) -> None:
        self.app = app
        self.http = client
        self.principal: Principal | None = None

    @property
    def services(self) -> Services:
        services: Services = self.app.state.services
        return services

    async def get(self, url: str, **kw: Any) -> httpx.Response:
        return await self.http.get(url, **kw)

    async def post(self, url: str, **kw: Any) -> httpx.Response:
        return await self.http.post(url, **kw)


@asynccontextmanager
async def page_client(settings: Settings, overrides: Overrides | None = None
                      ) -> AsyncIterator[PageClient]:
    app = create_app(settings, overrides or Overrides(voice=False, run_workers=False))
    holder = PageClient(app, httpx.AsyncClient())  # replaced below, once the app is wrapped
    app.add_middleware(SignedInAs, holder=holder)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://pages.test",
                                     follow_redirects=False) as client:
            holder.http = client
            yield holder
