"""The CSRF check of browser sessions: a state-changing request made with the session cookie
carries the session's token, as the ``X-CSRF-Token`` header or the form field ``csrf_token``.

Reading the form field means reading the body before the route does; the body is buffered
(bounded) and handed on unchanged.
"""

from __future__ import annotations

import hmac
import logging
from urllib.parse import parse_qsl

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope

from receptionist.core import log_event

__all__ = ["SAFE_METHODS", "check_csrf"]

log = logging.getLogger("receptionist.accounts")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_FORM_BYTES = 1024 * 1024  # owner forms are small; a bigger body is refused, not buffered
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the buffered body to the app, then the client's own events."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _form_token(scope: Scope, receive: Receive) -> tuple[str | None, Receive, bool]:
    """The ``csrf_token`` form field, the ``receive`` to pass on, and whether the body was too
    large to look at."""
    body = b""
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        body += message.get("body", b"")
        more = bool(message.get("more_body"))
        if len(body) > MAX_FORM_BYTES:
            return None, receive, True
    ctype = Headers(scope=scope).get("content-type", "").split(";")[0].strip().lower()
    token: str | None = None
    try:
        if ctype == "application/x-www-form-urlencoded":
            fields = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True,
                               max_num_fields=1000)
            token = next((v for k, v in fields if k == "csrf_token"), None)
        else:
            form = await Request(scope, _replay(body, receive)).form()
            value = form.get("csrf_token")
            token = value if isinstance(value, str) else None
            await form.close()
    except (ValueError, HTTPException):  # a malformed form carries no token: 403
        token = None
    return token, _replay(body, receive), False


async def check_csrf(scope: Scope, receive: Receive, headers: Headers,
                     expected: str) -> tuple[Receive, Response | None]:
    """The ``receive`` to hand on (the body replayed when it was read) and the refusal to send,
    or None when the request carries the session's token."""
    sent = headers.get("x-csrf-token")
    ctype = headers.get("content-type", "").split(";")[0].strip().lower()
    if sent is None and ctype in _FORM_TYPES:
        sent, receive, too_large = await _form_token(scope, receive)
        if too_large:
            return receive, JSONResponse({"detail": "form too large"}, status_code=413)
    if sent is None or not hmac.compare_digest(sent.encode(), expected.encode()):
        log_event(log, "accounts.csrf_rejected", logging.WARNING, path=scope["path"])
        return receive, JSONResponse(
            {"detail": "missing or wrong CSRF token: send the form field csrf_token or the "
                       "X-CSRF-Token header from this page"}, status_code=403)
    return receive, None
