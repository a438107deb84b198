"""The composition root: settings -> database -> adapters -> services, built in one place.

    services = build_services(settings, Overrides(voice=False))
    await services.start()      # calendar server, speech warm-up, background workers
    ...
    await services.aclose()     # workers, clients, calendar, knowledge, then the database

The app (``create_app``), every CLI command that needs more than a database, the benchmarks and
the tests build their graph here, so there is one graph. Building starts nothing and connects to
nothing: ``start`` does the I/O, ``aclose`` releases what was built (not what was passed in).
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from calendar_sync import CalendarService, TextingNotifier
from knowledge import KnowledgeService
from receptionist.accounts import AccountsService, build_accounts
from receptionist.core import (
    BusinessDirectory,
    Clock,
    Database,
    Settings,
    SmsProvider,
    SystemClock,
    WebhookSigner,
)
from receptionist.onboarding import WebsiteServicesToCalendar
from receptionist.telephony.service import CallService
from receptionist.web.crawl_jobs import CrawlJobs
from textback import (
    ConsoleSmsSender,
    OutboxConfig,
    OutboxWorker,
    SmsSender,
    TextbackService,
    note_conversion,
)

if TYPE_CHECKING:
    from receptionist.agent import AgentKit, CalendarScheduler
    from receptionist.call import VoiceService
    from receptionist.chat import ChatService
    from receptionist.media.wiring import VoiceRuntime
    from receptionist.telephony.ports import AiAnswering

__all__ = ["KNOWLEDGE_MIN_CONFIDENCE", "Overrides", "Services", "build_services",
           "build_sms_sender", "outbox_config"]

log = logging.getLogger("receptionist.services")

KNOWLEDGE_MIN_CONFIDENCE = 0.3
"""Below this search confidence the agent's knowledge tool says "not found" (one value for the
live call, the local brain and the chat brain)."""


@dataclass(frozen=True)
class Overrides:
    """What tests, benchmarks and embedders may replace; anything left ``None`` is built from
    settings. ``voice=False`` builds no voice runtime (no speech models, no warm-up): the text-back
    and owner pages work without it, and ``/twilio/media`` answers that AI answering is off."""

    clock: Clock | None = None
    sms_sender: SmsSender | None = None
    ai: AiAnswering | None = None
    run_workers: bool | None = None
    calendar: CalendarService | None = None
    voice: bool = True


@dataclass(frozen=True)
class Services:
    """The built graph; route dependencies (``receptionist.deps``) read its fields by name."""

    settings: Settings
    db: Database
    clock: Clock
    signer: WebhookSigner
    sms_sender: SmsSender
    outbox: OutboxWorker
    textback: TextbackService
    calls: CallService
    knowledge: KnowledgeService
    calendar: CalendarService
    scheduler: CalendarScheduler
    agent: AgentKit  # facts, prompts, tools and brains: the same for calls and chats
    chat: ChatService
    accounts: AccountsService
    voice: VoiceRuntime | None
    ai: AiAnswering | None
    run_workers: bool
    crawl_jobs: CrawlJobs  # website crawls started from the /knowledge page
    owns_sms_sender: bool = True
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @property
    def voice_service(self) -> VoiceService | None:
        return self.voice.service if self.voice is not None else None

    async def start(self) -> None:
        """The I/O that building does not do: the embedded calendar server (now if
        ``RECEPTIONIST_CALENDAR_AUTOSTART``, else on first use), the speech warm-up in the
        background, and the outbox and lost-stream workers when enabled."""
        await self.calendar.start()
        if self.voice is not None:
            self.voice.warm_task = asyncio.create_task(self.voice.warm(self.db),
                                                       name="voice-warm")
        if self.run_workers:
            self.tasks.append(asyncio.create_task(self.outbox.run(), name="outbox"))
            self.tasks.append(asyncio.create_task(self.calls.settle_lost_streams_forever(),
                                                  name="lost-streams"))

    async def aclose(self) -> None:
        """Workers first, then clients (voice, SMS, CalDAV, the embedded Radicale, model
        clients), the database last."""
        await self.outbox.stop()
        for task in self.tasks:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
        self.tasks.clear()
        await self.crawl_jobs.aclose()
        if self.voice is not None:
            await self.voice.aclose()
        if self.owns_sms_sender:
            await self.sms_sender.aclose()
        await self.agent.aclose()
        await self.calendar.aclose()
        await self.knowledge.aclose()
        await self.db.dispose()


def build_sms_sender(settings: Settings) -> SmsSender:
    if settings.sms_provider is SmsProvider.TWILIO:
        from receptionist.core.twilio_client import build_async_twilio_client
        from textback import TwilioSmsSender

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


def build_services(settings: Settings, overrides: Overrides | None = None) -> Services:
    from receptionist.agent import CalendarScheduler, KnowledgeServiceLookup, build_agent_kit
    from receptionist.chat import ChatService

    overrides = overrides or Overrides()
    clock = overrides.clock or SystemClock()
    db = Database(settings.database_url)
    signer = WebhookSigner(settings.webhook_auth_token(), settings.public_url)
    sender = overrides.sms_sender or build_sms_sender(settings)
    outbox = OutboxWorker(db, sender, outbox_config(settings), clock)
    textback = TextbackService(db, outbox, clock)
    calls = CallService(db, outbox, clock, BusinessDirectory(db))
    # after every onboard and re-crawl, the services found become bookable
    knowledge = KnowledgeService(db, settings, on_onboarded=WebsiteServicesToCalendar(db, clock))
    # Booking texts go through the outbox, like every other text.
    notifier = TextingNotifier(team=textback.notify_team, caller=textback.text_caller,
                               conversion=note_conversion, clock=clock)
    calendar = overrides.calendar or CalendarService.from_settings(settings, db, clock=clock,
                                                                   notifier=notifier)
    scheduler = CalendarScheduler(calendar)
    lookup = KnowledgeServiceLookup(knowledge)
    agent = build_agent_kit(settings, db=db, clock=clock, textback=textback, knowledge=lookup,
                            scheduler=scheduler, min_confidence=KNOWLEDGE_MIN_CONFIDENCE)
    chat = ChatService(db, agent, clock)
    accounts = build_accounts(db, clock, settings)
    voice = None
    if overrides.voice:
        from receptionist.media.wiring import build_voice

        voice = build_voice(settings, db=db, clock=clock, signer=signer, lifecycle=calls,
                            textback=textback, knowledge=lookup, scheduler=scheduler,
                            min_confidence=KNOWLEDGE_MIN_CONFIDENCE, kit=agent)
    ai = overrides.ai if overrides.ai is not None else (voice.service if voice else None)
    run_workers = settings.workers_enabled if overrides.run_workers is None \
        else overrides.run_workers
    return Services(settings=settings, db=db, clock=clock, signer=signer, sms_sender=sender,
                    outbox=outbox, textback=textback, calls=calls, knowledge=knowledge,
                    calendar=calendar, scheduler=scheduler, agent=agent, chat=chat,
                    accounts=accounts, voice=voice, ai=ai,
                    run_workers=run_workers, crawl_jobs=CrawlJobs(db, knowledge, clock),
                    owns_sms_sender=overrides.sms_sender is None)
