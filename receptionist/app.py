"""Composition root: settings -> database -> adapters -> services -> routers -> workers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass

from fastapi import FastAPI

from calendar_sync import CalendarService, TextingNotifier
from calendar_sync import router as calendar_router
from knowledge import KnowledgeService
from knowledge import router as knowledge_router
from receptionist.agent import CalendarScheduler, KnowledgeServiceLookup
from receptionist.call import router as media_router
from receptionist.core import (
    BusinessDirectory,
    Clock,
    Database,
    Settings,
    SmsProvider,
    SystemClock,
    WebhookSigner,
    configure_logging,
    log_event,
)
from receptionist.core.twilio_client import build_async_twilio_client
from receptionist.media.wiring import build_voice
from receptionist.telephony.ports import AiAnswering
from receptionist.telephony.routes import router as voice_router
from receptionist.telephony.service import CallService
from receptionist.web.routes import router as web_router
from textback import (
    ConsoleSmsSender,
    OutboxConfig,
    OutboxWorker,
    SmsSender,
    TextbackService,
    TwilioSmsSender,
    note_conversion,
)
from textback import router as sms_router

__all__ = ["Services", "build_sms_sender", "create_app"]

log = logging.getLogger("receptionist.app")


@dataclass
class Services:
    """What tests (and embedders) may replace; anything left ``None`` is built from settings."""

    clock: Clock | None = None
    sms_sender: SmsSender | None = None
    ai: AiAnswering | None = None
    run_workers: bool | None = None
    calendar: CalendarService | None = None


def build_sms_sender(settings: Settings) -> SmsSender:
    if settings.sms_provider is SmsProvider.TWILIO:
        return TwilioSmsSender(build_async_twilio_client(
            settings, timeout_s=settings.outbox_send_timeout_s), settings.outbox_send_timeout_s)
    return ConsoleSmsSender()


def outbox_config(settings: Settings) -> OutboxConfig:
    callback = (settings.public_url + "/twilio/sms/status"
                if settings.sms_status_callbacks and settings.sms_provider is SmsProvider.TWILIO
                else None)
    return OutboxConfig(
        status_callback_url=callback, poll_s=settings.outbox_poll_s,
        max_attempts=settings.outbox_max_attempts, backoff_base_s=settings.outbox_backoff_base_s,
        concurrency=settings.outbox_concurrency, stale_sending_s=settings.outbox_stale_sending_s,
    )


def create_app(settings: Settings, services: Services | None = None) -> FastAPI:
    services = services or Services()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        clock = services.clock or SystemClock()
        db = Database(settings.database_url)
        sender = services.sms_sender or build_sms_sender(settings)
        worker = OutboxWorker(db, sender, outbox_config(settings), clock)
        app.state.settings = settings
        app.state.db = db
        app.state.clock = clock
        app.state.signer = WebhookSigner(settings.webhook_auth_token(), settings.public_url)
        app.state.outbox = worker
        app.state.textback = TextbackService(db, worker, clock)
        app.state.calls = CallService(db, worker, clock, BusinessDirectory(db))
        app.state.ai = services.ai
        app.state.knowledge = KnowledgeService(db, settings)
        calendar = services.calendar or CalendarService.from_settings(settings, db, clock=clock)
        calendar.notifier = TextingNotifier(  # booking texts go through the outbox
            team=app.state.textback.notify_team, caller=app.state.textback.text_caller,
            conversion=note_conversion, clock=clock)
        app.state.calendar = calendar
        await calendar.start()  # embedded Radicale: now if AUTOSTART, else on first use
        app.state.scheduler = CalendarScheduler(calendar)
        voice = build_voice(settings, db=db, clock=clock, signer=app.state.signer,
                            lifecycle=app.state.calls, textback=app.state.textback,
                            knowledge=KnowledgeServiceLookup(app.state.knowledge),
                            scheduler=app.state.scheduler)
        app.state.voice_runtime = voice  # closed by the media router's lifespan
        app.state.voice = voice.service
        if app.state.ai is None:
            app.state.ai = voice.service
        voice.warm_task = asyncio.create_task(voice.warm(db), name="voice-warm")
        run_workers = settings.workers_enabled if services.run_workers is None \
            else services.run_workers
        tasks = [asyncio.create_task(worker.run(), name="outbox"),
                 asyncio.create_task(app.state.calls.settle_lost_streams_forever(),
                                     name="lost-streams")] if run_workers else []
        log_event(log, "app.started", sms=settings.sms_provider, db=db.dialect,
                  public_url=settings.public_url)
        try:
            yield
        finally:
            await worker.stop()
            for task in tasks:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task
            if services.sms_sender is None:
                await sender.aclose()
            # CalDAV connections, the embedded Radicale and model clients, before the database.
            await calendar.aclose()
            await app.state.knowledge.aclose()
            await db.dispose()

    app = FastAPI(title="Receptionist", lifespan=lifespan)
    app.include_router(voice_router)
    app.include_router(sms_router)
    app.include_router(web_router)
    app.include_router(knowledge_router)
    app.include_router(calendar_router)  # /api/calendar/*, mirrors `receptionist calendar …`
    app.include_router(media_router)  # WS /twilio/media; its lifespan releases the voice runtime

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def app_from_env() -> FastAPI:
    """Entry point for ``uvicorn --factory receptionist.app:app_from_env``."""
    from receptionist.core import load_settings

    settings = load_settings()
    configure_logging(settings.log_level, as_json=settings.log_json)
    return create_app(settings)
