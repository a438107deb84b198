"""Sign-in (``GET``/``POST /login``), sign-out (``POST /logout``) and the API's own
documentation, which only signed-in users may read."""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from receptionist.accounts.errors import InvalidCredentials, TooManyAttempts
from receptionist.accounts.service import AccountsService
from receptionist.accounts.sessions import LOGIN_COOKIE, SESSION_COOKIE
from receptionist.core import log_event
from receptionist.core.principal import CurrentPrincipal, PagePrincipal, Principal, Public
from receptionist.core.provided import Provided

__all__ = ["router", "safe_next"]

router = APIRouter()
get_accounts: Provided[AccountsService] = Provided("accounts")
log = logging.getLogger("receptionist.accounts")


@cache
def _templates() -> Jinja2Templates:
    return Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def safe_next(target: str | None) -> str:
    """A local path to go to after signing in; anything else (another site, ``//host``,
    ``/\\host``, control characters) becomes ``/``."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    if any(ch in target for ch in "\\\r\n\t") or any(ord(ch) < 32 for ch in target):
        return "/"
    return target


def _principal(request: Request) -> Principal | None:
    principal = getattr(request.state, "principal", None)
    return principal if isinstance(principal, Principal) else None


def _login_page(request: Request, accounts: AccountsService, *, next_path: str,
                email: str = "", error: str | None = None, status: int = 200,
                headers: dict[str, str] | None = None) -> Response:
    cookies = accounts.cookies
    nonce = request.cookies.get(LOGIN_COOKIE)
    if not nonce or len(nonce) > 100:
        nonce, token = cookies.login_pair()
    else:
        token = cookies.login_form_token(nonce)
    response = _templates().TemplateResponse(
        request, "login.html",
        {"csrf_token": token, "next": next_path, "email": email, "error": error},
        status_code=status, headers=headers)
    cookies.set_login(response, nonce)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/login", response_class=HTMLResponse, dependencies=[Public], include_in_schema=False)
async def login_form(request: Request, next: str | None = None) -> Response:
    # Shown to a signed-in browser too: signing in again (or as someone else) starts a new
    # session and ends the old one.
    return _login_page(request, get_accounts.get(request), next_path=safe_next(next))


@router.post("/login", response_class=HTMLResponse, dependencies=[Public], include_in_schema=False)
async def login(request: Request) -> Response:
    accounts = get_accounts.get(request)
    form = await request.form()

    def field(name: str) -> str:
        value = form.get(name)
        return value if isinstance(value, str) else ""

    email, password, target = field("email"), field("password"), safe_next(field("next"))
    if not accounts.cookies.login_token_ok(field("csrf_token"), request.cookies.get(LOGIN_COOKIE)):
        return _login_page(request, accounts, next_path=target, email=email, status=403,
                           error="This sign-in form has expired. Please sign in again.")
    if not email or not password:
        return _login_page(request, accounts, next_path=target, email=email, status=422,
                           error="Enter your email and password.")
    address = request.client.host if request.client else "unknown"
    try:
        signed_in = await accounts.sign_in(email, password, address=address,
                                           replacing=request.cookies.get(SESSION_COOKIE))
    except TooManyAttempts as exc:
        log_event(log, "accounts.signin_limited", logging.WARNING)
        return _login_page(request, accounts, next_path=target, email=email, status=429,
                           error=str(exc).capitalize() + ".",
                           headers={"Retry-After": str(exc.retry_after_s)})
    except InvalidCredentials:
        log_event(log, "accounts.signin_failed", logging.INFO)
        return _login_page(request, accounts, next_path=target, email=email, status=401,
                           error="Wrong email or password.")
    log_event(log, "accounts.signed_in", user_id=signed_in.principal.user_id)
    response = RedirectResponse(target, status_code=303)
    accounts.cookies.set_session(response, signed_in.key)
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout", dependencies=[Public], include_in_schema=False)
async def logout(request: Request) -> Response:
    """Ends the session. A signed-in browser's request passed the CSRF check on the way in; an
    anonymous one has nothing to end."""
    accounts = get_accounts.get(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie and _principal(request) is not None:
        await accounts.sign_out(cookie)
    response = RedirectResponse("/login", status_code=303)
    accounts.cookies.clear_session(response)
    return response


@router.get("/openapi.json", include_in_schema=False)
async def openapi(request: Request, _: CurrentPrincipal) -> JSONResponse:
    schema: dict[str, Any] = request.app.openapi()
    return JSONResponse(schema)


@router.get("/docs", include_in_schema=False)
async def docs(_: PagePrincipal) -> HTMLResponse:
    return get_swagger_ui_html(openapi_url="/openapi.json", title="Receptionist API")


@router.get("/redoc", include_in_schema=False)
async def redoc(_: PagePrincipal) -> HTMLResponse:
    return get_redoc_html(openapi_url="/openapi.json", title="Receptionist API")
