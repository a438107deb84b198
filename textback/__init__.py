"""Everything SMS: the missed-call decision and templates, the outbox, opt-outs, replies routed to
a person, and the results metrics."""

from typing import TYPE_CHECKING

from receptionist.core.lazy import lazy_exports

if TYPE_CHECKING:  # imported on first use: see receptionist.core.lazy
    from textback.console_sms import ConsoleSmsSender
    from textback.contacts import note_conversion
    from textback.decision import TextbackDecision, decide_missed_call, decision_for_call
    from textback.errors import SmsSendError, TextbackError, UnknownBusiness
    from textback.inbox import ANSWER_MAX_CHARS, InboxError, Thread, ThreadSummary
    from textback.metrics import Report, compute_report
    from textback.models import Contact, ContactEvent, Decision, Message
    from textback.outbox import OutboxConfig, OutboxWorker
    from textback.outgoing import enqueue
    from textback.ports import ProviderMessage, SentSms, SmsSender
    from textback.routes import router
    from textback.segments import SegmentInfo, count_segments
    from textback.service import TextbackService
    from textback.templates import RenderedText, TemplateError, check_template, render
    from textback.twilio_sms import TwilioSmsSender
else:
    __getattr__, __dir__ = lazy_exports(__name__, __file__)

__all__ = [
    "ANSWER_MAX_CHARS",
    "ConsoleSmsSender",
    "Contact",
    "ContactEvent",
    "Decision",
    "InboxError",
    "Message",
    "OutboxConfig",
    "OutboxWorker",
    "ProviderMessage",
    "RenderedText",
    "Report",
    "SegmentInfo",
    "SentSms",
    "SmsSendError",
    "SmsSender",
    "TemplateError",
    "TextbackDecision",
    "TextbackError",
    "TextbackService",
    "Thread",
    "ThreadSummary",
    "TwilioSmsSender",
    "UnknownBusiness",
    "check_template",
    "compute_report",
    "count_segments",
    "decide_missed_call",
    "decision_for_call",
    "enqueue",
    "note_conversion",
    "render",
    "router",
]
