"""The access layer in front of every route (pure ASGI).

It recognises ``Authorization: Bearer <token>`` (a wrong token is answered 401 at once) or the
signed session cookie, and puts the ``Principal`` on ``request.state.principal`` (with
``request.state.csrf_token`` for a cookie session). For a cookie session every request other
than GET/HEAD/OPTIONS must carry that CSRF token, in the ``X-CSRF-Token`` header or the form
field ``csrf_token``, else 403; bearer requests are exempt (a browser never adds that header on
its own). A WebSocket opened with the session cookie must come from a page of this site (its
``Origin`` names the host it connects to): browsers send cookies on cross-site WebSocket
handshakes too. Without a principal only the open paths answer: API calls get 401, page visits
a redirect to ``/login``.
"""

from __future__ import annotations

import logging
from urllib.parse import quote, urlsplit

from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.requests import HTTPConnection, cookie_parser
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from receptionist.accounts.csrf import SAFE_METHODS, check_csrf
from receptionist.accounts.policy import is_open_path, skips_sign_in
from receptionist.accounts.service import AccountsService
from receptionist.accounts.sessions import SESSION_COOKIE
from receptionist.core import log_event
from receptionist.core.provided import services_of

__all__ = ["AccessMiddleware"]

log = logging.getLogger("receptionist.accounts")


def _accounts(scope: Scope) -> AccountsService | None:
    try:
        accounts = getattr(services_of(HTTPConnection(scope)), "accounts", None)
    except HTTPException:  # not started: the routes answer 503 themselves
        return None
    return accounts if isinstance(accounts, AccountsService) else None


def _cookie(headers: Headers, name: str) -> str | None:
    # Starlette's lenient parser, as ``request.cookies`` uses: one malformed cookie from another
    # app on the same host must not hide ours (http.cookies stops at the first bad one).
    raw = headers.get("cookie")
    return cookie_parser(raw).get(name) if raw else None


def _same_origin(headers: Headers) -> bool:
    """A browser's WebSocket handshake names the page's origin; it must be this host."""
    origin = headers.get("origin")
    if origin is None:  # not a browser: no ambient cookie to abuse
        return True
    return bool(origin) and urlsplit(origin).netloc.lower() == headers.get("host", "").lower()


class AccessMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or skips_sign_in(scope["path"]):
            await self.app(scope, receive, send)  # Twilio's webhooks pay nothing here
            return
        accounts = _accounts(scope)
        if accounts is None:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        state = scope.setdefault("state", {})
        csrf_expected: str | None = None
        authorization = headers.get("authorization")
        if authorization is not None:
            scheme, _, raw = authorization.partition(" ")
            principal = (await accounts.principal_for_token(raw.strip())
                         if scheme.lower() == "bearer" else None)
            if principal is None:
                log_event(log, "accounts.token_rejected", logging.WARNING, path=scope["path"])
                await self._deny(scope, receive, send, 401, "invalid or revoked API token")
                return
            state["principal"] = principal
        else:
            cookie = _cookie(headers, SESSION_COOKIE)
            view = await accounts.session(cookie) if cookie else None
            if view is not None and scope["type"] == "websocket" and not _same_origin(headers):
                log_event(log, "accounts.ws_origin_rejected", logging.WARNING,
                          path=scope["path"])
                await self._deny(scope, receive, send, 403, "cross-site WebSocket")
                return
            if view is not None:
                state["principal"] = view.principal
                state["csrf_token"] = csrf_expected = view.csrf_token
        if (csrf_expected is not None and scope["type"] == "http"
                and scope["method"] not in SAFE_METHODS and scope["path"] != "/login"):
            receive, failure = await check_csrf(scope, receive, headers, csrf_expected)
            if failure is not None:
                await failure(scope, receive, send)
                return
        if "principal" not in state and not is_open_path(scope["path"]):
            await self._deny(scope, receive, send, 401,
                             "sign in or send Authorization: Bearer <token>")
            return
        await self.app(scope, receive, send)

    async def _deny(self, scope: Scope, receive: Receive, send: Send, status: int,
                    detail: str) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": detail[:100]})
            return
        response: Response
        path = scope["path"]
        wants_page = (scope["method"] in ("GET", "HEAD") and not path.startswith("/api/")
                      and path != "/openapi.json" and status == 401
                      and Headers(scope=scope).get("authorization") is None)
        if wants_page:
            query = scope.get("query_string", b"").decode("latin-1")
            target = path + (f"?{query}" if query else "")
            response = RedirectResponse(f"/login?next={quote(target, safe='/')}",
                                        status_code=303)
        else:
            response = JSONResponse({"detail": detail}, status_code=status,
                                    headers={"WWW-Authenticate": "Bearer"})
        await response(scope, receive, send)

