"""FastAPI dependencies for the app's own routes, as ``Annotated`` aliases::

    async def status(calls: CallsDep, form: TwilioForm) -> Response: ...

Each alias names one part of the ``Services`` the composition root built
(``receptionist.services``); ``receptionist.core.provided`` is where they are read from the app.
The service types are imported for type checking only, so any layer may use these aliases.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import Depends

from receptionist.core.provided import Provided, all_services

if TYPE_CHECKING:
    from calendar_sync import CalendarService
    from knowledge import KnowledgeService
    from receptionist.accounts import AccountsService
    from receptionist.call import VoiceService
    from receptionist.core import Database, Settings, WebhookSigner
    from receptionist.services import Services
    from receptionist.telephony.ports import AiAnswering
    from receptionist.telephony.service import CallService
    from receptionist.web.crawl_jobs import CrawlJobs
    from textback import TextbackService

__all__ = ["AccountsDep", "AiDep", "CalendarDep", "CallsDep", "CrawlJobsDep", "DbDep",
           "KnowledgeDep", "ServicesDep", "SettingsDep", "SignerDep", "TextbackDep", "VoiceDep"]

get_settings: Provided[Settings] = Provided("settings")
get_db: Provided[Database] = Provided("db")
get_signer: Provided[WebhookSigner] = Provided("signer")
get_calls: Provided[CallService] = Provided("calls")
get_textback: Provided[TextbackService] = Provided("textback")
get_ai: Provided[AiAnswering | None] = Provided("ai", optional=True)
get_voice: Provided[VoiceService | None] = Provided("voice_service", optional=True)
get_calendar: Provided[CalendarService] = Provided("calendar")
get_knowledge: Provided[KnowledgeService] = Provided("knowledge")
get_crawl_jobs: Provided[CrawlJobs] = Provided("crawl_jobs")
get_accounts: Provided[AccountsService] = Provided("accounts")

SettingsDep = Annotated["Settings", Depends(get_settings)]
DbDep = Annotated["Database", Depends(get_db)]
SignerDep = Annotated["WebhookSigner", Depends(get_signer)]
CallsDep = Annotated["CallService", Depends(get_calls)]
TextbackDep = Annotated["TextbackService", Depends(get_textback)]
AiDep = Annotated["AiAnswering | None", Depends(get_ai)]
VoiceDep = Annotated["VoiceService | None", Depends(get_voice)]
CalendarDep = Annotated["CalendarService", Depends(get_calendar)]
KnowledgeDep = Annotated["KnowledgeService", Depends(get_knowledge)]
CrawlJobsDep = Annotated["CrawlJobs", Depends(get_crawl_jobs)]
AccountsDep = Annotated["AccountsService", Depends(get_accounts)]
ServicesDep = Annotated["Services", Depends(all_services)]  # the whole graph (benchmarks)
