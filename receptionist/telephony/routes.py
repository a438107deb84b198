"""Twilio voice webhooks: ``/twilio/voice``, ``/twilio/voice/dial``, ``/twilio/voice/status``,
``/twilio/voice/fallback``. Each answers valid TwiML quickly, whatever happens."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Annotated, ParamSpec

from fastapi import APIRouter, HTTPException, Query, Request, Response
from sqlalchemy import select

from receptionist.core import (
    Business,
    BusinessNotFound,
    SmsProvider,
    StaleDirectory,
    WebhookSigner,
    get_business,
    log_event,
    mask,
    try_normalize,
)
from receptionist.core.principal import CurrentPrincipal
from receptionist.core.webhooks import TwilioForm
from receptionist.deps import AiDep, CallsDep, DbDep, SettingsDep, SignerDep
from receptionist.telephony import twiml
from receptionist.telephony.lifecycle import (
    CallEnded,
    ChildLegAnswered,
    DialEnded,
    FallbackHit,
    IncomingCall,
    Plan,
    TransferEnded,
)
from receptionist.telephony.models import Call
from receptionist.telephony.ports import AiAnswering
from receptionist.telephony.service import Applied
from receptionist.telephony.simulate import simulate_missed_call

__all__ = ["router"]

log = logging.getLogger("receptionist.voice")
router = APIRouter()
P = ParamSpec("P")
# A webhook meeting a business changed since the directory cached it runs again; each run that
# is refused means the tenancy changed once more in between.
_RUNS_IF_STALE = 3


def _again_if_stale(webhook: Callable[P, Awaitable[Response]]) -> Callable[P, Awaitable[Response]]:
    """Run the webhook again when it took a cached business that had changed meanwhile: its
    transaction rolled back (nothing was written) and the directory reloads it."""

    @functools.wraps(webhook)
    async def run(*args: P.args, **kwargs: P.kwargs) -> Response:
        for _ in range(_RUNS_IF_STALE - 1):
            try:
                return await webhook(*args, **kwargs)
            except StaleDirectory:
                continue
        return await webhook(*args, **kwargs)

    return run


def _xml(body: str) -> Response:
    return Response(body, media_type="application/xml")


async def _answer(signer: WebhookSigner, ai: AiAnswering | None, business: Business,
                  call_sid: str, applied: Applied, *, new_stream: bool = False) -> str:
    plan = applied.transition.plan
    if plan is Plan.RING_TEAM:
        return twiml.ring_team(
            business, business.ring_targets(), action_url=signer.url_for("/twilio/voice/dial"),
            status_url=signer.url_for("/twilio/voice/status"),
        )
    if plan is Plan.CONNECT_AI:
        if ai is not None:
            return await ai.connect_twiml(call_sid, business, new_stream=new_stream)
        return twiml.apologize(business, after_hours=False, will_text=False)
    if plan in (Plan.APOLOGIZE, Plan.APOLOGIZE_AFTER_HOURS):
        return twiml.apologize(business, after_hours=plan is Plan.APOLOGIZE_AFTER_HOURS,
                               will_text=applied.will_text)
    return twiml.hang_up()


@router.post("/twilio/voice")
@_again_if_stale
async def incoming_call(form: TwilioForm, calls: CallsDep, ai: AiDep,
                        signer: SignerDep) -> Response:
    call_sid = form.get("CallSid", "")
    async with calls.webhook(form.get("To")) as hook:
        business = hook.business
        if business is None or not call_sid:
            log_event(log, "voice.unknown_number", logging.WARNING, to=mask(form.get("To")),
                      call_sid=call_sid)
            return _xml(twiml.not_in_service())
        now = calls.clock.now()
        event = IncomingCall(
            routing=business.routing_mode, open_now=business.is_open_at(now),
            skip_ringing_after_hours=business.after_hours_textback,
            can_ring=bool(business.ring_targets()),
            ai_available=ai is not None and ai.available(business),
        )
        applied = await hook.apply(call_sid, event, from_number=form.get("From"),
                                   to_number=business.primary_number,
                                   data={"status": form.get("CallStatus")})
    return _xml(await _answer(signer, ai, business, call_sid, applied))


@router.post("/twilio/voice/dial")
@_again_if_stale
async def dial_result(form: TwilioForm, calls: CallsDep, ai: AiDep,
                      signer: SignerDep) -> Response:
    call_sid = form.get("CallSid", "")
    async with calls.webhook(form.get("To")) as hook:
        if hook.business is None or not call_sid:
            return _xml(twiml.hang_up())
        event = DialEnded(form.get("DialCallStatus", "failed"), form.get("AnsweredBy"))
        applied = await hook.apply(call_sid, event, from_number=form.get("From"),
                                   data={"dial_status": event.dial_status})
    return _xml(await _answer(signer, ai, hook.business, call_sid, applied))


@router.post("/twilio/voice/transfer")
@_again_if_stale
async def transfer_result(form: TwilioForm, calls: CallsDep, ai: AiDep,
                          signer: SignerDep) -> Response:
    """The ``<Dial action>`` of a transfer the AI made: hang up after a person talked to the
    caller, or bring the caller back to the AI (a new stream) to take a message."""
    call_sid = form.get("CallSid", "")
    async with calls.webhook(form.get("To")) as hook:
        if hook.business is None or not call_sid:
            return _xml(twiml.hang_up())
        event = TransferEnded(form.get("DialCallStatus", "failed"), form.get("AnsweredBy"))
        applied = await hook.apply(call_sid, event, from_number=form.get("From"),
                                   data={"dial_status": event.dial_status, "transfer": True})
    # The only webhook after which a second stream of the call is expected.
    return _xml(await _answer(signer, ai, hook.business, call_sid, applied, new_stream=True))


@router.post("/twilio/voice/status")
@_again_if_stale
async def call_status(form: TwilioForm, calls: CallsDep) -> Response:
    parent = form.get("ParentCallSid")
    status = form.get("CallStatus", "")
    data = {"status": status, "seq": form.get("SequenceNumber")}
    if parent:  # a team phone's leg, from the <Number statusCallback> of our <Dial>
        if status == "in-progress":
            await calls.apply(parent, ChildLegAnswered(form.get("AnsweredBy")), business=None,
                              data=data)
        return Response(status_code=204)
    call_sid = form.get("CallSid", "")
    if not call_sid:
        return Response(status_code=204)
    async with calls.webhook(form.get("To")) as hook:
        business = hook.business
        await hook.apply(call_sid, CallEnded(status, form.get("AnsweredBy")),
                         from_number=form.get("From"),
                         to_number=business.primary_number if business else None, data=data)
    return Response(status_code=204)


@router.post("/twilio/voice/fallback")
@_again_if_stale
async def fallback(form: TwilioForm, calls: CallsDep) -> Response:
    call_sid = form.get("CallSid", "")
    log_event(log, "voice.fallback", logging.WARNING, call_sid=call_sid,
              error=form.get("ErrorCode"))
    async with calls.webhook(form.get("To")) as hook:
        business = hook.business
        if business is None or not call_sid:
            return _xml(twiml.not_in_service())
        applied = await hook.apply(call_sid, FallbackHit(), from_number=form.get("From"),
                                   data={"error": form.get("ErrorCode")})
    return _xml(twiml.apologize(business, after_hours=False, will_text=applied.will_text))


@router.post("/demo/missed-call")
async def demo_missed_call(request: Request, settings: SettingsDep, signer: SignerDep,
                           db: DbDep, principal: CurrentPrincipal) -> Response:
    """The dashboard's demo button: plays a signed missed call against this server. Only with
    console SMS and ``DEMO`` on, where nothing real is sent; it posts to ``PUBLIC_URL`` (never
    to whatever the request's ``Host`` names) and only for a business the caller may see."""
    if settings.sms_provider is not SmsProvider.CONSOLE or not settings.demo:
        return Response("demo calls are only available with console SMS and "
                        "RECEPTIONIST_DEMO on", status_code=404)
    form = await request.form()
    to = try_normalize(str(form.get("to", "")))
    from_ = try_normalize(str(form.get("from_", "")))
    if to is None or from_ is None:
        return Response("to and from_ must be phone numbers like +12025550143", status_code=422)
    async with db.transaction() as session:
        try:
            business = await get_business(session, to)
        except BusinessNotFound as exc:
            raise HTTPException(404, "not found") from exc
    principal.require(business.id)
    await simulate_missed_call(server=settings.public_url, signer=signer,
                               account_sid=settings.webhook_account_sid(), to=to, from_=from_)
    return Response(status_code=303, headers={"Location": "/"})


@router.get("/api/calls")
async def recent_calls(db: DbDep, principal: CurrentPrincipal,
                       business: Annotated[str | None, Query(max_length=200)] = None,
                       limit: int = 50) -> list[dict[str, object]]:
    """Recent calls with their outcome, newest first (dashboard), of the businesses the caller
    may see."""
    async with db.transaction() as session:
        stmt = select(Call).order_by(Call.id.desc()).limit(min(max(limit, 1), 500))
        business_id = None
        if business:
            try:
                business_id = (await get_business(session, business)).id
            except BusinessNotFound as exc:
                raise HTTPException(404, "not found") from exc
        scope = principal.scope(business_id)
        if scope is not None:
            stmt = stmt.where(Call.business_id == scope)
        calls = list((await session.execute(stmt)).scalars())
    return [{"call_sid": c.call_sid, "business_id": c.business_id, "from": c.from_number,
             "outcome": c.outcome, "missed_reason": c.missed_reason, "routing": c.routing,
             "started_at": c.started_at.isoformat(),
             "decided_at": c.decided_at.isoformat() if c.decided_at else None}
            for c in calls]
