"""Signing in and out in the browser: the form, the session cookie, CSRF on the form itself,
rotation, expiry, sign-out and the rate limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from starlette.responses import Response

from receptionist.accounts import (
    SESSION_COOKIE,
    AccountsService,
    CookieSigner,
    InvalidCredentials,
    TooManyAttempts,
    build_accounts,
    safe_next,
)
from receptionist.core import Database, FixedClock, Settings
from receptionist.core.principal import PrincipalKind, Role
from tests.support.auth import (
    PASSWORD,
    accounts_for,
    add_user,
    bearer,
    login_form_token,
    session_of,
    sign_in,
)
from tests.support.settings import make_settings
from tests.support.tenants import OWNER, Tenants


async def test_the_sign_in_page_is_an_accessible_form(tenants: Tenants) -> None:
    async with httpx.AsyncClient(base_url=tenants.server.url) as client:
        r = await client.get("/login")
        assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
        page = r.text
        for needle in ('<label for="email">', 'id="email" name="email" type="email"',
                       '<label for="password">', 'name="password" type="password"',
                       '<button type="submit">', 'name="csrf_token"', 'name="viewport"',
                       'lang="en"'):
            assert needle in page, needle
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "path=/login" in cookie and "samesite=lax" in cookie


async def test_signing_in_sets_a_rotated_httponly_cookie_and_goes_to_next(
        tenants: Tenants) -> None:
    async with httpx.AsyncClient(base_url=tenants.server.url) as client:
        r = await client.get("/calls?page=2")
        assert r.status_code == 303 and r.headers["location"] == "/login?next=/calls%3Fpage%3D2"
        r = await sign_in(client, OWNER, next_path="/calls?page=2")
        assert r.status_code == 303 and r.headers["location"] == "/calls?page=2"
        cookie = r.headers["set-cookie"]
        assert cookie.startswith(f"{SESSION_COOKIE}=")
        lowered = cookie.lower()
        assert "httponly" in lowered and "samesite=lax" in lowered and "path=/" in lowered
        assert f"max-age={tenants.settings.session_ttl_hours * 3600}" in lowered
        assert "secure" not in lowered  # PUBLIC_URL is http here
        first = client.cookies[SESSION_COOKIE]
        me = await session_of(client, tenants.db, tenants.settings)
        assert (await client.get("/api/businesses")).status_code == 200

        # Signing in again (same browser) gives a new session and ends the old one.
        r = await sign_in(client, OWNER)
        assert r.status_code == 303 and r.headers["location"] == "/"
        second = client.cookies[SESSION_COOKIE]
        assert second != first
        assert (await session_of(client, tenants.db, tenants.settings)).csrf_token \
            != me.csrf_token
    async with httpx.AsyncClient(base_url=tenants.server.url,
                                 cookies={SESSION_COOKIE: first}) as old:
        assert (await old.get("/api/businesses")).status_code == 401


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example",
                                    "evil", "", "/ok\r\nSet-Cookie: x=y"])
def test_next_is_only_ever_a_local_path(target: str) -> None:
    assert safe_next(target) == "/"


def test_safe_next_keeps_local_paths() -> None:
    assert safe_next("/inbox/12?tab=all") == "/inbox/12?tab=all"


async def test_wrong_password_unknown_email_and_a_missing_form_token(tenants: Tenants) -> None:
    async with httpx.AsyncClient(base_url=tenants.server.url) as client:
        r = await sign_in(client, OWNER, "wrong password!")
        assert r.status_code == 401 and "Wrong email or password." in r.text
        assert SESSION_COOKIE not in client.cookies
        r = await sign_in(client, "nobody@example.com")
        assert r.status_code == 401 and "Wrong email or password." in r.text
        # The form's token must match this browser's sign-in cookie (double submit).
        r = await client.post("/login", data={"email": OWNER, "password": PASSWORD})
        assert r.status_code == 403 and "expired" in r.text
        token = login_form_token((await client.get("/login")).text)
    async with httpx.AsyncClient(base_url=tenants.server.url) as other_browser:
        r = await other_browser.post("/login", data={"email": OWNER, "password": PASSWORD,
                                                     "csrf_token": token})
        assert r.status_code == 403 and SESSION_COOKIE not in other_browser.cookies


async def test_sign_out_ends_the_session_everywhere(tenants: Tenants) -> None:
    async with httpx.AsyncClient(base_url=tenants.server.url) as client:
        await sign_in(client, OWNER)
        cookie = client.cookies[SESSION_COOKIE]
        me = await session_of(client, tenants.db, tenants.settings)
        r = await client.post("/logout", data={"csrf_token": me.csrf_token})
        assert r.status_code == 303 and r.headers["location"] == "/login"
        assert SESSION_COOKIE not in client.cookies
    async with httpx.AsyncClient(base_url=tenants.server.url,
                                 cookies={SESSION_COOKIE: cookie}) as replay:
        assert (await replay.get("/api/businesses")).status_code == 401
        assert (await replay.get("/")).status_code == 303


async def test_a_new_password_or_removal_ends_sessions(tenants: Tenants) -> None:
    accounts = accounts_for(tenants.db, tenants.settings)
    async with httpx.AsyncClient(base_url=tenants.server.url) as client:
        await sign_in(client, OWNER)
        assert (await client.get("/api/businesses")).status_code == 200
        await accounts.set_password(OWNER, "a brand new passphrase")
        assert (await client.get("/api/businesses")).status_code == 401
        assert (await sign_in(client, OWNER, "a brand new passphrase")).status_code == 303
        await accounts.remove_user(OWNER)
        assert (await client.get("/api/businesses")).status_code == 401


async def test_a_revoked_token_is_refused(tenants: Tenants) -> None:
    accounts = accounts_for(tenants.db, tenants.settings)
    async with httpx.AsyncClient(base_url=tenants.server.url) as client:
        assert (await client.get("/api/calls", headers=bearer(tenants.token))).status_code == 200
        await accounts.tokens.revoke("mine")
        r = await client.get("/api/calls", headers=bearer(tenants.token))
        assert r.status_code == 401 and "invalid or revoked" in r.text


@pytest.mark.slow  # many password hashes
async def test_failures_per_account_are_limited(tenants: Tenants) -> None:
    async with httpx.AsyncClient(base_url=tenants.server.url) as client:
        for _ in range(5):
            assert (await sign_in(client, OWNER, "not my password")).status_code == 401
        r = await sign_in(client, OWNER)  # even the right password waits now
        assert r.status_code == 429
        assert "Too many failed sign-ins for this account; try again in 15 minutes." in r.text
        assert 800 < int(r.headers["retry-after"]) <= 901
        assert SESSION_COOKIE not in client.cookies


@pytest.mark.slow  # many password hashes
async def test_failures_per_address_are_limited(tenants: Tenants) -> None:
    async with httpx.AsyncClient(base_url=tenants.server.url) as client:
        for n in range(20):
            assert (await sign_in(client, f"guess{n}@example.com")).status_code == 401
        r = await sign_in(client, OWNER)
        assert r.status_code == 429 and "from this address" in r.text


class _Clocked:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.clock = FixedClock(datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
        self.accounts = AccountsService(db, self.clock, CookieSigner(
            settings.secret_key_bytes(), secure=False, session_ttl_s=3600))


@pytest.mark.slow  # many password hashes
async def test_limits_are_shared_by_instances_and_the_window_slides(db, db_url, tmp_path) -> None:
    settings = make_settings(db_url, None, tmp_path)
    await add_user(db, settings, OWNER, business=None, role=Role.ADMIN)
    one, two = _Clocked(db, settings), _Clocked(db, settings)
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            await one.accounts.sign_in(OWNER, "nope nope nope", address="198.51.100.7")
    with pytest.raises(TooManyAttempts) as exc:  # another instance, the same database
        await two.accounts.sign_in(OWNER, PASSWORD, address="203.0.113.9")
    assert exc.value.retry_after_s == 901
    two.clock.advance(timedelta(minutes=15, seconds=1))
    signed = await two.accounts.sign_in(OWNER, PASSWORD, address="203.0.113.9")
    assert signed.principal.kind is PrincipalKind.USER and signed.principal.is_admin


async def test_a_session_expires(db, db_url, tmp_path) -> None:
    settings = make_settings(db_url, None, tmp_path)
    await add_user(db, settings, OWNER, business=None, role=Role.ADMIN)
    instance = _Clocked(db, settings)
    signed = await instance.accounts.sign_in(OWNER, PASSWORD, address="198.51.100.7")
    cookie = instance.accounts.cookies.session_value(signed.key)
    view = await instance.accounts.session(cookie)
    assert view is not None and view.principal.subject == OWNER
    instance.clock.advance(timedelta(hours=1, seconds=1))
    assert await instance.accounts.session(cookie) is None
    assert await instance.accounts.session(cookie[:-2] + "xx") is None


def test_cookies_are_secure_when_the_public_url_is_https(tmp_path) -> None:
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path}/unused.db", None, tmp_path,
                             public_url="https://r.example.com")
    accounts = build_accounts(Database(settings.database_url), FixedClock(
        datetime(2026, 12, 3, tzinfo=UTC)), settings)
    response = Response()
    accounts.cookies.set_session(response, "key")
    header = response.headers["set-cookie"].lower()
    assert "secure" in header and "httponly" in header and "samesite=lax" in header
