"""Builds the voice side of the app from settings (called by the composition root's lifespan).

Process-wide pieces, shared by every call: the stream tokens, the agent's facts, prompts, tools
and brains, the engines' providers (OpenAI client, Whisper model, eSpeak voice, audio cache) and
call control (Twilio REST when credentials are set). ``VoiceRuntime.aclose`` releases the clients.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from receptionist.agent import (
    AgentKit,
    CallRecord,
    Directory,
    KnowledgeLookup,
    PromptBook,
    Scheduler,
    build_agent_kit,
    store_call,
    uses_remote_brain,
)
from receptionist.call import (
    AudioCache,
    BridgeMetrics,
    CallDeps,
    CallLifecycle,
    CallSetupBuilder,
    ConversationConfig,
    EngineFactory,
    SessionLimits,
    SpokenTexts,
    StreamCallControl,
    StreamTokens,
    TwilioCallControl,
    VoiceService,
    local_engines_installed,
)
from receptionist.core import (
    Business,
    Clock,
    Database,
    Settings,
    WebhookSigner,
    all_businesses,
    log_event,
)
from receptionist.core.twilio_client import build_async_twilio_client
from receptionist.speech import WhisperModelHandle, business_vocabulary
from textback import TextbackService

__all__ = ["VoiceRuntime", "build_voice"]

log = logging.getLogger("receptionist.media.wiring")


@dataclass
class VoiceRuntime:
    service: VoiceService
    factory: EngineFactory
    briefing: PromptBook
    whisper: WhisperModelHandle | None = None  # one model for every call, loaded on first use
    closers: list[Callable[[], Any]] = field(default_factory=list)
    warm_task: asyncio.Task[None] | None = None

    async def warm(self, db: Database) -> None:
        """Synthesize fixed lines and every AI business's greeting; load the Whisper model.
        Only an optimisation: a failure is logged and the first call does the work instead."""
        lines = [text for text in vars(SpokenTexts()).values() if isinstance(text, str)]
        started = time.monotonic()
        log_event(log, "voice.warming", note="synthesizing fixed lines and greetings, loading "
                  "the speech-to-text model; the first calls may wait for it")
        try:
            async with db.transaction() as session:
                businesses: list[Business] = await all_businesses(session)
            for business in businesses:
                if (mode := business.routing_mode) is not None and mode.uses_ai:
                    lines.insert(0, await self.briefing.greeting(business.id))
            await self.factory.warm(lines)
        except Exception as exc:  # e.g. a database not migrated yet
            log_event(log, "voice.warm_failed", logging.WARNING, error=repr(exc))
            return
        # Everything loaded so far (frameworks, SDK types, models) stays for the life of the
        # process: take it out of the collector's working set, so that a full collection in
        # the middle of 100 calls takes milliseconds instead of a tenth of a second.
        gc.freeze()
        log_event(log, "voice.warm", lines=len(lines), cached=len(self.factory.cache),
                  seconds=round(time.monotonic() - started, 1))

    async def aclose(self) -> None:
        if self.warm_task is not None:
            self.warm_task.cancel()
        for close in self.closers:
            result = close()
            if asyncio.iscoroutine(result):
                await result


def build_voice(
    settings: Settings, *, db: Database, clock: Clock, signer: WebhookSigner,
    lifecycle: CallLifecycle, textback: TextbackService, knowledge: KnowledgeLookup | None = None,
    scheduler: Scheduler | None = None, metrics: BridgeMetrics | None = None,
    limits: SessionLimits | None = None, min_confidence: float = 0.3,
    whisper: WhisperModelHandle | None = None, kit: AgentKit | None = None,
) -> VoiceRuntime:
    """Called by ``receptionist.services.build_services``. ``whisper``: a model handle to share
    (e.g. a benchmark's), else the runtime owns a new one when the local engines are installed.
    ``kit``: the agent the other channels use (its facts, prompts, tools and brains), else one
    of its own."""
    closers: list[Callable[[], Any]] = []
    if kit is None:
        kit = build_agent_kit(settings, db=db, clock=clock, textback=textback,
                              knowledge=knowledge, scheduler=scheduler,
                              min_confidence=min_confidence)
        closers.append(kit.aclose)
    facts, briefing, messenger, tools = kit.facts, kit.briefing, kit.messenger, kit.tools
    factory = EngineFactory(settings=settings, cache=AudioCache(), toolbox=tools,
                            new_local_brain=kit.new_local_brain, metrics=metrics)
    if local_engines_installed():
        whisper = whisper or WhisperModelHandle()
        factory.whisper = whisper
        factory.local_voice = EngineFactory.local_voice_for(settings)
    if kit.openai_client is not None:
        from receptionist.call import openai_speech

        client = kit.openai_client
        factory.openai_client = client  # realtime is available to any business that picks it
        if uses_remote_brain(settings):
            factory.remote_brain = kit.remote_brain
            factory.remote_stt, factory.remote_voice = openai_speech(client)
    if settings.twilio_account_sid and settings.twilio_auth_token is not None:
        twilio = build_async_twilio_client(settings, timeout_s=8.0)
        call_control: Any = TwilioCallControl(twilio, signer)
        closers.append(twilio.http_client.close)
    else:
        call_control = StreamCallControl()
    deps = CallDeps(
        tokens=StreamTokens(db, clock, settings.stream_token_ttl_s,
                            secret=settings.secret_key_bytes()),
        lifecycle=lifecycle,
        setups=CallSetupBuilder(db, lifecycle, briefing, services=_vocabulary(facts)),
        engines=factory,
        call_control=call_control,
        can_transfer=bool(getattr(call_control, "can_transfer", False)),
        clock=clock,
        conversation=ConversationConfig(
            silence_timeout_s=settings.silence_timeout_s, max_call_s=settings.max_call_s,
            session_cap_s=settings.realtime_session_cap_s,
            can_transfer=bool(getattr(call_control, "can_transfer", False)),
        ),
        limits=limits or SessionLimits(start_timeout_s=settings.stream_start_timeout_s),
        toolbox=tools,
        messenger=messenger,
        store_record=lambda record: _store(db, record),
        metrics=metrics,
    )
    service = VoiceService(deps, signer)
    return VoiceRuntime(service=service, factory=factory, briefing=briefing, whisper=whisper,
                        closers=closers)


def _vocabulary(facts: Directory) -> Callable[[int], Awaitable[list[str]]]:
    """The business's words that bias recognition (after its name, which setup puts first):
    services, then insurers, brands and places named in its FAQ and description, its street."""

    async def words(business_id: int) -> list[str]:
        known = await facts.facts(business_id)
        texts = [answer for _question, answer in known.faqs]
        if known.description:
            texts.append(known.description)
        return business_vocabulary(known.name, services=known.service_names,
                                   address=known.address, texts=texts)[1:]

    return words


async def _store(db: Database, record: CallRecord) -> None:
    await store_call(db, record)
