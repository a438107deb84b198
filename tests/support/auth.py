"""Credentials for tests that call owner routes: API tokens and signed-in browser sessions,
made through the product's own accounts service and sign-in form."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from receptionist.accounts import SESSION_COOKIE, AccountsService, build_accounts
from receptionist.core import Database, Settings, SystemClock
from receptionist.core.principal import Role
from scripts.doubles.factories import BUSINESS_NUMBER

PASSWORD = "correct horse battery staple"
ADMIN_EMAIL = "operator@example.com"


def accounts_for(db: Database, settings: Settings) -> AccountsService:
    return build_accounts(db, SystemClock(), settings)


async def add_token(db: Database, settings: Settings, business: str | int = BUSINESS_NUMBER,
                    name: str = "tests") -> str:
    """A new API token for ``business``; returns the raw token."""
    return (await accounts_for(db, settings).tokens.create(business, name)).token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def add_user(db: Database, settings: Settings, email: str, *,
                   business: str | int | None = BUSINESS_NUMBER, role: Role = Role.OWNER,
                   password: str = PASSWORD) -> None:
    if role is Role.ADMIN:
        business = None
    await accounts_for(db, settings).add_user(email, password, business=business, role=role)


def login_form_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the sign-in form has no csrf_token field"
    return found.group(1)


@dataclass
class Session:
    cookie: str  # the signed session cookie's value
    csrf_token: str


async def sign_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD,
                  next_path: str = "/") -> httpx.Response:
    """Fill in and post the sign-in form, as a browser does (the client keeps the cookies)."""
    page = await client.get("/login", params={"next": next_path})
    assert page.status_code == 200, page.text
    return await client.post("/login", data={
        "email": email, "password": password, "next": next_path,
        "csrf_token": login_form_token(page.text)})


async def session_of(client: httpx.AsyncClient, db: Database, settings: Settings) -> Session:
    """The session the client's cookie names, with its CSRF token (as a page would render it)."""
    cookie = client.cookies.get(SESSION_COOKIE)
    assert cookie, "not signed in"
    view = await accounts_for(db, settings).session(cookie)
    assert view is not None, "the session cookie names no live session"
    return Session(cookie, view.csrf_token)


@asynccontextmanager
async def signed_in_client(base_url: str, db: Database, settings: Settings, *,
                           email: str = ADMIN_EMAIL, role: Role = Role.ADMIN,
                           business: str | int | None = BUSINESS_NUMBER,
                           timeout_s: float = 20) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client signed in through the form as a new user (an operator by default), that
    sends the session's CSRF token on every request, as the web app's pages do."""
    await add_user(db, settings, email, business=business, role=role)
    async with httpx.AsyncClient(base_url=base_url, timeout=timeout_s) as client:
        response = await sign_in(client, email)
        assert response.status_code == 303, response.text
        client.headers["X-CSRF-Token"] = (await session_of(client, db, settings)).csrf_token
        yield client
