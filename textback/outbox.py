"""The transactional outbox: every outbound SMS is a row first, then a send.

``textback.outgoing.enqueue`` writes the row inside the caller's transaction. The
:class:`OutboxWorker` claims due rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several
instances drain one table), marks them ``sending``, sends, and records the result. Transient
failures back off exponentially; permanent ones fail at once (21610 also opts the contact out).
A try whose outcome is unknown (a timeout, a dropped connection, a 5xx) and a row left
``sending`` by a crash are first looked up at the provider (``textback.lookup``), so a message
the provider already accepted is never sent twice.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from datetime import timedelta
from typing import cast

from sqlalchemy import Table, bindparam, case, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from receptionist.core import (
    Clock,
    Database,
    SystemClock,
    log_event,
    mask,
)
from textback.errors import INVALID_NUMBER_CODES, OPTED_OUT_CODES, SmsSendError
from textback.lookup import pick_sent
from textback.models import Contact, Message
from textback.ports import SentSms, SmsSender

__all__ = ["OutboxConfig", "OutboxWorker"]

log = logging.getLogger("textback.outbox")
_MESSAGES = cast(Table, Message.__table__)
_CONTACTS = cast(Table, Contact.__table__)
# Every text passes the statements below (the text-back's hot path): Core statements built once
# and run with parameters on a plain connection, as in receptionist.telephony.service.
_OWNED = (_MESSAGES.c.id == bindparam("msg_id"), _MESSAGES.c.status == "sending",
          _MESSAGES.c.attempts == bindparam("attempt"))
_TAKE = update(_MESSAGES).where(*_OWNED).values(claimed_at=bindparam("now")) \
    .returning(_MESSAGES.c.id)
_RECIPIENT_OPTED_OUT = exists().where(
    _CONTACTS.c.business_id == bindparam("recipient_business"),
    _CONTACTS.c.phone == bindparam("recipient"),
    _CONTACTS.c.opted_out.is_(True))
_TAKE_UNLESS_OPTED_OUT = update(_MESSAGES).where(*_OWNED, ~_RECIPIENT_OPTED_OUT) \
    .values(claimed_at=bindparam("now")).returning(_MESSAGES.c.id)
_IS_OPTED_OUT = select(_RECIPIENT_OPTED_OUT)
_CANCEL_OPTED_OUT = update(_MESSAGES).where(*_OWNED).values(status="canceled",
                                                            error="recipient opted out")
_HEARTBEAT = update(_MESSAGES).where(*_OWNED).values(claimed_at=bindparam("now"))
_MARK_SENT = update(_MESSAGES).where(_MESSAGES.c.id == bindparam("msg_id")).values(
    # A status callback may have landed first: never move it backwards.
    status=case((_MESSAGES.c.status == "sending", bindparam("sent_status")),
                else_=_MESSAGES.c.status),
    provider_sid=bindparam("sid"), sent_at=bindparam("now"), error=None, error_code=None,
)
OUTCOME_UNKNOWN = "unknown"  # error_code of a try that may have reached the provider
# The provider's clock and ours differ a little: look a bit before our row was written.
LOOKUP_SLACK = timedelta(minutes=5)


@dataclass(frozen=True)
class OutboxConfig:
    status_callback_url: str | None
    poll_s: float = 1.0
    max_attempts: int = 6
    backoff_base_s: float = 2.0
    backoff_max_s: float = 600.0
    concurrency: int = 16
    batch_size: int = 32
    stale_sending_s: float = 60.0


class OutboxWorker:
    def __init__(self, db: Database, sender: SmsSender, config: OutboxConfig,
                 clock: Clock | None = None) -> None:
        self.db = db
        self.sender = sender
        self.config = config
        self.clock = clock or SystemClock()
        self._wake = asyncio.Event()
        self._inflight: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(config.concurrency)
        self._stopping = False
        self.running = False

    def wake(self) -> None:
        """Tell the worker new rows are due (same process); other instances find them by polling."""
        self._wake.set()

    def submit(self, msg: Message) -> None:
        """Send a row this process wrote already claimed (``enqueue(..., claimed=True)``)."""
        task = asyncio.create_task(self._send_submitted(msg))
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)

    async def _send_submitted(self, msg: Message) -> None:
        await self._slots.acquire()
        await self._send_and_release(msg)

    async def run(self) -> None:
        last_reconcile = 0.0
        loop = asyncio.get_running_loop()
        self.running = True
        while not self._stopping:
            try:
                await asyncio.wait_for(self._wake.wait(), self.config.poll_s)
            except TimeoutError:
                pass
            self._wake.clear()
            try:
                if loop.time() - last_reconcile >= max(self.config.poll_s, 5.0):
                    last_reconcile = loop.time()
                    await self.reconcile_stale()
                claimed = await self.claim_due(self.config.batch_size)
            except Exception as exc:  # the database may blip; keep the worker alive, retry soon
                log_event(log, "textback.outbox.claim_failed", logging.ERROR, error=repr(exc))
                await asyncio.sleep(self.config.poll_s)
                continue
            for msg in claimed:
                await self._slots.acquire()
                task = asyncio.create_task(self._send_and_release(msg))
                self._inflight.add(task)
                task.add_done_callback(self._inflight.discard)
            if len(claimed) == self.config.batch_size:
                self._wake.set()

    async def stop(self) -> None:
        self._stopping = True
        self.running = False
        self._wake.set()
        if self._inflight:
            await asyncio.wait(self._inflight, timeout=10)

    async def drain(self) -> int:
        """Send everything due now, in this task (CLI and tests). Returns how many were tried."""
        total = 0
        while True:
            claimed = await self.claim_due(self.config.batch_size)
            if not claimed:
                return total
            total += len(claimed)
            await asyncio.gather(*(self.send_claimed(m) for m in claimed))

    async def claim_due(self, limit: int) -> list[Message]:
        now = self.clock.now()
        async with self.db.transaction() as session:
            due = (
                select(Message.id)
                .where(Message.status == "pending", Message.next_attempt_at <= now)
                .order_by(Message.next_attempt_at, Message.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            ids = list((await session.execute(due)).scalars())
            if not ids:
                return []
            result = await session.execute(
                update(Message)
                .where(Message.id.in_(ids), Message.status == "pending")
                .values(status="sending", claimed_at=now, attempts=Message.attempts + 1)
                .returning(Message)
            )
            return list(result.scalars())

    async def _send_and_release(self, msg: Message) -> None:
        try:
            await self.send_claimed(msg)
        except Exception as exc:  # one message's failure must not stop the worker
            log_event(log, "textback.outbox.send_crashed", logging.ERROR, id=msg.id,
                      error=repr(exc))
        finally:
            self._slots.release()

    async def _still_owned(self, msg: Message) -> bool:
        """Take the claim now that the send starts: a compare-and-set on status and attempt.

        A row may have waited for a send slot longer than ``stale_sending_s``; if the stale sweep
        requeued it meanwhile (status or attempt changed), another send owns it and this one
        must not happen. Refreshing ``claimed_at`` here keeps the sweep off a row being sent.
        A text to a caller who has opted out since it was queued is canceled instead. One
        statement in the common case: the opt-out check is part of the compare-and-set."""
        to_caller = msg.contact_phone == msg.to_number
        params = {"msg_id": msg.id, "attempt": msg.attempts, "now": self.clock.now(),
                  "recipient_business": msg.business_id, "recipient": msg.to_number}
        async with self.db.engine.begin() as conn:
            owned = (await conn.execute(_TAKE_UNLESS_OPTED_OUT if to_caller else _TAKE,
                                        params)).scalar()
            if owned is None and to_caller and await conn.scalar(_IS_OPTED_OUT, params):
                await conn.execute(_CANCEL_OPTED_OUT, params)
                log_event(log, "textback.outbox.canceled_opted_out", id=msg.id)
                return False
        if owned is None:
            log_event(log, "textback.outbox.claim_lost", id=msg.id, attempts=msg.attempts)
        return owned is not None

    def _heartbeat_every_s(self) -> float:
        return max(self.config.stale_sending_s / 3, 0.05)

    async def _heartbeat(self, msg: Message) -> None:
        """Keep the claim fresh while the provider takes its time to answer: a beat now (the
        first period has passed), then one every period."""
        while True:
            async with self.db.engine.begin() as conn:
                await conn.execute(_HEARTBEAT, {"msg_id": msg.id, "attempt": msg.attempts,
                                                "now": self.clock.now()})
            await asyncio.sleep(self._heartbeat_every_s())

    async def send_claimed(self, msg: Message) -> None:
        if not await self._still_owned(msg):
            return
        # The heartbeat task starts only once a send has taken a whole period, from a timer:
        # almost every send is over long before, and a timer costs far less than a task.
        beat: list[asyncio.Task[None]] = []
        timer = asyncio.get_running_loop().call_later(
            self._heartbeat_every_s(),
            lambda: beat.append(asyncio.create_task(self._heartbeat(msg))))
        try:
            await self._send_owned(msg)
        finally:
            timer.cancel()
            for task in beat:
                task.cancel()

    async def _send_owned(self, msg: Message) -> None:
        if msg.error_code == OUTCOME_UNKNOWN:
            # An earlier try may have reached the provider: look before sending again.
            try:
                found = await self._find_sent(msg)
            except SmsSendError as exc:
                await self._record_failure(msg, exc, looked_up=False)
                return
            if found is not None:
                await self._record_sent(msg, found)
                return
        try:
            sent = await self.sender.send(
                to=msg.to_number, from_=msg.from_number, body=msg.body,
                status_callback=self._callback_url(msg),
            )
        except SmsSendError as exc:
            await self._record_failure(msg, exc)
            return
        await self._record_sent(msg, sent)

    async def _find_sent(self, msg: Message,
                         session: AsyncSession | None = None) -> SentSms | None:
        """The provider's copy of ``msg``, if an earlier try got through (see textback.lookup):
        same sender and recipient, created since our row, not recorded as another of our texts,
        and the body most like ours."""
        candidates = await self.sender.sent_since(
            to=msg.to_number, from_=msg.from_number, since=msg.created_at - LOOKUP_SLACK)
        if not candidates:
            return None
        taken_query = (
            select(Message.provider_sid)
            .where(Message.provider_sid.in_([c.sid for c in candidates]), Message.id != msg.id)
        )
        if session is not None:
            taken = {s for s in (await session.execute(taken_query)).scalars() if s}
        else:
            async with self.db.transaction() as own:
                taken = {s for s in (await own.execute(taken_query)).scalars() if s}
        found = pick_sent(candidates, body=msg.body, taken_sids=taken,
                          written_at=msg.created_at)
        return SentSms(sid=found.sid, status=found.status) if found else None

    def _callback_url(self, msg: Message) -> str | None:
        """The StatusCallback with our outbox id in it (Twilio signs the full URL), so a delivery
        status that arrives before we stored Twilio's sid still finds its row."""
        url = self.config.status_callback_url
        if not url:
            return None
        return f"{url}{'&' if '?' in url else '?'}outbox={msg.id}"

    async def _record_sent(self, msg: Message, sent: SentSms) -> None:
        status = sent.status if sent.status != "sending" else "queued"
        async with self.db.engine.begin() as conn:
            await conn.execute(_MARK_SENT, {"msg_id": msg.id, "sent_status": status,
                                            "sid": sent.sid, "now": self.clock.now()})
        log_event(log, "textback.sent", id=msg.id, kind=msg.kind, to=mask(msg.to_number),
                  sid=sent.sid)

    async def _record_failure(self, msg: Message, exc: SmsSendError, *,
                              looked_up: bool = True) -> None:
        """``looked_up=False``: the failure is the lookup's, so nothing was sent and whatever
        was unknown stays unknown."""
        now = self.clock.now()
        retry = exc.transient and msg.attempts < self.config.max_attempts
        # Once a try's outcome is unknown, every later try looks first: a later refusal
        # (a 429, a failed lookup) says nothing about whether that earlier try got through.
        sticky = msg.error_code == OUTCOME_UNKNOWN and (retry or not looked_up)
        values: dict[str, object] = {
            "error": str(exc)[:500],
            "error_code": OUTCOME_UNKNOWN if exc.outcome_unknown or sticky else exc.code,
        }
        if retry:
            delay = min(self.config.backoff_base_s * 2 ** (msg.attempts - 1),
                        self.config.backoff_max_s)
            delay *= random.uniform(0.8, 1.2)  # spread retries after a provider outage
            values.update(status="pending", next_attempt_at=now + timedelta(seconds=delay))
        else:
            values.update(status="failed")
        async with self.db.transaction() as session:
            await session.execute(update(Message).where(Message.id == msg.id).values(**values))
            if exc.code in OPTED_OUT_CODES and msg.contact_phone == msg.to_number:
                await session.execute(
                    update(Contact)
                    .where(Contact.business_id == msg.business_id, Contact.phone == msg.to_number)
                    .values(opted_out=True, opted_out_at=now)
                )
        event = "textback.retry_scheduled" if retry else "textback.failed"
        reason = "opted_out" if exc.code in OPTED_OUT_CODES else (
            "invalid_number" if exc.code in INVALID_NUMBER_CODES else None)
        log_event(log, event, logging.WARNING, id=msg.id, to=mask(msg.to_number),
                  code=exc.code, attempts=msg.attempts, reason=reason)

    async def reconcile_stale(self) -> int:
        """Settle rows left ``sending`` (a crash between the provider's answer and our commit):
        if the provider has the message, record it as sent; otherwise send it again."""
        cutoff = self.clock.now() - timedelta(seconds=self.config.stale_sending_s)
        async with self.db.transaction() as session:
            stale = list((await session.execute(
                select(Message)
                .where(Message.status == "sending", Message.claimed_at < cutoff)
                .limit(100)
                .with_for_update(skip_locked=True)
            )).scalars())
            settled = 0
            for msg in stale:
                try:
                    found = await self._find_sent(msg, session)
                except SmsSendError as exc:
                    log_event(log, "textback.reconcile_failed", logging.WARNING, id=msg.id,
                              error=str(exc))
                    continue
                # Compare-and-set on status, attempt and the stale claim: a worker that took or
                # heartbeated the claim meanwhile still owns the row, and nothing changes.
                values: dict[str, object]
                if found is not None:
                    values = {"status": found.status, "provider_sid": found.sid,
                              "sent_at": msg.sent_at or self.clock.now()}
                else:
                    values = {"status": "pending", "next_attempt_at": self.clock.now(),
                              "error_code": OUTCOME_UNKNOWN}
                changed = await session.scalar(
                    update(Message)
                    .where(Message.id == msg.id, Message.status == "sending",
                           Message.attempts == msg.attempts, Message.claimed_at < cutoff)
                    .values(**values)
                    .returning(Message.id)
                )
                if changed is None:
                    continue
                event = "textback.reconciled_sent" if found else "textback.reconciled_resend"
                log_event(log, event, id=msg.id)
                settled += 1
        if settled:
            self.wake()
        return settled
