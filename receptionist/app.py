"""The web app: the services from the composition root (``receptionist.services``) and the
routers. Route handlers reach the services through ``receptionist.deps``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from calendar_sync import router as calendar_router
from knowledge import router as knowledge_router
from receptionist.accounts import AccessMiddleware
from receptionist.accounts import router as accounts_router
from receptionist.call import router as media_router
from receptionist.chat import router as chat_router
from receptionist.core import Settings, configure_logging, log_event
from receptionist.core.body_limit import BodyLimit
from receptionist.core.db import UNAVAILABLE_ERRORS, database_unavailable, is_nul_in_text
from receptionist.core.principal import NotSignedIn, Public
from receptionist.core.webhooks import MAX_WEBHOOK_BYTES
from receptionist.services import Overrides, build_services, build_sms_sender, outbox_config
from receptionist.telephony.routes import router as voice_router
from receptionist.web.pages import STATIC_DIR
from receptionist.web.pages import router as pages_router
from receptionist.web.routes import router as web_router
from textback import router as sms_router

__all__ = ["Overrides", "Services", "build_sms_sender", "create_app", "outbox_config"]

log = logging.getLogger("receptionist.app")

Services = Overrides
"""The name tests and embedders have used for the overrides: ``create_app(s, Services(...))``."""


def create_app(settings: Settings, services: Overrides | None = None) -> FastAPI:
    overrides = services or Overrides()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        built = build_services(settings, overrides)
        app.state.services = built  # read only by receptionist.core.provided
        try:
            await built.start()
            log_event(log, "app.started", sms=settings.sms_provider, db=built.db.dialect,
                      public_url=settings.public_url)
            yield
        finally:
            app.state.services = None
            await built.aclose()

    # The API's schema and docs are served by the accounts router, to signed-in users only.
    app = FastAPI(title="Receptionist", lifespan=lifespan, openapi_url=None, docs_url=None,
                  redoc_url=None)
    # Every request passes the access layer: it names the principal, checks CSRF for browser
    # sessions and turns away anonymous callers of anything but the open paths.
    app.add_middleware(AccessMiddleware)
    # Outermost (added last): every body is bounded as it arrives (1 MB default), before the
    # access layer or a route reads any of it; the Twilio webhooks keep their own limit.
    app.add_middleware(BodyLimit, path_limits={"/twilio/": MAX_WEBHOOK_BYTES})

    @app.exception_handler(NotSignedIn)
    async def to_login(request: Request, exc: NotSignedIn) -> RedirectResponse:
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(exc.next_path, safe='/')}", status_code=303)

    async def database_error(request: Request, exc: Exception) -> Response:
        # The one database error that is the client's: a NUL in any text field, which
        # PostgreSQL refuses (the transaction is rolled back, nothing is half written).
        if is_nul_in_text(exc):
            return JSONResponse({"detail": "text may not contain NUL characters"},
                                status_code=400)
        # A database restart must not turn into a stack trace per request and a dropped
        # keep-alive connection (what an unhandled error gives): nothing was committed, so a
        # quick 503 tells Twilio (and any client) to try again, and the pool reconnects
        # (pre-ping) once the database is back.
        if database_unavailable(exc):
            log_event(log, "app.database_unavailable", logging.WARNING,
                      path=request.url.path, error=type(exc).__name__)
            return PlainTextResponse("database unavailable, try again", status_code=503,
                                     headers={"Retry-After": "1"})
        raise exc

    for error in UNAVAILABLE_ERRORS:
        app.add_exception_handler(error, database_error)

    # Routes are matched in order, each candidate at a cost: Twilio's webhooks (every missed
    # call's hot path) first. No other router has a /twilio/ path, so the order changes nothing
    # else.
    app.include_router(voice_router)
    app.include_router(sms_router)
    app.include_router(accounts_router)  # /login, /logout, /openapi.json, /docs, /redoc
    app.include_router(web_router)
    app.include_router(pages_router)  # the owner pages
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(knowledge_router)
    app.include_router(calendar_router)  # /api/calendar/*, mirrors `receptionist calendar …`
    app.include_router(media_router)  # WS /twilio/media
    app.include_router(chat_router)  # POST /api/chat, the text channel

    @app.get("/healthz", dependencies=[Public])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def app_from_env() -> FastAPI:
    """Entry point for ``uvicorn --factory receptionist.app:app_from_env``."""
    from receptionist.core import load_settings

    settings = load_settings()
    configure_logging(settings.log_level, as_json=settings.log_json)
    return create_app(settings)
